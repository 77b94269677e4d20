/** Number and text formatting shared by the panels' view models (no DOM). */
import type { WideNumber } from './validate';

/** Six significant digits, no trailing zeros; null (NaN in the store) shows as an em dash. */
export function formatNumber(value: number | null): string {
  if (value === null) return '—';
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e9)) return value.toExponential(3);
  return String(Number(value.toPrecision(6)));
}

/** A value that may be infinite (an Optuna trial's): ±∞ spelled out, the rest as formatNumber. */
export function formatWide(value: WideNumber | null): string {
  if (value === 'inf') return '∞';
  if (value === '-inf') return '−∞';
  return formatNumber(value);
}

/** A signed delta: `+0.0123`, `-2`, `±0`. */
export function formatDelta(delta: number | null): string {
  if (delta === null) return '—';
  if (delta === 0) return '±0';
  return (delta > 0 ? '+' : '') + formatNumber(delta);
}

/** Metrics whose name says they are losses or errors are minimised; everything else maximised. */
export function metricGoal(key: string): 'maximize' | 'minimize' {
  return /(loss|error|err\b|mse|rmse|mae|mape|deviance|perplexity|time|latency|duration)/i.test(key) ? 'minimize' : 'maximize';
}
