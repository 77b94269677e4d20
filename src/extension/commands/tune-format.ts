// Pure formatting of tuning trials for the progress notification and the output channel (no vscode
// import, so it is unit-testable in plain Node).
import type { FrozenTrial, ParamValue } from '../../core/tuning';

/** Up to 4 decimals without trailing zeros: a notification line has little room. */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(3);
  return String(Number(value.toFixed(4)));
}

/**
 * The progress line after a trial of this session: `trial 7/20: accuracy 0.79, best 0.81`.
 * `done` counts this session's trials (a resumed study's trial numbers go on from earlier sessions).
 */
export function trialProgress(done: number, total: number, trial: FrozenTrial, best: FrozenTrial | undefined, metric: string): string {
  const bestText = best?.value === undefined ? '' : `, best ${formatValue(best.value)}`;
  const head = `trial ${done}/${total}`;
  switch (trial.state) {
    case 'COMPLETE':
      return `${head}: ${metric} ${trial.value === undefined ? '?' : formatValue(trial.value)}${bestText}`;
    case 'PRUNED':
      return `${head}: pruned${trial.value === undefined ? '' : ` at ${metric} ${formatValue(trial.value)}`}${bestText}`;
    default:
      return `${head}: ${trial.state.toLowerCase()}${bestText}`;
  }
}

function paramText(params: Record<string, ParamValue>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${v === null ? 'none' : String(v)}`)
    .join(' ');
}

/** The structured fields of a trial's line in the output channel (all of it, as the CLI prints). */
export function trialLogFields(study: string, trial: FrozenTrial, best: FrozenTrial | undefined, metric: string): Record<string, unknown> {
  return {
    study,
    trial: trial.number,
    state: trial.state.toLowerCase(),
    [metric]: trial.value,
    best: best?.number === trial.number ? true : undefined,
    params: paramText(trial.params),
    run: trial.runId,
  };
}
