import type { Binned } from '../../ml/drift/binning';
import type { ColumnDrift } from '../../ml/drift/column-drift';
import { P_VALUE_TESTS, TEST_LABELS } from '../../ml/drift/column-drift';
import type { DataCheck } from './data-checks';
import type { DataValidationReport } from './data-validation';
import type { InferenceTestReport } from './inference-test';
import type { PipelineReport, StepName, StepRecord } from './pipeline-report';
import { STEP_TITLES } from './pipeline-report';

/** The pipeline report as Markdown: a summary, the steps, then each step's checks; drift with a histogram pair per column. */

const MARK: Record<string, string> = {
  pass: '✅ pass',
  fail: '❌ fail',
  warn: '⚠️ warn',
  skipped: '⏭ skipped',
  passed: '✅ passed',
  failed: '❌ failed',
  'not run': '— not run',
};
const BARS = '▁▂▃▄▅▆▇█';

/** Text from data (column names, values, paths) in a table cell: no HTML, no column breaks. */
export function cell(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function fmt(x: number | undefined): string {
  if (x === undefined || Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  return x === 0 || (Math.abs(x) >= 1e-4 && Math.abs(x) < 1e6) ? String(Number(x.toPrecision(4))) : x.toExponential(2);
}

export function duration(step: { startTime?: number; endTime?: number }): string {
  if (step.startTime === undefined || step.endTime === undefined) return '—';
  const s = (step.endTime - step.startTime) / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** Two sparklines on one scale: the reference's shares and the current sample's. */
export function sparklines(h: Binned): { reference: string; current: string } {
  const shown = limitBins(h);
  const max = Math.max(...shown.reference, ...shown.current, 1e-12);
  const line = (xs: number[]): string => xs.map((x) => (x <= 0 ? ' ' : BARS[Math.min(BARS.length - 1, Math.floor((x / max) * BARS.length))])).join('');
  return { reference: line(shown.reference), current: line(shown.current) };
}

/** At most 12 category bins (the reference's most frequent first); numeric bins as they are. */
export function limitBins(h: Binned, max = 12): Binned {
  if (h.ranges || h.labels.length <= max) return h;
  return { ...h, labels: h.labels.slice(0, max), reference: h.reference.slice(0, max), current: h.current.slice(0, max) };
}

function table(headers: string[], rows: string[][]): string[] {
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

function stepTable(steps: StepRecord[]): string[] {
  return table(
    ['Step', 'Status', 'Duration', 'Run', 'Summary'],
    steps.map((s, i) => [`${i + 1}. ${STEP_TITLES[s.step]}`, MARK[s.status]!, duration(s), s.runId ? `\`${s.runId}\`` : '—', cell(s.summary)]),
  );
}

const ORDER: Record<string, number> = { fail: 0, warn: 1, skipped: 2, pass: 3 };

/** Failures first, then warnings, skipped checks and passes (each group in the order run). */
export function byOutcome(checks: readonly DataCheck[]): DataCheck[] {
  return [...checks].sort((a, b) => (ORDER[a.outcome] ?? 9) - (ORDER[b.outcome] ?? 9));
}

function checkTable(checks: DataCheck[]): string[] {
  return table(
    ['Test', 'Column', 'Result', 'Expected', 'Actual', 'Details'],
    byOutcome(checks).map((c) => [
      cell(c.test),
      c.column ? `\`${cell(c.column)}\`` : '',
      MARK[c.outcome]!,
      cell(c.expected),
      cell(c.actual),
      cell(c.outcome === 'pass' ? '' : c.message),
    ]),
  );
}

export function driftRow(d: ColumnDrift): string[] {
  const lines = sparklines(d.histogram);
  return [
    `\`${cell(d.column)}\``,
    TEST_LABELS[d.test],
    fmt(d.statistic),
    P_VALUE_TESTS.has(d.test) ? `p = ${fmt(d.score)}` : fmt(d.score),
    P_VALUE_TESTS.has(d.test) ? `p < ${fmt(d.threshold)}` : `≥ ${fmt(d.threshold)}`,
    d.drifted ? '**drifted**' : 'no',
    `${fmt(d.psi)} (${d.psiBand})`,
    `\`${lines.reference}\``,
    `\`${lines.current}\``,
  ];
}

function dataSection(v: DataValidationReport): string[] {
  const out = [`## 1. ${STEP_TITLES.data_validation}`, ''];
  out.push(
    `New data: \`${cell(v.data.path)}\` — ${v.data.rows} rows, ${v.data.columns} columns, digest \`${v.data.digest || '—'}\`, target \`${cell(v.target)}\`.`,
  );
  out.push(
    v.reference
      ? `Schema reference: ${cell(v.reference.name)} version ${v.reference.version} (${v.reference.stage}).`
      : 'Schema reference: none (the model has no version yet): only the pipeline file’s expectations apply.',
  );
  out.push('', ...checkTable(v.checks), '');
  if (v.drift) {
    const d = v.drift;
    out.push(`### Drift against Production version ${v.driftReference?.version} (${d.referenceRows} training rows)`, '');
    out.push(
      `${d.drifted} of ${d.total} columns drifted; the dataset drifts when at least ${fmt(d.shareThreshold * 100)}% do: **${d.datasetDrifted ? 'dataset drift' : 'no dataset drift'}**. Tests as Evidently's defaults: ≤ 1,000 reference values KS / chi-squared at p < 0.05, above that Wasserstein (normed) / Jensen–Shannon at 0.1. PSI: < 0.1 stable, 0.1–0.2 moderate, > 0.2 significant.`,
      '',
    );
    out.push(...table(['Column', 'Test', 'Statistic', 'Score', 'Drift when', 'Drift', 'PSI', 'Training', 'New data'], d.columns.map(driftRow)));
    for (const s of d.skipped) out.push(`- \`${cell(s.column)}\`: not tested (${cell(s.reason)})`);
    out.push('');
  }
  return out;
}

function inferenceSection(r: InferenceTestReport): string[] {
  const out = [`## 4. ${STEP_TITLES.inference_test}`, '', `Loaded \`${r.uri}\` (version ${r.version}) and scored ${r.rows} rows of \`${cell(r.data)}\`.`, ''];
  out.push(...checkTable(r.checks));
  if (r.classCounts)
    out.push(
      '',
      `Predicted classes: ${Object.entries(r.classCounts)
        .map(([k, v]) => `${cell(k)} ${v}`)
        .join(', ')}.`,
    );
  if (r.range) out.push('', `Predictions range over [${fmt(r.range.min)}, ${fmt(r.range.max)}].`);
  return [...out, ''];
}

function trainingSection(r: PipelineReport): string[] {
  if (!r.training) return [];
  return [
    `## 2. ${STEP_TITLES.train}`,
    '',
    `Run \`${r.training.runId}\`, params from ${cell(r.training.from)}, seed ${r.training.seed}.`,
    '',
    ...table(
      ['Metric', 'Value'],
      Object.entries(r.training.metrics)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [cell(k), fmt(v)]),
    ),
    '',
  ];
}

function validationSection(r: PipelineReport): string[] {
  const v = r.validation;
  if (!v) return [];
  return [
    `## 3. ${STEP_TITLES.validate}`,
    '',
    `Version ${v.version}: ${v.passed ? 'every gate passed' : 'a gate failed'} (${v.fromStage} → ${v.toStage}); ${v.baseline ? `compared with Production version ${v.baseline.version}` : 'no Production version to compare with'}.`,
    '',
    ...table(
      ['Gate', 'Result', 'Expected', 'Actual', 'Details'],
      v.gates.map((g) => [cell(g.name), MARK[g.outcome]!, cell(g.expected), cell(g.actual), cell(g.outcome === 'pass' ? '' : g.message)]),
    ),
    '',
  ];
}

/** One step's section (each step's run carries its own as an artifact). */
export function stepMarkdown(r: PipelineReport, step: StepName): string {
  const lines =
    step === 'data_validation'
      ? dataSection(r.dataValidation)
      : step === 'train'
        ? trainingSection(r)
        : step === 'validate'
          ? validationSection(r)
          : r.inference
            ? inferenceSection(r.inference)
            : [];
  return `${lines.join('\n').trimEnd()}\n`;
}

export function renderMarkdown(r: PipelineReport): string {
  const title = r.dryRun
    ? 'dry run'
    : r.outcome === 'staging'
      ? 'promoted to Staging'
      : r.outcome === 'data_invalid'
        ? 'stopped at data validation'
        : 'failed its gates';
  const out = [`# Retraining pipeline: ${cell(r.model)} — ${title} (exit ${r.exitCode})`, '', cell(r.summary), ''];
  out.push(`- Pipeline file: ${r.file ? `\`${cell(r.file)}\`` : '— (`modelops retrain` defaults)'}`, `- Dataset: \`${cell(r.dataset)}\``);
  if (r.pipelineRunId) out.push(`- Pipeline run: \`${r.pipelineRunId}\` (experiment ${r.experimentId})`);
  out.push(`- Started ${new Date(r.startedAt).toISOString()}, took ${duration({ startTime: r.startedAt, endTime: r.endedAt })}`, '');
  out.push(...stepTable(r.steps), '', ...dataSection(r.dataValidation), ...trainingSection(r), ...validationSection(r));
  if (r.inference) out.push(...inferenceSection(r.inference));
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
