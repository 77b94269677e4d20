import { Rng } from '../random';

/** What a tree is grown from: binned features (shared between worker threads) and the target. */
export interface TreeData {
  nRows: number;
  nCols: number;
  bins: Uint8Array;
  nBins: Int32Array;
  /** Class index (classification) or value (regression) per row. */
  y: Float64Array;
  /** 0 for regression. */
  nClasses: number;
}

export interface TreeParams {
  maxDepth: number;
  minSamplesLeaf: number;
  minSamplesSplit: number;
  /** Features drawn (without replacement) at every split. */
  maxFeatures: number;
  bootstrap: boolean;
}

/**
 * A grown tree in preorder: an internal node's left child is the next node, `right[i]` its right
 * child; a leaf (`feature[i] === -1`) stores in `right[i]` the slot of its value(s) in `values`.
 */
export interface BuiltTree {
  feature: Int32Array;
  bin: Uint8Array;
  right: Int32Array;
  /** nLeaves × max(1, nClasses): class probabilities or the mean. */
  values: Float32Array;
  /** Weighted impurity decrease per feature (not normalised). */
  importance: Float64Array;
}

interface RowBuffers {
  w: Int32Array;
  idx: Int32Array;
  yc: Int32Array;
  scratch: Int32Array;
}

let buffers: RowBuffers | undefined;

/**
 * Per-row working arrays, reused by the next tree this thread grows on as many rows: a fresh set
 * per tree (16 bytes a row) left garbage that each worker held until its next GC — on a million
 * rows about 130 MB of peak memory across the workers.
 */
function rowBuffers(n: number): RowBuffers {
  if (buffers?.w.length !== n) buffers = { w: new Int32Array(n), idx: new Int32Array(n), yc: new Int32Array(n), scratch: new Int32Array(n) };
  return buffers;
}

/** Lets the working arrays go once a thread has grown its trees (tree workers simply exit). */
export function releaseRowBuffers(): void {
  buffers = undefined;
}

/**
 * Grows one CART tree (Gini for classification, squared error for regression) by histogram split
 * search over the pre-binned features. Features are sampled at every split, as scikit-learn does;
 * if none of the drawn features can split the node, more are drawn until one can or all are seen.
 */
export function buildTree(data: TreeData, p: TreeParams, seed: number): BuiltTree {
  const { nRows: n, nCols: d, bins, y } = data;
  const K = data.nClasses;
  const cls = K > 0;
  const V = cls ? K : 1;
  const rng = new Rng(seed);

  const { w, idx: idxAll, yc: ycAll, scratch: scratchAll } = rowBuffers(n);
  w.fill(0); // bootstrap counts
  let m = 0;
  if (p.bootstrap) {
    for (let t = 0; t < n; t++) w[rng.int(n)] += 1;
    for (let i = 0; i < n; i++) if (w[i] > 0) m++;
  } else {
    w.fill(1);
    m = n;
  }
  const idx = idxAll.subarray(0, m);
  // Class indices as int32: indexing typed arrays with doubles is slower in V8.
  const yc = ycAll.subarray(0, cls ? n : 0);
  const scratch = scratchAll.subarray(0, m);
  if (cls) for (let i = 0; i < n; i++) yc[i] = y[i];
  for (let i = 0, j = 0; i < n; i++) if (w[i] > 0) idx[j++] = i;

  const feature: number[] = [];
  const binOut: number[] = [];
  const right: number[] = [];
  const values: number[] = [];
  const importance = new Float64Array(d);
  const perm = Int32Array.from({ length: d }, (_, i) => i);

  const maxB = 256;
  const hist = new Float64Array(maxB * V); // class weights per bin, or weight sum per bin (regression)
  const histY = new Float64Array(maxB); // regression: weighted sum of y per bin
  const cnt = new Int32Array(maxB);
  const tot = new Float64Array(V);
  const left = new Float64Array(V);

  // Stack of pending nodes: start, end, depth, parent (-1 root), isRight.
  const stack: number[] = [0, m, 0, -1, 0];
  while (stack.length > 0) {
    const isRight = stack.pop() as number;
    const parent = stack.pop() as number;
    const depth = stack.pop() as number;
    const end = stack.pop() as number;
    const start = stack.pop() as number;
    const node = feature.length;
    if (isRight) right[parent] = node;

    // Node statistics.
    tot.fill(0);
    let W = 0;
    let sumY2 = 0;
    for (let t = start; t < end; t++) {
      const i = idx[t];
      const wi = w[i];
      W += wi;
      if (cls) tot[yc[i]] += wi;
      else {
        tot[0] += wi * y[i];
        sumY2 += wi * y[i] * y[i];
      }
    }
    let impurity: number;
    if (cls) {
      let s = 0;
      for (let k = 0; k < K; k++) s += tot[k] * tot[k];
      impurity = 1 - s / (W * W);
    } else {
      const mean = tot[0] / W;
      impurity = Math.max(0, sumY2 / W - mean * mean);
    }
    if (parent >= 0) importance[feature[parent]] -= W * impurity;

    const count = end - start;
    let bestF = -1;
    let bestB = 0;
    if (depth < p.maxDepth && count >= p.minSamplesSplit && count >= 2 * p.minSamplesLeaf && impurity > 1e-12) {
      let bestScore = -Infinity;
      const minLeaf = p.minSamplesLeaf;
      for (let j = 0; j < d; j++) {
        if (j >= p.maxFeatures && bestF >= 0) break;
        const r = j + rng.int(d - j);
        const f = perm[r];
        perm[r] = perm[j];
        perm[j] = f;
        const off = f * n;
        let lo = maxB;
        let hi = -1;
        for (let t = start; t < end; t++) {
          const i = idx[t];
          const b = bins[off + i];
          if (b < lo) lo = b;
          if (b > hi) hi = b;
          cnt[b]++;
          if (cls) hist[b * K + yc[i]] += w[i];
          else {
            hist[b] += w[i];
            histY[b] += w[i] * y[i];
          }
        }
        if (lo < hi) {
          left.fill(0);
          let nL = 0;
          let WL = 0;
          for (let b = lo; b < hi; b++) {
            const c = cnt[b];
            if (c === 0) continue;
            nL += c;
            if (cls) {
              for (let k = 0; k < K; k++) {
                const h = hist[b * K + k];
                left[k] += h;
                WL += h;
              }
            } else {
              WL += hist[b];
              left[0] += histY[b];
            }
            if (nL < minLeaf) continue;
            if (count - nL < minLeaf) break;
            const WR = W - WL;
            let score: number;
            if (cls) {
              let sl = 0;
              let sr = 0;
              for (let k = 0; k < K; k++) {
                sl += left[k] * left[k];
                const rk = tot[k] - left[k];
                sr += rk * rk;
              }
              score = sl / WL + sr / WR;
            } else {
              const rs = tot[0] - left[0];
              score = (left[0] * left[0]) / WL + (rs * rs) / WR;
            }
            if (score > bestScore) {
              bestScore = score;
              bestF = f;
              bestB = b;
            }
          }
        }
        for (let b = lo; b <= hi; b++) {
          cnt[b] = 0;
          if (cls) for (let k = 0; k < K; k++) hist[b * K + k] = 0;
          else {
            hist[b] = 0;
            histY[b] = 0;
          }
        }
      }
    }

    if (bestF < 0) {
      feature.push(-1);
      binOut.push(0);
      right.push(values.length / V);
      if (cls) for (let k = 0; k < K; k++) values.push(tot[k] / W);
      else values.push(tot[0] / W);
      continue;
    }
    feature.push(bestF);
    binOut.push(bestB);
    right.push(-1);
    importance[bestF] += W * impurity;
    // Stable partition (rows with bin ≤ bestB first): rows stay in increasing order inside every
    // node, so the histogram loops walk memory forwards instead of at random.
    const off = bestF * n;
    let a = start;
    let nr = 0;
    for (let t = start; t < end; t++) {
      const i = idx[t];
      if (bins[off + i] <= bestB) idx[a++] = i;
      else scratch[nr++] = i;
    }
    for (let t = 0; t < nr; t++) idx[a + t] = scratch[t];
    // Right pushed first so the left child is built next (preorder: left = node + 1).
    stack.push(a, end, depth + 1, node, 1);
    stack.push(start, a, depth + 1, node, 0);
  }
  return {
    feature: Int32Array.from(feature),
    bin: Uint8Array.from(binOut),
    right: Int32Array.from(right),
    values: Float32Array.from(values),
    importance,
  };
}
