/**
 * Promotion review panel: candidate vs current Production. Approve / Reject send a request; the
 * host runs the same registered command as the tree's context menu and answers with the outcome.
 */
import '../styles/common.css';
import '../styles/promotion.css';
import type { DatasetLineage, PromotionReview, PromotionState, ReviewSide, ValidationReport } from '../../../src/shared/promotion-protocol';
import { promotionContract } from '../../../src/shared/promotion-protocol';
import { decisionProblem, gateSummary, metricRows, signatureDiff } from '../../../src/shared/promotion-view';
import { formatDelta, formatNumber } from '../../../src/shared/format';
import { isBetter, metricLabel, metricMeaning } from '../../../src/core/metric-meaning';
import { validationOutcomeText } from '../../../src/registry/report';
import { WebviewChannel, vscodeApi } from '../common/channel';
import { append, clear, el, setStatus } from '../common/dom';
import { chartTheme } from '../common/theme';
import { button, progressRing, registerToolkit, setDisabled, textArea } from '../toolkit/components';

registerToolkit();
const api = vscodeApi();
let state: PromotionState = { status: 'loading', review: null };
let busy = false;

const status = el('div', { className: 'status', attrs: { role: 'status', 'aria-live': 'polite', 'data-testid': 'status' } });
const channel = new WebviewChannel(promotionContract, api, (message) =>
  setStatus(status, `Ignored a malformed message from the extension: ${message}`, 'error'),
);
const root = el('main', { attrs: { 'data-testid': 'promotion-root' } });
document.body.append(root);

function versionLabel(side: ReviewSide | null): string {
  return side ? `v${side.version.version} (${side.version.stage})` : 'none';
}

function gateBadge(review: PromotionReview): HTMLElement {
  const summary = gateSummary(review);
  // No metric gate configured is not a success: say so, in no colour.
  if (summary.total === 0) return el('span', { className: 'badge', attrs: { 'data-testid': 'gate-badge' } }, ' no metric gates configured');
  return el(
    'span',
    { className: summary.failed ? 'badge fail' : 'badge pass', attrs: { 'data-testid': 'gate-badge' } },
    ` ${summary.passed}/${summary.total} metric gates met`,
  );
}

function metricsTable(review: PromotionReview): HTMLElement {
  const rows = metricRows(review);
  const withBaseline = rows.some((r) => r.noSkill !== undefined);
  const keys = rows.map((r) => r.key);
  const headers = [
    'Metric',
    `Candidate ${versionLabel(review.candidate)}`,
    ...(withBaseline ? ['Baseline (majority class / mean)'] : []),
    `Production ${versionLabel(review.production)}`,
    'Δ',
    'Gate',
  ];
  const baselineCell = (r: (typeof rows)[number]): HTMLElement | null => {
    if (!withBaseline) return null;
    if (r.noSkill === undefined) return el('td', { className: 'num' }, '—');
    const below = r.candidate !== null && metricMeaning(r.key).kind === 'score' && !isBetter(r.key, r.candidate, r.noSkill);
    return el(
      'td',
      { className: below ? 'num below-baseline fail' : 'num' },
      formatNumber(r.noSkill),
      below ? el('span', { className: 'detail' }, ' candidate not better') : null,
    );
  };
  return el(
    'section',
    { attrs: { 'aria-label': 'Metrics' } },
    el('h2', {}, 'Metrics', gateBadge(review)),
    el(
      'table',
      { className: 'review-table', attrs: { 'data-testid': 'metrics' } },
      el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', { attrs: { scope: 'col' } }, h)))),
      el(
        'tbody',
        {},
        ...rows.map((r) =>
          el(
            'tr',
            { attrs: { 'data-key': r.key } },
            el(
              'th',
              { attrs: { scope: 'row', title: r.key } },
              metricLabel(r.key, keys),
              el('span', { className: 'goal' }, r.goal === 'maximize' ? ' ↑' : ' ↓'),
            ),
            el('td', { className: 'num' }, formatNumber(r.candidate)),
            baselineCell(r),
            el('td', { className: 'num' }, formatNumber(r.production)),
            el('td', { className: `num trend-${r.trend}` }, formatDelta(r.delta), el('span', { className: 'sr-only' }, ` (${r.trend})`)),
            el(
              'td',
              { className: r.gate ? (r.gate.passed ? 'gate pass' : 'gate fail') : 'gate' },
              r.gate ? `${r.gate.passed ? '✓ met' : '✗ missed'}: ${r.gate.rule}` : '—',
              r.gate ? el('div', { className: 'detail' }, r.gate.detail) : null,
            ),
          ),
        ),
      ),
    ),
  );
}

/** The candidate against the majority-class / mean baseline, said above everything else when it loses. */
function noSkillBanner(review: PromotionReview): HTMLElement | null {
  const v = review.noSkill;
  if (!v) return null;
  const name = (k: string) => metricMeaning(k).displayName;
  const v1 = `v${review.candidate.version.version}`;
  const others = (v.losing ?? []).map((l) => `${name(l.key)} ${formatNumber(l.candidate)} is below the baseline's ${formatNumber(l.noSkill)}`);
  if (v.beats && others.length === 0)
    return el(
      'p',
      { className: 'banner pass', attrs: { 'data-testid': 'baseline-banner' } },
      `✓ ${v1} beats the majority-class / mean baseline: ${name(v.metric)} ${formatNumber(v.candidate)} against ${formatNumber(v.noSkill)} (${v.source}).`,
    );
  const head = v.beats
    ? `⚠ ${v1} beats the baseline on ${name(v.metric)} (${formatNumber(v.candidate)} against ${formatNumber(v.noSkill)}), but ${others.join('; ')}.`
    : `✗ ${v1} does not beat the majority-class / mean baseline: ${name(v.metric)} ${formatNumber(v.candidate)} against ${formatNumber(v.noSkill)} (${v.source})${others.length ? `; ${others.join('; ')}` : ''}.`;
  return el(
    'div',
    { className: `banner ${v.beats ? 'warn' : 'fail'}`, attrs: { 'data-testid': 'baseline-banner', role: 'note' } },
    el('p', {}, head),
    v.reason ? el('p', { className: 'detail' }, `The comparison uses ${name(v.metric)}: ${v.reason}.`) : null,
  );
}

function signatureSection(review: PromotionReview): HTMLElement {
  const rows = signatureDiff(review.candidate.signature, review.production?.signature ?? null);
  const changed = rows.filter((r) => r.change !== 'same').length;
  // "Unchanged" needs something to compare with.
  const badge = !review.production
    ? el('span', { className: 'badge', attrs: { 'data-testid': 'signature-badge' } }, ' no Production version to compare with')
    : el(
        'span',
        { className: changed ? 'badge warn' : 'badge pass', attrs: { 'data-testid': 'signature-badge' } },
        changed ? ` ${changed} changed` : ' unchanged',
      );
  return el(
    'section',
    { attrs: { 'aria-label': 'Signature' } },
    el('h2', {}, 'Signature', badge),
    rows.length === 0
      ? el('p', { className: 'empty' }, 'Neither version has a signature.')
      : el(
          'table',
          { className: 'review-table', attrs: { 'data-testid': 'signature' } },
          el('thead', {}, el('tr', {}, ...['', 'Column', 'Candidate', 'Production', 'Change'].map((h) => el('th', { attrs: { scope: 'col' } }, h)))),
          el(
            'tbody',
            {},
            ...rows.map((r) =>
              el(
                'tr',
                { className: `change-${r.change.replace(' ', '-')}` },
                el('td', {}, r.section),
                el('th', { attrs: { scope: 'row' } }, r.name),
                el('td', {}, r.candidate ?? '—'),
                el('td', {}, r.production ?? '—'),
                el('td', {}, review.production ? r.change : '—'),
              ),
            ),
          ),
        ),
  );
}

/** What the retraining pipeline's data validation measured: each drifted column with its test, score and threshold. */
function driftText(d: DatasetLineage, drifted: NonNullable<DatasetLineage['drift']>): string {
  const against = d.driftReference ? ` against ${d.driftReference}` : '';
  if (drifted.length === 0) return `no drift detected in ${d.drift?.length ?? 0} column(s)${against}`;
  const items = drifted.map(
    (x) => `${x.column} (${x.test ? `${x.test} ` : ''}${formatNumber(x.score)}${x.threshold !== undefined ? `, threshold ${formatNumber(x.threshold)}` : ''})`,
  );
  return `drift${against} in ${drifted.length} of ${d.drift?.length ?? 0} column(s): ${items.join(', ')}`;
}

function datasetsList(datasets: DatasetLineage[]): HTMLElement {
  if (datasets.length === 0) return el('p', { className: 'empty' }, 'No dataset recorded.');
  return el(
    'ul',
    { className: 'datasets' },
    ...datasets.map((d) => {
      const drifted = d.drift?.filter((x) => x.drifted) ?? [];
      return el(
        'li',
        {},
        el('strong', {}, d.name),
        d.context ? ` (${d.context})` : '',
        el('div', { className: 'detail' }, `digest ${d.digest} · ${d.rows === null ? 'rows unknown' : `${d.rows} rows`} · ${d.source}`),
        d.drift ? el('div', { className: drifted.length ? 'detail warn' : 'detail', attrs: { 'data-testid': 'drift' } }, driftText(d, drifted)) : null,
      );
    }),
  );
}

function importance(side: ReviewSide | null, color: string): HTMLElement {
  const f = side?.featureImportance;
  if (!f) return el('p', { className: 'empty' }, 'Not recorded.');
  const pairs = f.features
    .map((name, i) => ({ name, value: f.importances[i] ?? 0 }))
    .sort((a, b) => b.value - a.value)
    .slice(0, 12);
  const max = Math.max(...pairs.map((p) => p.value), 1e-12);
  return el(
    'ol',
    { className: 'importance' },
    ...pairs.map((p) => {
      const bar = el('span', { className: 'bar', attrs: { 'aria-hidden': 'true' } });
      bar.style.width = `${((p.value / max) * 100).toFixed(1)}%`;
      bar.style.backgroundColor = color;
      return el(
        'li',
        {},
        el('span', { className: 'feature' }, p.name),
        el('span', { className: 'track' }, bar),
        el('span', { className: 'value num' }, p.value.toFixed(3)),
      );
    }),
  );
}

function sideBySide(title: string, review: PromotionReview, render: (side: ReviewSide | null, index: number) => HTMLElement, testId: string): HTMLElement {
  return el(
    'section',
    { attrs: { 'aria-label': title } },
    el('h2', {}, title),
    el(
      'div',
      { className: 'two-columns', attrs: { 'data-testid': testId } },
      el('div', {}, el('h3', {}, `Candidate ${versionLabel(review.candidate)}`), render(review.candidate, 0)),
      el(
        'div',
        {},
        el('h3', {}, `Production ${versionLabel(review.production)}`),
        review.production ? render(review.production, 1) : el('p', { className: 'empty' }, 'No version in Production yet.'),
      ),
    ),
  );
}

function checkItem(c: ValidationReport['checks'][number]): HTMLElement {
  const outcome = c.outcome ?? (c.passed ? 'pass' : 'fail');
  const mark = outcome === 'pass' ? '✓' : outcome === 'fail' ? '✗' : '–';
  return el(
    'li',
    { className: outcome === 'skipped' ? 'skip' : outcome, attrs: { 'data-outcome': outcome } },
    `${mark} ${c.name}${outcome === 'skipped' ? ' (not run)' : ''}`,
    el('div', { className: 'detail' }, c.detail),
  );
}

function validationSection(report: ValidationReport | null): HTMLElement {
  const outcome =
    report?.fromStage !== undefined && report.toStage !== undefined
      ? validationOutcomeText(report.passed, report.fromStage, report.toStage)
      : report?.passed
        ? 'passed'
        : 'failed';
  return el(
    'section',
    { attrs: { 'aria-label': 'Validation report' } },
    el(
      'h2',
      {},
      'Validation report',
      report ? el('span', { className: report.passed ? 'badge pass' : 'badge fail', attrs: { 'data-testid': 'validation-badge' } }, ` ${outcome}`) : null,
    ),
    report
      ? el('ul', { className: 'checks', attrs: { 'data-testid': 'validation' } }, ...report.checks.map(checkItem))
      : el('p', { className: 'empty' }, 'This version has no validation report.'),
  );
}

function decisionSection(review: PromotionReview): HTMLElement {
  const problemText = el('p', { className: 'hint', attrs: { id: 'decision-hint' } });
  let comment = '';
  const approve = button('Approve and promote to Production', () => decide('approve'), { appearance: 'primary', testId: 'approve' });
  const reject = button('Reject', () => decide('reject'), { testId: 'reject' });
  const update = () => {
    const problem = decisionProblem(review, comment);
    problemText.textContent = problem ?? '';
    setDisabled(approve, busy || problem !== null);
    setDisabled(reject, busy || problem !== null);
  };
  const area = textArea(
    'Review comment (required)',
    'Why this version should or should not go to Production',
    (v) => {
      comment = v;
      update();
    },
    'comment',
  );
  area.element.setAttribute('aria-describedby', 'decision-hint');
  function decide(action: 'approve' | 'reject'): void {
    if (decisionProblem(review, comment) !== null || busy) return;
    busy = true;
    update();
    setStatus(status, action === 'approve' ? 'Promoting…' : 'Rejecting…');
    channel.request(action === 'approve' ? 'promotion/approve' : 'promotion/reject', { comment: comment.trim() }).then(
      (r) => {
        busy = false;
        setStatus(status, r.message, r.outcome === 'cancelled' ? 'info' : 'info');
        if (r.outcome !== 'cancelled') area.clear();
        update();
      },
      (e: unknown) => {
        busy = false;
        setStatus(status, e instanceof Error ? e.message : String(e), 'error');
        update();
      },
    );
  }
  update();
  const last = review.decision;
  return el(
    'section',
    { className: 'decision', attrs: { 'aria-label': 'Decision' } },
    el('h2', {}, 'Decision'),
    last
      ? el(
          'p',
          { className: `last-decision ${last.action}`, attrs: { 'data-testid': 'last-decision' } },
          `${last.action === 'approved' ? 'Approved' : 'Rejected'}${last.by ? ` by ${last.by}` : ''} on ${new Date(last.at).toISOString().slice(0, 16).replace('T', ' ')}: `,
          el('q', {}, last.comment),
        )
      : null,
    area.element,
    problemText,
    el('div', { className: 'toolbar' }, approve, reject),
  );
}

function subtitle(review: PromotionReview): string {
  const v = review.candidate.version;
  const from = `from run ${v.runName ?? v.runId}`;
  // After an approval the candidate is Production itself: never "current Production: none".
  if (v.stage === 'Production') {
    const d =
      review.decision?.action === 'approved'
        ? ` · approved${review.decision.by ? ` by ${review.decision.by}` : ''} on ${new Date(review.decision.at).toISOString().slice(0, 16).replace('T', ' ')}`
        : '';
    return `v${v.version} ${from} is the Production version${d}`;
  }
  return `Candidate ${versionLabel(review.candidate)} ${from} · current Production: ${review.production ? versionLabel(review.production) : 'no version in Production yet'}`;
}

function rejectionBanner(review: PromotionReview): HTMLElement | null {
  const r = review.rejection;
  if (!r) return null;
  return el(
    'p',
    { className: 'banner fail', attrs: { 'data-testid': 'rejected' } },
    `Rejected by ${r.by} on ${new Date(r.at).toISOString().slice(0, 16).replace('T', ' ')}: `,
    el('q', {}, r.comment),
    ` It stays in ${review.candidate.version.stage}, marked rejected until it is validated again.`,
  );
}

function render(): void {
  clear(root);
  document.body.dataset.state = state.status;
  if (state.status === 'loading') {
    root.append(
      el('div', { className: 'placeholder', attrs: { 'aria-busy': 'true' } }, progressRing('Loading the review'), el('p', {}, 'Loading the review…')),
      status,
    );
    return;
  }
  if (state.status === 'error' || !state.review) {
    root.append(
      el('div', { className: 'placeholder', attrs: { 'data-testid': 'empty' } }, el('p', {}, state.message ?? 'Nothing to review.')),
      button('Retry', () => channel.notify('promotion/refresh', {})),
      status,
    );
    return;
  }
  const review = state.review;
  const theme = chartTheme();
  const v = review.candidate.version;
  append(
    root,
    el('h1', {}, `Review ${v.name} v${v.version} for Production`),
    el('p', { className: 'subtitle', attrs: { 'data-testid': 'subtitle' } }, subtitle(review)),
    status,
    rejectionBanner(review),
    noSkillBanner(review),
    decisionSection(review),
    metricsTable(review),
    validationSection(review.validation),
    signatureSection(review),
    sideBySide('Dataset lineage', review, (side) => datasetsList(side?.datasets ?? []), 'lineage'),
    sideBySide('Feature importance', review, (side, i) => importance(side, theme.runColor(i)), 'importance'),
  );
  api.setState({ name: v.name, version: v.version });
}

// Unchanged state (a store change elsewhere) must not redraw the panel and wipe a comment being typed.
let lastStateJson = '';
channel.onNotification('promotion/state', (next) => {
  const json = JSON.stringify(next);
  if (json === lastStateJson) return;
  lastStateJson = json;
  state = next;
  render();
});
new MutationObserver(() => render()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
render();
channel.ready();
