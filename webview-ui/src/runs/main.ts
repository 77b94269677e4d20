/**
 * The runs table's page script. It says it is ready, then pulls the experiment's rows as the host
 * announces new stamps (`runs/state` → `runs/changes`), draws them in the virtualised grid, and
 * sends filters to the host, whose store search (MLflow's grammar, its parser's caret errors)
 * answers with the matching run ids. Sorting, grouping and CSV happen here, on the rows it holds.
 */
import '../styles/common.css';
import '../styles/runs.css';
import type { ColumnDef } from '../../../src/shared/runs-columns';
import { allColumns, isVisible } from '../../../src/shared/runs-columns';
import type { DisplayRow } from '../../../src/shared/runs-model';
import { filterFromSearchText, RunsModel } from '../../../src/shared/runs-model';
import { runsToCsv } from '../../../src/shared/runs-format';
import type { ApplyView, RunsState, SavedView } from '../../../src/shared/runs-protocol';
import { EMPTY_VIEW, runsContract, savedViewCheck } from '../../../src/shared/runs-protocol';
import { RequestError, WebviewChannel, vscodeApi } from '../common/channel';
import { el, setStatus } from '../common/dom';
import { button, progressRing, setDisabled, textField } from '../toolkit/elements';
import { columnChooser } from './column-chooser';
import { RunsGrid } from './grid';

/** Rows per pull: a first screenful quickly, then larger pages. */
const FIRST_PAGE = 300;
const PAGE = 2000;

const api = vscodeApi();
const saved = (api.getState() ?? {}) as { experimentId?: string; folder?: string; view?: unknown };
const model = new RunsModel();
let host: RunsState | undefined;
let view: SavedView = EMPTY_VIEW;
let viewFromPage = false;
try {
  if (saved.view !== undefined) {
    view = savedViewCheck(saved.view, 'saved view');
    viewFromPage = true;
  }
} catch {
  view = EMPTY_VIEW;
}
let matched: Set<string> | null = null;
let appliedFilter = '';
let expanded = new Set<string>();
/** Bumped when `expanded` changes (the set is changed in place). */
let expandedVersion = 0;
let expandAll = false;
let selected = new Set<string>();
let anchor: string | undefined;
let display: DisplayRow[] = [];
let columns: ColumnDef[] = [];
const pendingRanges = new Set<string>();
let filterSeq = 0;
let pulling = false;
let postedAt = 0;
let painted = false;

const status = el('div', { className: 'status', attrs: { role: 'status', 'aria-live': 'polite', 'data-testid': 'status' } });
const channel = new WebviewChannel(runsContract, api, (message) => setStatus(status, `Ignored a malformed message from the extension: ${message}`, 'error'));
const title = el('h1', { attrs: { 'data-testid': 'title' } }, 'Runs');
const counts = el('span', { className: 'counts', attrs: { 'data-testid': 'counts' } });
const filterError = el('pre', { className: 'filter-error', attrs: { 'data-testid': 'filter-error', role: 'alert' } });
const filter = textField({
  label: 'Filter runs',
  placeholder: "metrics.accuracy > 0.9 and params.model = 'rf'   (or words of a run name)",
  testId: 'filter',
  onEnter: (text) => applyFilter(text),
});
filter.element.classList.add('filter-input');
const grid = new RunsGrid({
  sortBy: (id) => {
    const s = view.sort;
    view = { ...view, sort: !s || s.column !== id ? { column: id, direction: 'asc' } : s.direction === 'asc' ? { column: id, direction: 'desc' } : null };
    refresh();
  },
  openRun: (runId) => report(channel.request('runs/openRun', { runId }), ''),
  toggleExpanded: (runId) => {
    if (expanded.has(runId)) expanded.delete(runId);
    else expanded.add(runId);
    expandedVersion++;
    refresh();
  },
  select: (runId, mode) => select(runId, mode),
  columnsInView: (cols) => loadRanges(cols),
});
const buttons = {
  compare: button('Compare', () => report(channel.request('runs/compare', { runIds: [...selected] }), ''), {
    testId: 'compare',
    title: 'Compare the selected runs',
  }),
  register: button('Register', () => report(channel.request('runs/register', { runId: [...selected][0] ?? '' }), ''), {
    secondary: true,
    testId: 'register',
    title: 'Register the model of the selected run',
  }),
  remove: button('Delete', () => deleteSelected(), { secondary: true, testId: 'delete', title: 'Delete the selected runs (they can be restored)' }),
  copy: button('Copy CSV', () => copyCsv(), { secondary: true, testId: 'copy-csv' }),
  exportCsv: button('Export CSV…', () => exportCsv(), { secondary: true, testId: 'export-csv' }),
  columns: button('Columns…', () => toggleChooser(), { secondary: true, testId: 'columns' }),
  expand: button(
    'Expand all',
    () => {
      expandAll = !expandAll;
      expanded = new Set();
      expandedVersion++;
      refresh();
    },
    { secondary: true, testId: 'expand-all' },
  ),
};
const chooserSlot = el('div', { className: 'chooser-slot' });
const placeholder = el('div', { className: 'placeholder' });
const main = el(
  'main',
  { attrs: { 'data-testid': 'runs-root' } },
  el('header', { className: 'title-row' }, title, counts),
  el(
    'div',
    { className: 'filter-row' },
    filter.element,
    button('Apply', () => applyFilter(filter.value()), { testId: 'apply-filter' }),
    button(
      'Clear',
      () => {
        filter.setValue('');
        applyFilter('');
      },
      { secondary: true, testId: 'clear-filter' },
    ),
  ),
  filterError,
  el(
    'div',
    { className: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Runs' } },
    buttons.compare,
    buttons.register,
    buttons.remove,
    el('span', { className: 'sep' }),
    buttons.columns,
    buttons.expand,
    buttons.copy,
    buttons.exportCsv,
  ),
  chooserSlot,
  status,
  placeholder,
  grid.element,
);
document.body.append(main);

function save(): void {
  api.setState({
    experimentId: host?.experimentId ?? saved.experimentId,
    ...((host?.folder ?? saved.folder) ? { folder: host?.folder ?? saved.folder } : {}),
    view,
  });
}

function report(action: Promise<{ message?: string }>, done: string): void {
  action.then(
    (r) => {
      if (r.message ?? done) setStatus(status, r.message ?? done);
    },
    (e: unknown) => setStatus(status, e instanceof Error ? e.message : String(e), 'error'),
  );
}

let viewTimer: number | undefined;
/** Tells the host what the user sees (remembered per experiment), at most every 200 ms. */
function reportView(): void {
  save();
  window.clearTimeout(viewTimer);
  viewTimer = window.setTimeout(() => {
    channel.notify('runs/view', {
      view,
      matched: matched ? countMatched() : model.rows.size,
      total: model.rows.size,
      top: display.slice(0, 20).map((r) => r.runId),
      selected: [...selected],
    });
  }, 200);
}

function countMatched(): number {
  let n = 0;
  for (const id of matched ?? []) if (model.rows.has(id)) n++;
  return n;
}

let columnsKey = '';
function computeColumns(): void {
  const key = `${model.keys.params.length}/${model.keys.metrics.length}/${model.keys.tags.length}\n${view.shown.join('\n')}\n\n${view.hidden.join('\n')}`;
  if (key === columnsKey) return;
  columnsKey = key;
  columns = allColumns(model.keys).filter((c) => isVisible(c, view));
}

/** What the display order depends on: it is recomputed (a sort of every run) only when one of these changed. */
let displayInputs: unknown[] = [];
function displayChanged(inputs: unknown[]): boolean {
  const same = inputs.length === displayInputs.length && inputs.every((x, i) => x === displayInputs[i]);
  displayInputs = inputs;
  return !same;
}

/** Recomputes the display order when its inputs changed, and redraws; the grid builds only what is on screen. */
function refresh(): void {
  computeColumns();
  const now = Date.now();
  const sortKey = view.sort ? `${view.sort.column} ${view.sort.direction}` : '';
  if (displayChanged([model.version, matched, sortKey, expandedVersion, expandAll, columns]))
    display = model.display(columns, { matched, sort: view.sort, expanded, expandAll, now });
  grid.setData({ model, rows: display, columns, sort: view.sort, selected, pendingRanges, now });
  const total = model.rows.size;
  const shown = matched ? countMatched() : total;
  counts.textContent = `${total.toLocaleString('en-US')} run${total === 1 ? '' : 's'}${matched ? ` · ${shown.toLocaleString('en-US')} match` : ''}${selected.size ? ` · ${selected.size} selected` : ''}${host && !host.complete ? ` · reading… (${host.loaded.toLocaleString('en-US')} so far)` : ''}`;
  buttons.expand.textContent = expandAll ? 'Collapse all' : 'Expand all';
  const writable = host?.writable ?? false;
  setDisabled(buttons.compare, selected.size === 0);
  setDisabled(buttons.register, selected.size !== 1 || !writable);
  setDisabled(buttons.remove, selected.size === 0 || !writable);
  buttons.compare.textContent = selected.size > 1 ? `Compare ${selected.size}` : 'Compare';
  buttons.remove.textContent = selected.size > 1 ? `Delete ${selected.size}` : 'Delete';
  buttons.copy.textContent = selected.size ? `Copy ${selected.size} as CSV` : 'Copy CSV';
  drawPlaceholder();
  document.body.dataset.rows = String(display.length);
  reportView();
  // For the benchmark and the tests: the grid has what it shows now (it paints on the next frame).
  document.dispatchEvent(new CustomEvent('modelops:runs-refreshed', { detail: { rows: display.length, total } }));
  if (!painted && display.length > 0) {
    // The first refresh with rows: the grid draws them in the coming frame.
    painted = true;
    document.dispatchEvent(new CustomEvent('modelops:runs-refreshed-rows', { detail: { rows: display.length, ms: performance.now() - postedAt } }));
  }
}

function drawPlaceholder(): void {
  placeholder.replaceChildren();
  const empty = host?.status === 'ready' && host.complete && model.rows.size === 0;
  grid.element.hidden = host?.status !== 'ready' || empty;
  document.body.dataset.state = host?.status ?? 'loading';
  if (!host || host.status === 'loading' || (host.status === 'ready' && model.rows.size === 0 && !host.complete)) {
    placeholder.append(progressRing('Reading runs'), el('p', {}, 'Reading the runs…'));
  } else if (host.status === 'error') {
    placeholder.append(
      el('p', {}, host.message ?? 'The runs could not be read.'),
      button('Retry', () => channel.notify('runs/refresh', {}), { testId: 'retry' }),
    );
  } else if (empty) {
    placeholder.append(
      el('h2', { attrs: { 'data-testid': 'empty' } }, 'No runs in this experiment yet'),
      el('p', {}, 'Train a model on a CSV file (ModelOps: Train Ensemble) or log runs with MLflow or the modelops CLI: they appear here as they are written.'),
    );
  } else if (display.length === 0 && matched) {
    placeholder.append(el('p', { attrs: { 'data-testid': 'no-match' } }, 'No run matches the filter.'));
  }
}

function select(runId: string, mode: 'only' | 'toggle' | 'range'): void {
  if (mode === 'range' && anchor !== undefined) {
    const a = display.findIndex((r) => r.runId === anchor);
    const b = display.findIndex((r) => r.runId === runId);
    if (a >= 0 && b >= 0) for (let i = Math.min(a, b); i <= Math.max(a, b); i++) selected.add(display[i]!.runId);
  } else if (mode === 'toggle') {
    if (selected.has(runId)) selected.delete(runId);
    else selected.add(runId);
    anchor = runId;
  } else {
    selected = new Set([runId]);
    anchor = runId;
  }
  refresh();
}

/** The runs a CSV holds: the selection if any, else every matching run, parents before their children. */
function csvRunIds(): string[] {
  const all = model.display(columns, { matched, sort: view.sort, expanded: new Set(), expandAll: true, now: Date.now() }).map((r) => r.runId);
  return selected.size ? all.filter((id) => selected.has(id)) : all;
}

function copyCsv(): void {
  const ids = csvRunIds();
  report(channel.request('clipboard/write', { text: runsToCsv(model, ids, columns) }), `Copied ${ids.length} run${ids.length === 1 ? '' : 's'} as CSV.`);
}

function exportCsv(): void {
  const ids = csvRunIds();
  report(channel.request('runs/exportCsv', { text: runsToCsv(model, ids, columns), rows: ids.length }), '');
}

function deleteSelected(): void {
  const runIds = [...selected];
  channel.request('runs/delete', { runIds }).then(
    (r) => {
      for (const id of r.deleted) selected.delete(id);
      if (r.message) setStatus(status, r.message);
      refresh();
    },
    (e: unknown) => setStatus(status, e instanceof Error ? e.message : String(e), 'error'),
  );
}

/** Runs the filter through the host's store search; plain words search run names, as MLflow's box does. */
function applyFilter(text: string): void {
  const query = filterFromSearchText(text);
  const seq = ++filterSeq;
  view = { ...view, filter: text };
  filterError.textContent = '';
  filter.setInvalid(false);
  if (query === '') {
    matched = null;
    appliedFilter = '';
    refresh();
    return;
  }
  setStatus(status, 'Filtering…');
  channel.request('runs/filter', { filter: query }).then(
    (r) => {
      if (seq !== filterSeq) return;
      matched = new Set(r.runIds);
      appliedFilter = query;
      setStatus(status, '');
      refresh();
    },
    (e: unknown) => {
      if (seq !== filterSeq) return;
      filter.setInvalid(true);
      // The store's message points at the column with a caret under the filter: kept as it is, in monospace.
      filterError.textContent = e instanceof RequestError || e instanceof Error ? e.message : String(e);
      setStatus(status, 'The filter was not applied.', 'error');
      save();
    },
  );
}

/** min/max columns in view get their values from the host (one request per metric). */
function loadRanges(inView: ColumnDef[]): void {
  for (const c of inView) {
    if (c.kind !== 'metric' || c.aggregate === 'last' || c.aggregate === undefined || model.ranges.has(c.key)) continue;
    const ids = [`metric:${c.key}:min`, `metric:${c.key}:max`];
    if (ids.some((id) => pendingRanges.has(id))) continue;
    for (const id of ids) pendingRanges.add(id);
    channel.request('runs/metricRange', { key: c.key }).then(
      (r) => {
        model.setRange(r.key, r.runIds, r.min, r.max);
        for (const id of ids) pendingRanges.delete(id);
        refresh();
      },
      (e: unknown) => {
        for (const id of ids) pendingRanges.delete(id);
        setStatus(status, `min/max of ${c.key}: ${e instanceof Error ? e.message : String(e)}`, 'error');
      },
    );
  }
}

let chooser: HTMLElement | undefined;
function toggleChooser(): void {
  if (chooser) {
    chooser.remove();
    chooser = undefined;
    buttons.columns.focus();
    return;
  }
  chooser = columnChooser({
    columns: allColumns(model.keys),
    view,
    onChange: (next) => {
      view = next;
      refresh();
    },
    onClose: () => toggleChooser(),
  });
  chooserSlot.append(chooser);
}

let refilterTimer: number | undefined;
/** Pulls every change since the stamp the page holds, page by page; again if the host moved on meanwhile. */
async function pull(): Promise<void> {
  if (pulling) return;
  pulling = true;
  const initial = model.rows.size === 0;
  try {
    while (host && host.stamp > model.stamp) {
      // A small first page paints at once; the rest follow a frame apart, so the page stays responsive.
      const changes = await channel.request('runs/changes', { since: model.stamp, limit: model.rows.size === 0 ? FIRST_PAGE : PAGE });
      if (model.apply(changes)) refresh();
      if (!changes.more && changes.stamp >= host.stamp) break;
      await new Promise((r) => requestAnimationFrame(r));
    }
  } catch (e) {
    setStatus(status, `Could not read the runs: ${e instanceof Error ? e.message : String(e)}`, 'error');
  } finally {
    pulling = false;
  }
  refresh();
  revealPending();
  document.body.dataset.loaded = String(model.rows.size);
  // New or changed runs are matched again by the store, not guessed here.
  if (!initial && appliedFilter) {
    window.clearTimeout(refilterTimer);
    refilterTimer = window.setTimeout(() => applyFilter(view.filter), 500);
  }
}

channel.onNotification('runs/state', (next) => {
  const first = host === undefined;
  host = next;
  if (first) postedAt = performance.now();
  title.textContent = `Runs of ${next.experimentName}`;
  document.title = `Runs: ${next.experimentName}`;
  if (first && !viewFromPage && next.view) view = next.view;
  if (first && view.filter) {
    filter.setValue(view.filter);
    applyFilter(view.filter);
  }
  save();
  refresh();
  if (next.stamp > model.stamp) void pull();
});

channel.onNotification('runs/apply', (a: ApplyView) => {
  if (a.sort !== undefined) view = { ...view, sort: a.sort };
  if (a.select) {
    selected = new Set(a.select);
    anchor = a.select[0];
  }
  if (a.filter !== undefined) {
    filter.setValue(a.filter);
    applyFilter(a.filter);
  } else {
    refresh();
  }
  pendingReveal = a.select?.[0];
  revealPending();
});

let pendingReveal: string | undefined;
/** Scrolls to the run the host asked to select, once its row has arrived; a nested run's parent opens for it. */
function revealPending(): void {
  const id = pendingReveal;
  const row = id === undefined ? undefined : model.rows.get(id);
  if (!id || !row) return;
  pendingReveal = undefined;
  if (row.parentRunId && !expandAll) {
    expanded.add(row.parentRunId);
    expandedVersion++;
  }
  refresh();
  grid.reveal(id);
}

save();
refresh();
channel.ready();
