import { Rng } from '../random';

/** What a tree is grown from: binned features (shared between worker threads) and the target. */
export interface TreeData {
  nRows: number;
  nCols: number;
  bins: Uint8Array;
  nBins: Int32Array;
  /** Value per row (regression); unused for classification, where it may be empty. */
  y: Float64Array;
  /** Class index per row (classification; empty for regression): made once per forest and shared by its threads. */
  yc: Int32Array;
  /** 0 for regression. */
  nClasses: number;
}

/** The class index of every row as int32 (indexing typed arrays with doubles is slower in V8). */
export function classIndex(y: Float64Array, shared = false): Int32Array {
  const out = new Int32Array(shared ? new SharedArrayBuffer(y.length * 4) : new ArrayBuffer(y.length * 4));
  for (let i = 0; i < y.length; i++) out[i] = y[i]!;
  return out;
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
  scratch: Int32Array;
}

let buffers: RowBuffers | undefined;

/**
 * Per-row working arrays, reused by the next tree this thread grows on as many rows: a fresh set
 * per tree (12 bytes a row) left garbage that each worker held until its next GC — on a million
 * rows about 130 MB of peak memory across the workers.
 */
function rowBuffers(n: number): RowBuffers {
  if (buffers?.w.length !== n) buffers = { w: new Int32Array(n), idx: new Int32Array(n), scratch: new Int32Array(n) };
  return buffers;
}

/** Lets the working arrays go once a thread has grown its trees (tree workers simply exit). */
export function releaseRowBuffers(): void {
  buffers = undefined;
}

/** The working arrays of one tree's split search, shared by its nodes. */
interface Search {
  n: number;
  K: number;
  cls: boolean;
  bins: Uint8Array;
  y: Float64Array;
  w: Int32Array;
  idx: Int32Array;
  yc: Int32Array;
  /** Class weights per bin, or weight sum per bin (regression). */
  hist: Float64Array;
  /** Regression: weighted sum of y per bin. */
  histY: Float64Array;
  cnt: Int32Array;
  /** The node's class weights, or its weighted sum of y (regression). */
  tot: Float64Array;
  left: Float64Array;
  minLeaf: number;
}

const MAX_BINS = 256;

/** Bootstrap counts in `w` (or all ones) and the in-bag rows in `idx`, in increasing order; returns their number. */
function sampleRows(w: Int32Array, idx: Int32Array, n: number, bootstrap: boolean, rng: Rng): number {
  let m = 0;
  if (bootstrap) {
    w.fill(0);
    for (let t = 0; t < n; t++) w[rng.int(n)] += 1;
  } else w.fill(1);
  for (let i = 0; i < n; i++) if (w[i] > 0) idx[m++] = i;
  return m;
}

/** The node's weight, its statistics into `s.tot`, and its impurity (Gini, or the variance). */
function nodeStats(s: Search, start: number, end: number): { W: number; impurity: number } {
  const { idx, w, yc, y, tot, cls, K } = s;
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
  if (cls) {
    let sq = 0;
    for (let k = 0; k < K; k++) sq += tot[k] * tot[k];
    return { W, impurity: 1 - sq / (W * W) };
  }
  const mean = tot[0] / W;
  return { W, impurity: Math.max(0, sumY2 / W - mean * mean) };
}

/**
 * The best split of feature f over the node's rows: the bin b with the highest score for
 * "bin ≤ b" among those leaving minLeaf rows each side, or -1. Leaves the histograms zeroed.
 */
function bestBinOf(s: Search, f: number, start: number, end: number, W: number, best: { score: number }): number {
  const { idx, w, yc, y, bins, hist, histY, cnt, tot, left, cls, K, minLeaf } = s;
  const off = f * s.n;
  const count = end - start;
  let lo = MAX_BINS;
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
  let found = -1;
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
      if (score > best.score) {
        best.score = score;
        found = b;
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
  return found;
}

/** Stable partition of the node's rows (bin ≤ bestB first); returns where the right child starts. */
function partition(s: Search, scratch: Int32Array, f: number, bestB: number, start: number, end: number): number {
  const { idx, bins } = s;
  // Rows stay in increasing order inside every node, so the histogram loops walk memory forwards instead of at random.
  const off = f * s.n;
  let a = start;
  let nr = 0;
  for (let t = start; t < end; t++) {
    const i = idx[t];
    if (bins[off + i] <= bestB) idx[a++] = i;
    else scratch[nr++] = i;
  }
  for (let t = 0; t < nr; t++) idx[a + t] = scratch[t];
  return a;
}

/**
 * Grows one CART tree (Gini for classification, squared error for regression) by histogram split
 * search over the pre-binned features. Features are sampled at every split, as scikit-learn does;
 * if none of the drawn features can split the node, more are drawn until one can or all are seen.
 */
/** The node-independent state of one tree's growth: its bootstrap sample and the histogram buffers. */
function newSearch(data: TreeData, p: TreeParams, rng: Rng): { s: Search; m: number; scratch: Int32Array } {
  const { nRows: n, bins, y } = data;
  const K = data.nClasses;
  const cls = K > 0;
  const V = cls ? K : 1;
  const { w, idx: idxAll, scratch: scratchAll } = rowBuffers(n);
  const m = sampleRows(w, idxAll, n, p.bootstrap, rng);
  const yc = data.yc;
  const s: Search = {
    n,
    K,
    cls,
    bins,
    y,
    w,
    idx: idxAll.subarray(0, m),
    yc,
    hist: new Float64Array(MAX_BINS * V),
    histY: new Float64Array(MAX_BINS),
    cnt: new Int32Array(MAX_BINS),
    tot: new Float64Array(V),
    left: new Float64Array(V),
    minLeaf: p.minSamplesLeaf,
  };
  return { s, m, scratch: scratchAll.subarray(0, m) };
}

/**
 * Grows one CART tree (Gini for classification, squared error for regression) by histogram split
 * search over the pre-binned features. Features are sampled at every split, as scikit-learn does;
 * if none of the drawn features can split the node, more are drawn until one can or all are seen.
 */
export function buildTree(data: TreeData, p: TreeParams, seed: number): BuiltTree {
  const d = data.nCols;
  const V = data.nClasses > 0 ? data.nClasses : 1;
  const rng = new Rng(seed);
  const { s, m, scratch } = newSearch(data, p, rng);
  const feature: number[] = [];
  const binOut: number[] = [];
  const right: number[] = [];
  const values: number[] = [];
  const importance = new Float64Array(d);
  const perm = Int32Array.from({ length: d }, (_, i) => i);
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
    const { W, impurity } = nodeStats(s, start, end);
    if (parent >= 0) importance[feature[parent]] -= W * impurity;
    const count = end - start;
    let bestF = -1;
    let bestB = 0;
    if (depth < p.maxDepth && count >= p.minSamplesSplit && count >= 2 * p.minSamplesLeaf && impurity > 1e-12) {
      const best = { score: -Infinity };
      for (let j = 0; j < d; j++) {
        if (j >= p.maxFeatures && bestF >= 0) break;
        const r = j + rng.int(d - j);
        const f = perm[r];
        perm[r] = perm[j];
        perm[j] = f;
        const b = bestBinOf(s, f, start, end, W, best);
        if (b >= 0) {
          bestF = f;
          bestB = b;
        }
      }
    }
    if (bestF < 0) {
      feature.push(-1);
      binOut.push(0);
      right.push(values.length / V);
      for (let k = 0; k < V; k++) values.push(s.tot[k] / W);
      continue;
    }
    feature.push(bestF);
    binOut.push(bestB);
    right.push(-1);
    importance[bestF] += W * impurity;
    const a = partition(s, scratch, bestF, bestB, start, end);
    // Right pushed first so the left child is built next (preorder: left = node + 1).
    stack.push(a, end, depth + 1, node, 1);
    stack.push(start, a, depth + 1, node, 0);
  }
  return { feature: Int32Array.from(feature), bin: Uint8Array.from(binOut), right: Int32Array.from(right), values: Float32Array.from(values), importance };
}
