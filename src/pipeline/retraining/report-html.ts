import type { Binned } from '../../ml/drift/binning';
import type { ColumnDrift } from '../../ml/drift/column-drift';
import { P_VALUE_TESTS, TEST_LABELS } from '../../ml/drift/column-drift';
import type { DataCheck } from './data-checks';
import type { PipelineReport } from './pipeline-report';
import { STEP_TITLES } from './pipeline-report';
import { byOutcome, duration, fmt, limitBins } from './report-markdown';

/**
 * The pipeline report as one self-contained HTML page: no script, no remote resource (its CSP
 * says so), every text from the data escaped; each drift row has a small SVG histogram pair.
 */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const BADGE: Record<string, string> = { pass: 'pass', passed: 'pass', fail: 'fail', failed: 'fail', warn: 'warn', skipped: 'skip', 'not run': 'skip' };

function badge(outcome: string): string {
  return `<span class="badge ${BADGE[outcome] ?? 'skip'}">${esc(outcome)}</span>`;
}

function tableHtml(headers: string[], rows: string[][]): string {
  return `<table><thead><tr>${headers.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

/** Training shares above the axis, new-data shares below it, on one scale. */
export function histogramSvg(h: Binned, label: string): string {
  const shown = limitBins(h);
  const n = shown.labels.length;
  const w = n <= 12 ? 10 : 4;
  const gap = n <= 12 ? 2 : 1;
  const half = 22;
  const width = n * (w + gap);
  const max = Math.max(...shown.reference, ...shown.current, 1e-12);
  const bars = shown.labels.map((binLabel, i) => {
    const x = i * (w + gap);
    const up = (shown.reference[i]! / max) * half;
    const down = (shown.current[i]! / max) * half;
    const title = `${binLabel}: training ${(shown.reference[i]! * 100).toFixed(1)}%, new ${(shown.current[i]! * 100).toFixed(1)}%`;
    return `<g><title>${esc(title)}</title><rect class="ref" x="${x}" y="${(half - up).toFixed(2)}" width="${w}" height="${up.toFixed(2)}"/><rect class="cur" x="${x}" y="${half + 1}" width="${w}" height="${down.toFixed(2)}"/></g>`;
  });
  return `<svg class="hist" role="img" aria-label="${esc(label)}" width="${width}" height="${2 * half + 1}" viewBox="0 0 ${width} ${2 * half + 1}">${bars.join('')}<line x1="0" x2="${width}" y1="${half + 0.5}" y2="${half + 0.5}" class="axis"/></svg>`;
}

function checksHtml(checks: DataCheck[]): string {
  return tableHtml(
    ['Test', 'Column', 'Result', 'Expected', 'Actual', 'Details'],
    byOutcome(checks).map((c) => [
      esc(c.test),
      c.column ? `<code>${esc(c.column)}</code>` : '',
      badge(c.outcome),
      esc(c.expected),
      esc(c.actual),
      c.outcome === 'pass' ? '' : esc(c.message),
    ]),
  );
}

function driftRowHtml(d: ColumnDrift): string[] {
  const p = P_VALUE_TESTS.has(d.test);
  return [
    `<code>${esc(d.column)}</code>`,
    esc(TEST_LABELS[d.test]),
    esc(fmt(d.statistic)),
    esc(p ? `p = ${fmt(d.score)}` : fmt(d.score)),
    esc(p ? `p < ${fmt(d.threshold)}` : `≥ ${fmt(d.threshold)}`),
    d.drifted ? badge('fail').replace('>fail<', '>drifted<') : badge('pass').replace('>pass<', '>no<'),
    esc(`${fmt(d.psi)} (${d.psiBand})`),
    histogramSvg(d.histogram, `${d.column}: training (above) and new data (below)`),
  ];
}

function dataHtml(r: PipelineReport): string {
  const v = r.dataValidation;
  const parts = [
    `<h2>1. ${esc(STEP_TITLES.data_validation)}</h2>`,
    `<p>New data <code>${esc(v.data.path)}</code>: ${v.data.rows} rows, ${v.data.columns} columns, target <code>${esc(v.target)}</code>. ${v.reference ? `Schema reference: ${esc(v.reference.name)} version ${esc(v.reference.version)} (${esc(v.reference.stage)}).` : 'No schema reference yet.'}</p>`,
    checksHtml(v.checks),
  ];
  if (v.drift) {
    const d = v.drift;
    parts.push(`<h3>Drift against Production version ${esc(v.driftReference?.version ?? '?')}</h3>`);
    parts.push(
      `<p>${d.drifted} of ${d.total} columns drifted (the dataset drifts at ≥ ${fmt(d.shareThreshold * 100)}%): <strong>${d.datasetDrifted ? 'dataset drift' : 'no dataset drift'}</strong>. Histograms: training above the line, new data below.</p>`,
    );
    parts.push(tableHtml(['Column', 'Test', 'Statistic', 'Score', 'Drift when', 'Drift', 'PSI', 'Histograms'], d.columns.map(driftRowHtml)));
    if (d.skipped.length) parts.push(`<ul>${d.skipped.map((s) => `<li><code>${esc(s.column)}</code>: not tested (${esc(s.reason)})</li>`).join('')}</ul>`);
  }
  return parts.join('\n');
}

function laterStepsHtml(r: PipelineReport): string {
  const parts: string[] = [];
  if (r.training) {
    parts.push(
      `<h2>2. ${esc(STEP_TITLES.train)}</h2><p>Run <code>${esc(r.training.runId)}</code>, params from ${esc(r.training.from)}, seed ${r.training.seed}.</p>`,
    );
    parts.push(
      tableHtml(
        ['Metric', 'Value'],
        Object.entries(r.training.metrics)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, x]) => [esc(k), esc(fmt(x))]),
      ),
    );
  }
  if (r.validation) {
    const v = r.validation;
    parts.push(
      `<h2>3. ${esc(STEP_TITLES.validate)}</h2><p>Version ${esc(v.version)}: ${v.passed ? 'every gate passed' : 'a gate failed'} (${esc(v.fromStage)} → ${esc(v.toStage)}).</p>`,
    );
    parts.push(
      tableHtml(
        ['Gate', 'Result', 'Expected', 'Actual', 'Details'],
        v.gates.map((g) => [esc(g.name), badge(g.outcome), esc(g.expected), esc(g.actual), g.outcome === 'pass' ? '' : esc(g.message)]),
      ),
    );
  }
  if (r.inference) {
    parts.push(
      `<h2>4. ${esc(STEP_TITLES.inference_test)}</h2><p>Loaded <code>${esc(r.inference.uri)}</code> (version ${esc(r.inference.version)}), scored ${r.inference.rows} rows.</p>`,
      checksHtml(r.inference.checks),
    );
  }
  return parts.join('\n');
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1f2328;background:#fff}h1{font-size:1.5rem}table{border-collapse:collapse;margin:.5rem 0 1.2rem}th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:#f6f8fa}code{font:12px ui-monospace,monospace}.badge{padding:0 .4rem;border-radius:.6rem;font-size:12px}.pass{background:#dafbe1}.fail{background:#ffebe9}.warn{background:#fff8c5}.skip{background:#eaeef2}.hist .ref{fill:#8c959f}.hist .cur{fill:#0969da}.hist .axis{stroke:#57606a;stroke-width:.5}@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}th{background:#161b22}th,td{border-color:#30363d}.pass{background:#1b4721}.fail{background:#5d1a1a}.warn{background:#4b3b00}.skip{background:#30363d}}`;

export function renderHtml(r: PipelineReport): string {
  const steps = tableHtml(
    ['Step', 'Status', 'Duration', 'Run', 'Summary'],
    r.steps.map((s, i) => [
      `${i + 1}. ${esc(STEP_TITLES[s.step])}`,
      badge(s.status),
      esc(duration(s)),
      s.runId ? `<code>${esc(s.runId)}</code>` : '—',
      esc(s.summary),
    ]),
  );
  const head = `<meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"><title>Retraining pipeline: ${esc(r.model)}</title><style>${STYLE}</style>`;
  const intro = `<h1>Retraining pipeline: ${esc(r.model)} — exit ${r.exitCode}</h1><p>${esc(r.summary)}</p><p>Pipeline file: ${r.file ? `<code>${esc(r.file)}</code>` : '— (modelops retrain defaults)'} · dataset <code>${esc(r.dataset)}</code>${r.pipelineRunId ? ` · run <code>${esc(r.pipelineRunId)}</code>` : ''} · ${esc(duration({ startTime: r.startedAt, endTime: r.endedAt }))}</p>`;
  return `<!doctype html>\n<html lang="en"><head>${head}</head><body>${intro}${steps}${dataHtml(r)}${laterStepsHtml(r)}</body></html>\n`;
}
