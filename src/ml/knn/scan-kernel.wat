;; The SIMD pre-filter of the kNN brute-force scan (see simd-scan.ts). Assembled into
;; scan-kernel.ts by `node scripts/build-wasm.mjs`; a unit test checks the two agree.
;;
;; Training rows are stored in groups of four, feature-major inside a group: feature c of group g
;; is the f32x4 at t + (g*d + c)*16 (one lane per row). The query is stored splatted: feature c is
;; the f32x4 at q + c*16. Squared distances are summed in f32, four rows per vector and four groups
;; per iteration so the adds form four independent chains.
(module
  (memory (export "memory") 1)
  ;; Returns the first group in [g0, g1) with a lane <= thr and stores its four sums at out;
  ;; returns g1 when no group has one.
  (func (export "scan") (param $q i32) (param $t i32) (param $d i32) (param $g0 i32) (param $g1 i32) (param $thr f32) (param $out i32) (result i32)
    (local $g i32) (local $p i32) (local $c i32) (local $qp i32) (local $gb i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $x v128) (local $qv v128) (local $thrv v128)
    (local.set $thrv (f32x4.splat (local.get $thr)))
    (local.set $gb (i32.shl (local.get $d) (i32.const 4)))
    (local.set $g (local.get $g0))
    (block $done4
      (loop $groups4
        (br_if $done4 (i32.gt_u (i32.add (local.get $g) (i32.const 4)) (local.get $g1)))
        (local.set $p (i32.add (local.get $t) (i32.mul (local.get $g) (local.get $gb))))
        (local.set $a0 (v128.const f32x4 0 0 0 0))
        (local.set $a1 (v128.const f32x4 0 0 0 0))
        (local.set $a2 (v128.const f32x4 0 0 0 0))
        (local.set $a3 (v128.const f32x4 0 0 0 0))
        (local.set $qp (local.get $q))
        (local.set $c (local.get $d))
        (loop $feat
          (local.set $qv (v128.load (local.get $qp)))
          (local.set $x (f32x4.sub (local.get $qv) (v128.load (local.get $p))))
          (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $x) (local.get $x))))
          (local.set $x (f32x4.sub (local.get $qv) (v128.load (i32.add (local.get $p) (local.get $gb)))))
          (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $x) (local.get $x))))
          (local.set $x (f32x4.sub (local.get $qv) (v128.load (i32.add (local.get $p) (i32.shl (local.get $gb) (i32.const 1))))))
          (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $x) (local.get $x))))
          (local.set $x (f32x4.sub (local.get $qv) (v128.load (i32.add (local.get $p) (i32.mul (local.get $gb) (i32.const 3))))))
          (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $x) (local.get $x))))
          (local.set $qp (i32.add (local.get $qp) (i32.const 16)))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (br_if $feat (local.tee $c (i32.sub (local.get $c) (i32.const 1)))))
        (if (v128.any_true (v128.or (v128.or (f32x4.le (local.get $a0) (local.get $thrv)) (f32x4.le (local.get $a1) (local.get $thrv)))
                                    (v128.or (f32x4.le (local.get $a2) (local.get $thrv)) (f32x4.le (local.get $a3) (local.get $thrv)))))
          (then
            (if (v128.any_true (f32x4.le (local.get $a0) (local.get $thrv)))
              (then (v128.store (local.get $out) (local.get $a0)) (return (local.get $g))))
            (if (v128.any_true (f32x4.le (local.get $a1) (local.get $thrv)))
              (then (v128.store (local.get $out) (local.get $a1)) (return (i32.add (local.get $g) (i32.const 1)))))
            (if (v128.any_true (f32x4.le (local.get $a2) (local.get $thrv)))
              (then (v128.store (local.get $out) (local.get $a2)) (return (i32.add (local.get $g) (i32.const 2)))))
            (v128.store (local.get $out) (local.get $a3)) (return (i32.add (local.get $g) (i32.const 3)))))
        (local.set $g (i32.add (local.get $g) (i32.const 4)))
        (br $groups4)))
    (block $done
      (loop $groups
        (br_if $done (i32.ge_u (local.get $g) (local.get $g1)))
        (local.set $p (i32.add (local.get $t) (i32.mul (local.get $g) (local.get $gb))))
        (local.set $a0 (v128.const f32x4 0 0 0 0))
        (local.set $qp (local.get $q))
        (local.set $c (local.get $d))
        (loop $feat1
          (local.set $x (f32x4.sub (v128.load (local.get $qp)) (v128.load (local.get $p))))
          (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $x) (local.get $x))))
          (local.set $qp (i32.add (local.get $qp) (i32.const 16)))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (br_if $feat1 (local.tee $c (i32.sub (local.get $c) (i32.const 1)))))
        (if (v128.any_true (f32x4.le (local.get $a0) (local.get $thrv)))
          (then (v128.store (local.get $out) (local.get $a0)) (return (local.get $g))))
        (local.set $g (i32.add (local.get $g) (i32.const 1)))
        (br $groups)))
    (local.get $g1)))
