import { ModelOpsError } from '../../core/errors';
import type { Distribution } from '../distributions';
import { erf } from '../samplers/parzen';
import type { EncodedTrials } from './encode';
import { normalize } from './encode';

/**
 * PED-ANOVA (Watanabe et al., 2023), Optuna's default importance evaluator since 4.x: a
 * parameter matters as much as the distribution of its values among the top 10% of trials
 * differs from their distribution among all trials (Pearson divergence of two Parzen estimates on
 * a grid), times the quantile. Optuna's defaults: baseline quantile 0.1, at least 2 top trials,
 * evaluated on the local region (all finished trials), 50 grid steps, prior weight 1.
 */
export interface PedAnovaOptions {
  baselineQuantile?: number;
}

const N_STEPS = 50;
const MIN_TOP = 2;
const PRIOR_WEIGHT = 1;

/** Grid cells of a parameter: its choices, its int/stepped values when few, else 50 steps. */
function gridSize(d: Distribution): number {
  if (d.type === 'categorical') return d.choices.length;
  const step = d.step ?? (d.type === 'int' ? 1 : undefined);
  if (step === undefined || d.log) return N_STEPS;
  return Math.max(1, Math.min(N_STEPS, Math.floor((d.high - d.low) / step + 1e-9) + 1));
}

function cellOf(d: Distribution, x: number, n: number): number {
  if (d.type === 'categorical') return Math.min(n - 1, Math.floor(x * n));
  return Math.round(x * (n - 1));
}

/** Scott's rule bandwidth over grid indices, as Optuna's _ScottParzenEstimator. */
function scottSigma(cells: number[]): number {
  const n = cells.length;
  const sorted = [...cells].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(sorted.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, n - 1));
  const q = (p: number): number => sorted[Math.min(n - 1, Math.floor(p * (n - 1)))];
  const iqr = q(0.75) - q(0.25);
  const spread = iqr > 0 ? Math.min(iqr / 1.34, std) : std;
  return Math.max(0.5, 1.059 * spread * n ** -0.2);
}

/** Probability of each grid cell under a Parzen estimate of the observed cells plus a wide prior. */
function parzen(d: Distribution, cells: number[], n: number): number[] {
  const mass = new Array<number>(n).fill(0);
  if (d.type === 'categorical') {
    for (const c of cells) mass[c] += 1;
    for (let g = 0; g < n; g++) mass[g] += PRIOR_WEIGHT / n;
  } else {
    const sigma = scottSigma(cells);
    const kernels: [number, number, number][] = cells.map((c) => [c, sigma, 1]);
    kernels.push([(n - 1) / 2, n, PRIOR_WEIGHT]);
    for (const [mu, s, w] of kernels) {
      const at = (x: number): number => 0.5 * (1 + erf((x - mu) / (s * Math.SQRT2)));
      const total = at(n - 0.5) - at(-0.5);
      for (let g = 0; g < n; g++) mass[g] += (w * (at(g + 0.5) - at(g - 0.5))) / total;
    }
  }
  const sum = mass.reduce((a, b) => a + b, 0);
  return mass.map((m) => m / sum + 1e-12);
}

/** Normalised PED-ANOVA importances by parameter name. */
export function pedAnovaImportance(data: EncodedTrials, options: PedAnovaOptions = {}): Record<string, number> {
  const q = options.baselineQuantile ?? 0.1;
  const n = data.rows.length;
  if (n < MIN_TOP + 1) throw new ModelOpsError('INVALID_STATE', `PED-ANOVA needs at least ${MIN_TOP + 1} complete trials (the study has ${n})`);
  const sign = data.direction === 'maximize' ? -1 : 1;
  const order = data.values.map((v, i) => [v, i] as const).sort((a, b) => sign * (a[0] - b[0]));
  const nTop = Math.min(n, Math.max(MIN_TOP, Math.ceil(n * q)));
  const top = order.slice(0, nTop).map(([, i]) => i);
  const raw: Record<string, number> = {};
  data.params.forEach((p, j) => {
    const d = data.space[p];
    const size = gridSize(d);
    const all = data.rows.map((r) => cellOf(d, r[j], size));
    const pTop = parzen(
      d,
      top.map((i) => all[i]),
      size,
    );
    const pAll = parzen(d, all, size);
    raw[p] = (nTop / n) * pAll.reduce((acc, pa, g) => acc + pa * (pTop[g] / pa - 1) ** 2, 0);
  });
  return normalize(raw);
}
