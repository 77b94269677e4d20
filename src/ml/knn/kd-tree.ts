/**
 * A KD-tree over row-major float32 points that really prunes: every node keeps its bounding box
 * and a subtree is skipped when the box is farther than the current k-th neighbour. Searches are
 * exact and break distance ties by the lower point index, so they return what brute force returns.
 */

/** Squared Euclidean distance, summed in groups of four (the same order everywhere, so ties agree). */
export function sqDist(a: Float32Array, ai: number, b: Float32Array, bi: number, d: number): number {
  let s = 0;
  let c = 0;
  for (; c + 4 <= d; c += 4) {
    const x0 = a[ai + c] - b[bi + c];
    const x1 = a[ai + c + 1] - b[bi + c + 1];
    const x2 = a[ai + c + 2] - b[bi + c + 2];
    const x3 = a[ai + c + 3] - b[bi + c + 3];
    s += x0 * x0 + x1 * x1 + x2 * x2 + x3 * x3;
  }
  for (; c < d; c++) {
    const x = a[ai + c] - b[bi + c];
    s += x * x;
  }
  return s;
}

const LEAF = 24;

export class KdTree {
  private readonly perm: Int32Array;
  private readonly start: number[] = [];
  private readonly end: number[] = [];
  private readonly left: number[] = [];
  private readonly right: number[] = [];
  private lo: Float32Array = new Float32Array(0);
  private hi: Float32Array = new Float32Array(0);

  constructor(
    private readonly points: Float32Array,
    n: number,
    private readonly d: number,
  ) {
    this.perm = Int32Array.from({ length: n }, (_, i) => i);
    const boxes: number[][] = [];
    const build = (s: number, e: number): number => {
      const node = this.start.length;
      this.start.push(s);
      this.end.push(e);
      this.left.push(-1);
      this.right.push(-1);
      const lo = new Array<number>(d).fill(Infinity);
      const hi = new Array<number>(d).fill(-Infinity);
      for (let t = s; t < e; t++) {
        const base = this.perm[t] * d;
        for (let c = 0; c < d; c++) {
          const v = points[base + c];
          if (v < lo[c]) lo[c] = v;
          if (v > hi[c]) hi[c] = v;
        }
      }
      boxes[node] = [...lo, ...hi];
      if (e - s <= LEAF) return node;
      let dim = 0;
      for (let c = 1; c < d; c++) if (hi[c] - lo[c] > hi[dim] - lo[dim]) dim = c;
      if (hi[dim] === lo[dim]) return node; // all points equal: a leaf however large
      const mid = (s + e) >> 1;
      this.select(s, e - 1, mid, dim);
      const l = build(s, mid);
      const r = build(mid, e);
      this.left[node] = l;
      this.right[node] = r;
      return node;
    };
    build(0, n);
    const m = this.start.length;
    this.lo = new Float32Array(m * d);
    this.hi = new Float32Array(m * d);
    for (let i = 0; i < m; i++) {
      for (let c = 0; c < d; c++) {
        this.lo[i * d + c] = boxes[i][c];
        this.hi[i * d + c] = boxes[i][d + c];
      }
    }
  }

  /** Quickselect on perm[l..r] by coordinate `dim` so that position k holds its order statistic. */
  private select(l: number, r: number, k: number, dim: number): void {
    const { perm, points, d } = this;
    const key = (t: number): number => points[perm[t] * d + dim];
    while (r > l) {
      const pivot = key((l + r) >> 1);
      let i = l;
      let j = r;
      while (i <= j) {
        while (key(i) < pivot) i++;
        while (key(j) > pivot) j--;
        if (i <= j) {
          const t = perm[i];
          perm[i] = perm[j];
          perm[j] = t;
          i++;
          j--;
        }
      }
      if (k <= j) r = j;
      else if (k >= i) l = i;
      else return;
    }
  }

  private boxDist(node: number, q: Float32Array, qb: number): number {
    const d = this.d;
    let s = 0;
    for (let c = 0; c < d; c++) {
      const v = q[qb + c];
      const lo = this.lo[node * d + c];
      const hi = this.hi[node * d + c];
      const e = v < lo ? lo - v : v > hi ? v - hi : 0;
      s += e * e;
    }
    return s;
  }

  /** Fills bestD (squared distances, ascending) and bestI with the k nearest points to q[qb..]. */
  search(q: Float32Array, qb: number, bestD: Float64Array, bestI: Int32Array): void {
    bestD.fill(Infinity);
    bestI.fill(0x7fffffff);
    this.visit(0, this.boxDist(0, q, qb), q, qb, bestD, bestI);
  }

  /** `boxD` is the node's box distance, computed once by its parent (it ordered the children by it). */
  private visit(node: number, boxD: number, q: Float32Array, qb: number, bestD: Float64Array, bestI: Int32Array): void {
    const k = bestD.length;
    if (boxD > bestD[k - 1]) return;
    const l = this.left[node];
    if (l < 0) {
      this.scanLeaf(node, q, qb, bestD, bestI);
      return;
    }
    const r = this.right[node];
    const dl = this.boxDist(l, q, qb);
    const dr = this.boxDist(r, q, qb);
    // Nearer child first so the far one is more likely to be pruned.
    if (dl <= dr) {
      this.visit(l, dl, q, qb, bestD, bestI);
      this.visit(r, dr, q, qb, bestD, bestI);
    } else {
      this.visit(r, dr, q, qb, bestD, bestI);
      this.visit(l, dl, q, qb, bestD, bestI);
    }
  }

  private scanLeaf(node: number, q: Float32Array, qb: number, bestD: Float64Array, bestI: Int32Array): void {
    const k = bestD.length;
    for (let t = this.start[node]; t < this.end[node]; t++) {
      const j = this.perm[t];
      const s = sqDist(q, qb, this.points, j * this.d, this.d);
      if (s > bestD[k - 1] || (s === bestD[k - 1] && j > bestI[k - 1])) continue;
      let p = k - 1;
      while (p > 0 && (bestD[p - 1] > s || (bestD[p - 1] === s && bestI[p - 1] > j))) {
        bestD[p] = bestD[p - 1];
        bestI[p] = bestI[p - 1];
        p--;
      }
      bestD[p] = s;
      bestI[p] = j;
    }
  }
}
