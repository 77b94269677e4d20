/**
 * Pure transforms from comparison data to what the charts draw: aligned metric histories (one
 * x array shared by every run, as uPlot wants), parallel-coordinate lines, scatter points and
 * final-metric bars. No DOM; the webview only paints what these return.
 */
import type { CompareRun, MetricHistory } from './compare-protocol';

export interface AlignedHistories {
  steps: number[];
  /** One array per run, in the order asked for; null where the run has no value at that step. */
  series: (number | null)[][];
}

function sameSteps(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Aligns histories on the union of their steps. When every run logged the same steps (the
 * common case) the arrays are reused as they are, which keeps 100 runs × 1,000 steps cheap.
 * A run that logged one step twice keeps the last value, as MLflow's latest_metrics does.
 */
export function alignHistories(histories: readonly MetricHistory[], runIds: readonly string[]): AlignedHistories {
  const byRun = new Map(histories.map((h) => [h.runId, h]));
  const present = runIds.map((id) => byRun.get(id));
  const first = present.find((h) => h !== undefined);
  if (!first) return { steps: [], series: runIds.map(() => []) };
  const sorted = (h: MetricHistory): boolean => h.steps.every((s, i) => i === 0 || h.steps[i - 1] < s);
  if (present.every((h) => h !== undefined && sameSteps(h.steps, first.steps)) && sorted(first)) {
    return { steps: first.steps.slice(), series: present.map((h) => (h as MetricHistory).values.slice()) };
  }
  const stepSet = new Set<number>();
  for (const h of present) if (h) for (const s of h.steps) stepSet.add(s);
  const steps = [...stepSet].sort((a, b) => a - b);
  const index = new Map(steps.map((s, i) => [s, i]));
  const series = present.map((h) => {
    const ys = new Array<number | null>(steps.length).fill(null);
    if (h) for (let i = 0; i < h.steps.length; i++) ys[index.get(h.steps[i]) as number] = h.values[i];
    return ys;
  });
  return { steps, series };
}

export interface Axis {
  /** Param or metric key. */
  key: string;
  kind: 'param' | 'metric';
  /** Numeric axes scale from min to max; categorical ones space their categories evenly. */
  scale: 'numeric' | 'categorical';
  min: number;
  max: number;
  categories: string[];
}

export interface ParallelLine {
  runIndex: number;
  /** Position on each axis in [0, 1] (0 = bottom), null when the run lacks that value. */
  positions: (number | null)[];
  /** Position on the metric axis, for colouring; null when the run lacks the metric. */
  colorValue: number | null;
}

export interface ParallelModel {
  axes: Axis[];
  lines: ParallelLine[];
}

function rawValue(run: CompareRun, kind: 'param' | 'metric', key: string): string | number | null | undefined {
  if (kind === 'param') return run.params.find((p) => p.key === key)?.value;
  const m = run.metrics.find((x) => x.key === key);
  return m === undefined ? undefined : m.value;
}

export function buildAxis(runs: readonly CompareRun[], kind: 'param' | 'metric', key: string): Axis {
  const values = runs.map((r) => rawValue(r, kind, key)).filter((v): v is string | number => v !== undefined && v !== null);
  const numbers = values.map((v) => (typeof v === 'number' ? v : v.trim() === '' ? NaN : Number(v)));
  if (numbers.length > 0 && numbers.every((n) => Number.isFinite(n))) {
    return { key, kind, scale: 'numeric', min: Math.min(...numbers), max: Math.max(...numbers), categories: [] };
  }
  const categories = [...new Set(values.map(String))].sort((a, b) => a.localeCompare(b));
  return { key, kind, scale: 'categorical', min: 0, max: Math.max(categories.length - 1, 0), categories };
}

/** Where a run sits on an axis, in [0, 1]; a single-valued axis puts everything in the middle. */
export function axisPosition(axis: Axis, run: CompareRun): number | null {
  const v = rawValue(run, axis.kind, axis.key);
  if (v === undefined || v === null) return null;
  const n = axis.scale === 'numeric' ? Number(v) : axis.categories.indexOf(String(v));
  if (axis.max === axis.min) return 0.5;
  return (n - axis.min) / (axis.max - axis.min);
}

/** Params that vary across the runs, then the metric: the axes a reader wants to compare. */
export function buildParallel(runs: readonly CompareRun[], paramKeys: readonly string[], metricKey: string): ParallelModel {
  const axes = [...paramKeys.map((k) => buildAxis(runs, 'param', k)), buildAxis(runs, 'metric', metricKey)];
  const metricAxis = axes[axes.length - 1];
  const lines = runs.map((run, runIndex) => ({
    runIndex,
    positions: axes.map((a) => axisPosition(a, run)),
    colorValue: axisPosition(metricAxis, run),
  }));
  return { axes, lines };
}

export interface ScatterModel {
  x: Axis;
  y: Axis;
  points: { runIndex: number; x: number; y: number }[];
}

export function buildScatter(runs: readonly CompareRun[], paramKey: string, metricKey: string): ScatterModel {
  // Scale to the runs that have both values, so a run off the chart cannot squash the others.
  const both = runs.filter((r) => rawValue(r, 'param', paramKey) !== undefined && typeof rawValue(r, 'metric', metricKey) === 'number');
  const x = buildAxis(both, 'param', paramKey);
  const y = buildAxis(both, 'metric', metricKey);
  const points: ScatterModel['points'] = [];
  runs.forEach((run, runIndex) => {
    const px = axisPosition(x, run);
    const py = axisPosition(y, run);
    if (px !== null && py !== null) points.push({ runIndex, x: px, y: py });
  });
  return { x, y, points };
}

export interface BarModel {
  metricKey: string;
  min: number;
  max: number;
  bars: { runIndex: number; value: number | null }[];
}

export function buildBars(runs: readonly CompareRun[], metricKey: string): BarModel {
  const bars = runs.map((run, runIndex) => {
    const v = rawValue(run, 'metric', metricKey);
    return { runIndex, value: typeof v === 'number' ? v : null };
  });
  const values = bars.map((b) => b.value).filter((v): v is number => v !== null);
  // Bars grow from zero unless every value is on the same side of it.
  const min = Math.min(0, ...values);
  const max = Math.max(0, ...values);
  return { metricKey, min, max: max === min ? min + 1 : max, bars };
}

/** Keys that take more than one value across the runs: the interesting axes. */
export function varyingParams(runs: readonly CompareRun[]): string[] {
  const keys = new Set<string>();
  for (const r of runs) for (const p of r.params) keys.add(p.key);
  return [...keys]
    .filter((k) => new Set(runs.map((r) => r.params.find((p) => p.key === k)?.value ?? '\u0000')).size > 1)
    .sort((a, b) => a.localeCompare(b));
}

export function metricKeys(runs: readonly CompareRun[]): string[] {
  const keys = new Set<string>();
  for (const r of runs) for (const m of r.metrics) keys.add(m.key);
  return [...keys].sort((a, b) => a.localeCompare(b));
}
