// Pure formatting of runs for the tree (no vscode import, so it is unit-testable in plain Node).
import type { Run, RunStatus } from '../../core/tracking';
import { TAG } from '../../core/tracking';
import { ORPHAN_TAG } from '../../store/run-owner';
import { isBetter, metricMeaning } from '../../core/metric-meaning';

export function runLabel(run: Run): string {
  return run.info.runName || run.data.tags.find((t) => t.key === TAG.runName)?.value || run.info.runId.slice(0, 8);
}

export function parentRunId(run: Run): string | undefined {
  return run.data.tags.find((t) => t.key === TAG.parentRunId)?.value;
}

export function metricValue(run: Run, key: string): number | undefined {
  return run.data.metrics.find((m) => m.key === key)?.value;
}

/** `accuracy 0.9533`; NaN and missing are said as such. */
export function formatMetric(key: string, value: number | undefined): string {
  if (value === undefined) return '';
  if (Number.isNaN(value)) return `${key} NaN`;
  const abs = Math.abs(value);
  const text = Number.isInteger(value) && abs < 1e6 ? String(value) : abs !== 0 && (abs < 1e-3 || abs >= 1e6) ? value.toExponential(3) : value.toFixed(4);
  return `${key} ${text}`;
}

/**
 * The description beside a run: its primary metric (flagged when it is not better than the
 * baseline logged beside it), else its status when not finished.
 */
export function runDescription(run: Run, primaryMetric: string): string {
  const value = metricValue(run, primaryMetric);
  const base = metricMeaning(primaryMetric).kind === 'score' ? metricValue(run, `baseline_${primaryMetric}`) : undefined;
  const below = value !== undefined && base !== undefined && Number.isFinite(value) && !isBetter(primaryMetric, value, base);
  const m = `${formatMetric(primaryMetric, value)}${below ? ` (baseline ${formatMetric('', base).trim()})` : ''}`;
  if (run.info.status === 'FINISHED') return m;
  return m ? `${m} · ${run.info.status.toLowerCase()}` : run.info.status.toLowerCase();
}

/**
 * `run.model` for a finished run that logged a model (Register, Train Again are offered on it),
 * `run.study` for a tuning study's run (Open Study is offered on it), `run` for any other: a KILLED or FAILED run has no model to register.
 */
export function runContextValue(run: Run, deleted: boolean): string {
  if (deleted) return 'run.deleted';
  if (run.info.status === 'FINISHED' && run.data.tags.some((t) => t.key === TAG.loggedModels)) return 'run.model';
  return studyOfRun(run) !== undefined ? 'run.study' : 'run';
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

/** `2026-12-01 10:00:00 UTC`, or `invalid time` for what no Date can hold (a start time of 9e15 ms). */
export function formatUtc(ms: number): string {
  const d = new Date(ms);
  return Number.isFinite(d.getTime()) ? `${d.toISOString().replace('T', ' ').slice(0, 19)} UTC` : 'invalid time';
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

/** Rows per table in a run's tooltip. */
export const TOOLTIP_ROWS = 15;

/** Markdown for the tooltip: identity, timing, then params and metrics as tables. */
export function runTooltipMarkdown(run: Run): string {
  const lines = [`**${escapeMd(runLabel(run))}**`, '', `Run \`${run.info.runId}\` · ${run.info.status}`];
  const took = run.info.endTime ? ` · ${formatDuration(run.info.endTime - run.info.startTime)}` : '';
  lines.push('', `Started ${formatUtc(run.info.startTime)}${took}`);
  const orphaned = run.data.tags.find((t) => t.key === ORPHAN_TAG)?.value;
  if (orphaned) lines.push('', escapeMd(orphaned));
  const parent = parentRunId(run);
  if (parent) lines.push('', `Parent run \`${parent}\``);
  const trial = run.data.tags.find((t) => t.key === 'modelops.trial')?.value;
  const study = run.data.tags.find((t) => t.key === 'modelops.study')?.value;
  if (trial !== undefined && study !== undefined)
    lines.push('', `Trial ${escapeMd(trial)} of study ${escapeMd(study)} · ${(trialState(run) ?? 'running').toLowerCase()}`);
  const table = (title: string, rows: [string, string][]): void => {
    if (rows.length === 0) return;
    // A hover cannot scroll: past a screenful, say how many more and where they are.
    const shown = rows.slice(0, TOOLTIP_ROWS);
    lines.push('', `| ${title} | |`, '|---|---|', ...shown.map(([k, v]) => `| ${escapeMd(k)} | ${escapeMd(v)} |`));
    if (rows.length > shown.length) lines.push('', `…and ${rows.length - shown.length} more ${title.toLowerCase()}: expand the run or open its page.`);
  };
  table(
    'Params',
    [...run.data.params].sort((a, b) => a.key.localeCompare(b.key)).map((p) => [p.key, p.value]),
  );
  table(
    'Metrics',
    [...run.data.metrics].sort((a, b) => a.key.localeCompare(b.key)).map((m) => [m.key, formatMetric('', m.value).trim()]),
  );
  return lines.join('\n');
}

/** Codicon and theme colour per status. */
/** The study a tuning study's own run holds (its trials are nested under it), else undefined. */
export function studyOfRun(run: Run): string | undefined {
  const tag = (key: string) => run.data.tags.find((t) => t.key === key)?.value;
  return tag('modelops.trial') === undefined && parentRunId(run) === undefined ? tag('modelops.study') : undefined;
}

/** A tuning trial's state as the tuner tagged it when the trial ended (undefined for other runs or while it runs). */
export function trialState(run: Run): 'COMPLETE' | 'PRUNED' | 'FAIL' | undefined {
  const v = run.data.tags.find((t) => t.key === 'modelops.trial_state')?.value;
  return v === 'COMPLETE' || v === 'PRUNED' || v === 'FAIL' ? v : undefined;
}

/** True when `run` is the trial its study's run (`parent`) names as the best. */
export function isBestTrial(parent: Run, run: Run): boolean {
  const best = parent.data.tags.find((t) => t.key === 'modelops.best_trial')?.value;
  const trial = run.data.tags.find((t) => t.key === 'modelops.trial')?.value;
  return best !== undefined && best !== '' && best === trial && trialState(run) === 'COMPLETE';
}

/** A pruned trial ended FINISHED in MLflow terms: it must not look like a complete one. */
export const PRUNED_ICON = { icon: 'filter', color: 'testing.iconSkipped' };
export const BEST_TRIAL_ICON = { icon: 'star-full', color: 'charts.yellow' };

/** The tree's icon for a run: its status, except for pruned and best trials. */
export function runIcon(run: Run, best: boolean): { icon: string; color?: string } {
  if (best) return BEST_TRIAL_ICON;
  if (trialState(run) === 'PRUNED') return PRUNED_ICON;
  return STATUS_ICON[run.info.status];
}

/** The description of a trial says pruned or best beside its metric. */
export function trialDescription(run: Run, primaryMetric: string, best: boolean): string {
  const base = runDescription(run, primaryMetric);
  const mark = best ? 'best trial' : trialState(run) === 'PRUNED' ? 'pruned' : '';
  return mark ? (base ? `${base} · ${mark}` : mark) : base;
}

export const STATUS_ICON: Record<RunStatus, { icon: string; color?: string }> = {
  FINISHED: { icon: 'pass', color: 'testing.iconPassed' },
  FAILED: { icon: 'error', color: 'testing.iconFailed' },
  RUNNING: { icon: 'sync~spin' },
  SCHEDULED: { icon: 'clock' },
  KILLED: { icon: 'circle-slash', color: 'disabledForeground' },
};
