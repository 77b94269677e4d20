import { Rng } from '../random';

export interface SyntheticOptions {
  nRows: number;
  nInformative?: number;
  nRedundant?: number;
  nNoise?: number;
  nClasses?: number;
  clustersPerClass?: number;
  /** Fraction of labels flipped at random (label noise). */
  flip?: number;
  seed: number;
}

/**
 * A seeded classification set in the manner of scikit-learn's make_classification: Gaussian
 * clusters on the vertices of a hypercube in the informative features, redundant features as
 * random linear combinations of them, pure-noise features, and a little label noise.
 */
export function makeClassification(o: SyntheticOptions): { header: string[]; rows: number[][]; labels: number[] } {
  const rng = new Rng(o.seed);
  const inf = o.nInformative ?? 10;
  const red = o.nRedundant ?? 5;
  const noise = o.nNoise ?? 5;
  const K = o.nClasses ?? 2;
  const cpc = o.clustersPerClass ?? 2;
  const flip = o.flip ?? 0.01;
  const centroids: number[][] = [];
  for (let c = 0; c < K * cpc; c++) centroids.push(Array.from({ length: inf }, () => (rng.next() < 0.5 ? -1 : 1)));
  // A random linear transform per cluster gives the clusters different shapes.
  const transforms = centroids.map(() => Array.from({ length: inf * inf }, () => rng.next() * 2 - 1));
  const B = Array.from({ length: inf * red }, () => rng.next() * 2 - 1);
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < o.nRows; i++) {
    const cluster = i % (K * cpc);
    const label = cluster % K;
    const z = Array.from({ length: inf }, () => rng.normal());
    const A = transforms[cluster];
    const x: number[] = [];
    for (let a = 0; a < inf; a++) {
      let s = 0;
      for (let b = 0; b < inf; b++) s += z[b] * A[b * inf + a];
      x.push(s + centroids[cluster][a]);
    }
    for (let r = 0; r < red; r++) {
      let s = 0;
      for (let a = 0; a < inf; a++) s += x[a] * B[a * red + r];
      x.push(s);
    }
    for (let r = 0; r < noise; r++) x.push(rng.normal());
    rows.push(x.map((v) => Math.round(v * 1e6) / 1e6));
    labels.push(rng.next() < flip ? rng.int(K) : label);
  }
  // Shuffle rows so clusters are not in blocks.
  const order = rng.shuffle(Array.from({ length: o.nRows }, (_, i) => i));
  const header = Array.from({ length: inf + red + noise }, (_, j) => `x${j}`);
  return { header, rows: order.map((i) => rows[i]), labels: order.map((i) => labels[i]) };
}
