/**
 * Run comparison panel: the page script. It asks the host for nothing until it has said it is
 * ready; then it renders whatever validated `compare/state` arrives, and fetches histories.
 */
import '../styles/common.css';
import '../styles/compare.css';
import 'uplot/dist/uPlot.min.css';
import type { CompareState, MetricHistory } from '../../../src/shared/compare-protocol';
import { compareContract } from '../../../src/shared/compare-protocol';
import type { RowKind, TableSort } from '../../../src/shared/compare-table';
import { buildTable, nextSort, tableToCsv, tableToMarkdown } from '../../../src/shared/compare-table';
import { defaultHistoryMetrics, metricKeys, varyingParams } from '../../../src/shared/chart-data';
import { metricMeaning } from '../../../src/core/metric-meaning';
import { WebviewChannel, vscodeApi } from '../common/channel';
import { clear, el, setStatus } from '../common/dom';
import { chartTheme } from '../common/theme';
import { button, checkbox, progressRing, registerToolkit } from '../toolkit/components';
import { artifactsView } from './artifacts-view';
import type { ChartsSelection } from './charts-view';
import { ChartsView } from './charts-view';
import { tableView } from './table-view';

interface UiState {
  onlyDifferences: boolean;
  sort: TableSort | null;
  selection: ChartsSelection | null;
}

registerToolkit();
const api = vscodeApi();
const saved = (api.getState() ?? {}) as Partial<UiState> & { runIds?: string[] };
const ui: UiState = { onlyDifferences: saved.onlyDifferences ?? true, sort: saved.sort ?? null, selection: saved.selection ?? null };
let state: CompareState = { status: 'loading', runs: [] };
let histories = new Map<string, Promise<MetricHistory[]>>();
let postedAt = 0;

const status = el('div', { className: 'status', attrs: { role: 'status', 'aria-live': 'polite', 'data-testid': 'status' } });
const channel = new WebviewChannel(compareContract, api, (message) => setStatus(status, `Ignored a malformed message from the extension: ${message}`, 'error'));
const root = el('main', { attrs: { 'data-testid': 'compare-root' } });
const charts = new ChartsView();
document.body.append(root);

// What VS Code hands back to the extension's serializer after a reload (plus our view options).
let savedRunIds: string[] = saved.runIds ?? [];
function save(): void {
  if (state.status === 'ready') savedRunIds = state.runs.map((r) => r.runId);
  api.setState({ runIds: savedRunIds, onlyDifferences: ui.onlyDifferences, sort: ui.sort, selection: ui.selection });
}

function report(action: Promise<{ message?: string }>, done: string): void {
  action.then(
    (r) => setStatus(status, r.message ?? done),
    (e: unknown) => setStatus(status, e instanceof Error ? e.message : String(e), 'error'),
  );
}

function copy(format: 'CSV' | 'Markdown'): void {
  const model = buildTable(state.runs, { onlyDifferences: ui.onlyDifferences, sort: ui.sort });
  const text = format === 'CSV' ? tableToCsv(model) : tableToMarkdown(model);
  report(channel.request('clipboard/write', { text }), `Copied ${model.params.length + model.metrics.length} rows as ${format}.`);
}

function loadHistory(key: string): Promise<MetricHistory[]> {
  let p = histories.get(key);
  if (!p) {
    p = channel.request('compare/metricHistory', { key, runIds: state.runs.map((r) => r.runId) }).then((r) => r.histories);
    histories.set(key, p);
    p.catch(() => histories.delete(key));
  }
  return p;
}

/** The metric the runs' baseline comparison uses (ROC AUC for an imbalanced target), else the first score. */
function defaultFocus(keys: string[]): string {
  const chosen = new Set(state.runs.map((r) => r.baseline?.metric).filter((m): m is string => m !== undefined));
  const [only] = chosen;
  if (chosen.size === 1 && only !== undefined && keys.includes(only)) return only;
  return keys.find((k) => metricMeaning(k).rankable && metricMeaning(k).kind === 'score') ?? keys[0] ?? '';
}

function selectionFor(keys: string[], params: string[]): ChartsSelection {
  const s = ui.selection;
  const historyMetrics = s ? s.historyMetrics.filter((k) => keys.includes(k)) : defaultHistoryMetrics(keys);
  return {
    historyMetrics: s && historyMetrics.length === 0 && s.historyMetrics.length > 0 ? keys.slice(0, 1) : historyMetrics,
    focusMetric: s && keys.includes(s.focusMetric) ? s.focusMetric : defaultFocus(keys),
    scatterParam: s && params.includes(s.scatterParam) ? s.scatterParam : (params[0] ?? ''),
  };
}

function drawn(count: number): void {
  document.body.dataset.chartsDrawn = String(count);
  document.dispatchEvent(new CustomEvent('modelops:charts-drawn', { detail: { count, ms: performance.now() - postedAt } }));
}

function hiddenText(count: number): string {
  if (count === 0) return '';
  return count === 1 ? '1 row with the same value in every run is hidden.' : `${count} rows with the same value in every run are hidden.`;
}

function render(): void {
  charts.destroy();
  clear(root);
  delete document.body.dataset.chartsDrawn;
  document.body.dataset.state = state.status;
  if (state.status === 'loading') {
    root.append(el('div', { className: 'placeholder', attrs: { 'aria-busy': 'true' } }, progressRing('Loading runs'), el('p', {}, 'Loading runs…')), status);
    return;
  }
  if (state.status === 'error') {
    root.append(
      el('div', { className: 'placeholder error' }, el('p', {}, state.message ?? 'Could not load the runs.')),
      button('Retry', () => channel.notify('compare/refresh', {})),
      status,
    );
    return;
  }
  if (state.runs.length === 0) {
    root.append(
      el(
        'div',
        { className: 'placeholder', attrs: { 'data-testid': 'empty' } },
        el('h1', {}, 'No runs to compare'),
        el('p', {}, 'Select two or more runs in the ModelOps Runs view, right-click and choose "Compare Runs".'),
      ),
      status,
    );
    return;
  }
  const theme = chartTheme();
  const model = buildTable(state.runs, { onlyDifferences: ui.onlyDifferences, sort: ui.sort });
  const toolbar = el(
    'div',
    { className: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Table options' } },
    checkbox(
      'Only show differences',
      ui.onlyDifferences,
      (on) => {
        ui.onlyDifferences = on;
        save();
        rerenderTable();
      },
      'only-differences',
    ),
    button('Copy as CSV', () => copy('CSV'), { testId: 'copy-csv' }),
    button('Copy as Markdown', () => copy('Markdown'), { testId: 'copy-markdown' }),
  );
  const hasModel = new Map(state.runs.map((r) => [r.runId, r.hasModel]));
  const verdicts = new Map(state.runs.map((r) => [r.runId, r.baseline]));
  const actions = {
    sortBy: (kind: RowKind, key: string) => {
      ui.sort = nextSort(ui.sort, kind, key);
      save();
      rerenderTable();
    },
    openArtifacts: (runId: string) => report(channel.request('compare/openArtifacts', { runId }), 'Opened the artifacts.'),
    registerModel: (runId: string) => report(channel.request('compare/registerModel', { runId }), 'Registered the model.'),
  };
  const tableSlot = el('div', {});
  const hidden = el('p', { className: 'hint' });
  function rerenderTable(): void {
    // Keep keyboard focus on the same row's sort button across the re-render.
    const focusedRow =
      document.activeElement instanceof HTMLElement && document.activeElement.classList.contains('sort') ? document.activeElement.closest('tr') : null;
    const focusKey = focusedRow ? `${focusedRow.dataset.kind}\u0000${focusedRow.dataset.key}` : null;
    const m = buildTable(state.runs, { onlyDifferences: ui.onlyDifferences, sort: ui.sort });
    clear(tableSlot);
    tableSlot.append(tableView(m, hasModel, ui.sort, theme, actions, verdicts));
    hidden.textContent = hiddenText(m.hiddenRows);
    if (focusKey) {
      for (const row of tableSlot.querySelectorAll<HTMLTableRowElement>('tr[data-key]')) {
        if (`${row.dataset.kind}\u0000${row.dataset.key}` === focusKey) row.querySelector<HTMLButtonElement>('button.sort')?.focus();
      }
    }
  }
  root.append(el('h1', {}, `Compare ${state.runs.length} runs`), toolbar, status, hidden, tableSlot);
  tableSlot.append(tableView(model, hasModel, ui.sort, theme, actions, verdicts));
  hidden.textContent = hiddenText(model.hiddenRows);
  root.append(charts.element);
  const keys = metricKeys(state.runs);
  const params = varyingParams(state.runs);
  const renderCharts = (selection: ChartsSelection) =>
    charts.render({
      runs: state.runs,
      metricKeys: keys,
      paramKeys: params,
      selection,
      theme,
      width: Math.max(320, root.clientWidth),
      loadHistory,
      onSelection: (next) => {
        ui.selection = next;
        save();
        renderCharts(next);
      },
      onHistoryError: (key, message) => setStatus(status, `History of ${key}: ${message}`, 'error'),
      onAllDrawn: drawn,
    });
  renderCharts(selectionFor(keys, params));
  const artifacts = artifactsView(state.runs, theme.runColor);
  if (artifacts) root.append(artifacts);
}

// The host resends state on every store change (another run logging metrics, say): an unchanged
// state must not redraw every chart and refetch every history.
let lastStateJson = '';
channel.onNotification('compare/state', (next) => {
  const json = JSON.stringify(next);
  if (json === lastStateJson) return;
  lastStateJson = json;
  postedAt = performance.now();
  state = next;
  histories = new Map();
  save();
  render();
});

let resizeTimer: number | undefined;
window.addEventListener('resize', () => {
  window.clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(render, 200);
});

render();
channel.ready();

// VS Code swaps the body's theme class when the user changes theme: redraw canvases in new colours.
new MutationObserver(() => render()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
