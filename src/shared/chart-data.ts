/**
 * Pure transforms from comparison data to what the charts draw: aligned metric histories (one
 * x array shared by every run, as uPlot wants), parallel-coordinate lines, scatter points and
 * final-metric bars. No DOM; the webview only paints what these return.
 */
import { metricMeaning } from '../core/metric-meaning';
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
  /** False when the axis starts above zero, to tell 0.7554 from 0.7526: the chart says so. */
  zeroBased: boolean;
  bars: { runIndex: number; value: number | null; baseline: number | null }[];
}

/**
 * Bars of each run's value and its baseline's (`baseline_<key>`), on an axis that fits the values
 * (zero is kept only when it is close): bars from 0 would make 0.7554 and 0.7526 look the same.
 */
export function buildBars(runs: readonly CompareRun[], metricKey: string): BarModel {
  const bars = runs.map((run, runIndex) => {
    const v = rawValue(run, 'metric', metricKey);
    const b = rawValue(run, 'metric', `baseline_${metricKey}`);
    return { runIndex, value: typeof v === 'number' ? v : null, baseline: typeof b === 'number' ? b : null };
  });
  const values = bars.flatMap((b) => [b.value, b.baseline]).filter((v): v is number => v !== null);
  if (values.length === 0) return { metricKey, min: 0, max: 1, zeroBased: true, bars };
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  // One value has nothing to tell apart: a plain bar from zero.
  if (lo === hi)
    return { metricKey, min: Math.min(0, lo), max: Math.max(0, hi) === Math.min(0, lo) ? Math.min(0, lo) + 1 : Math.max(0, hi), zeroBased: true, bars };
  const span = hi - lo;
  let min = lo - span * 0.25;
  let max = hi + span * 0.15;
  // Zero stays the floor when the values are not far from it (or straddle it).
  if (lo >= 0 && min < 0) min = 0;
  if (hi <= 0 && max > 0) max = 0;
  if (lo >= 0 && lo <= span) min = 0;
  return { metricKey, min, max, zeroBased: min === 0 || max === 0, bars };
}

export interface AxisLabel {
  text: string;
  /** Centre of the label, on the canvas. */
  x: number;
  /** 0: the upper line of labels, 1: the lower one (labels alternate when they would touch). */
  line: 0 | 1;
}

/**
 * Axis titles of the parallel coordinates, placed so none overlaps another: each is cut to the
 * room it has (its own gap, or two gaps when labels alternate between two lines), measured with
 * the canvas's own font (`measure`).
 */
export function layoutAxisLabels(keys: readonly string[], xs: readonly number[], measure: (text: string) => number): AxisLabel[] {
  const gap = xs.length > 1 ? Math.min(...xs.slice(1).map((x, i) => x - xs[i]!)) : Infinity;
  const fits = (text: string, room: number): string => {
    if (measure(text) <= room) return text;
    let cut = text;
    while (cut.length > 1 && measure(`${cut}…`) > room) cut = cut.slice(0, -1);
    return `${cut}…`;
  };
  const oneLine = keys.every((k) => measure(k) <= gap - 6);
  return keys.map((key, i) => ({ text: fits(key, (oneLine ? gap : 2 * gap) - 6), x: xs[i]!, line: oneLine ? 0 : ((i % 2) as 0 | 1) }));
}

/**
 * The metrics whose history is charted first: the per-fold ones (a step per fold), then the others
 * that can change over steps; spreads, baselines and cross-validated means are one value per run.
 */
export function defaultHistoryMetrics(keys: readonly string[], count = 5): string[] {
  const folds = keys.filter((k) => metricMeaning(k).kind === 'fold');
  // A cross-validated mean (its folds were logged as cv_<key>) is one value: its folds are its history.
  const rest = keys.filter((k) => !['fold', 'spread', 'baseline'].includes(metricMeaning(k).kind) && !keys.includes(`cv_${k}`));
  return [...folds, ...rest].slice(0, count);
}

/** True when no run has more than one point: a "history" chart would be empty, so the panel says so instead. */
export function singleValued(data: AlignedHistories): boolean {
  return data.series.every((ys) => ys.filter((y) => y !== null).length <= 1);
}

/** Keys that take more than one value across the runs: the interesting axes. */
export function varyingParams(runs: readonly CompareRun[]): string[] {
  const keys = new Set<string>();
  for (const r of runs) for (const p of r.params) keys.add(p.key);
  return [...keys].filter((k) => new Set(runs.map((r) => r.params.find((p) => p.key === k)?.value ?? '\u0000')).size > 1).sort((a, b) => a.localeCompare(b));
}

export function metricKeys(runs: readonly CompareRun[]): string[] {
  const keys = new Set<string>();
  for (const r of runs) for (const m of r.metrics) keys.add(m.key);
  return [...keys].sort((a, b) => a.localeCompare(b));
}
