/**
 * The run page's script: says it is ready, renders each validated `run/state` as tabs (overview,
 * params, metrics, datasets, artifacts, model versions), each built when first shown, and goes
 * where the host's `run/reveal` says (a section, an artifact to preview, a metric's chart).
 */
import '../styles/common.css';
import '../styles/run.css';
import 'uplot/dist/uPlot.min.css';
import type { Reveal, RunState } from '../../../src/shared/run-protocol';
import { runContract } from '../../../src/shared/run-protocol';
import { WebviewChannel, vscodeApi } from '../common/channel';
import { el, setStatus } from '../common/dom';
import { chartTheme } from '../common/theme';
import { button, progressRing, tabs } from '../toolkit/elements';
import type { Tabs } from '../toolkit/elements';
import { ArtifactsView } from './artifacts-view';
import type { XAxis } from './metrics-view';
import { MetricsView } from './metrics-view';
import { datasets, overview, params, versions } from './sections';

const SECTIONS = ['overview', 'params', 'metrics', 'datasets', 'artifacts', 'versions'] as const;
type Section = (typeof SECTIONS)[number];

const api = vscodeApi();
const saved = (api.getState() ?? {}) as { runId?: string; folder?: string; section?: Section; xAxis?: XAxis };
let state: RunState = { status: 'loading', writable: false };
let section: Section = saved.section && SECTIONS.includes(saved.section) ? saved.section : 'overview';
let xAxis: XAxis = saved.xAxis ?? 'step';
let pending: Reveal | undefined;
let lastJson = '';
let postedAt = 0;
let tabsView: Tabs | undefined;
let metricsView: MetricsView | undefined;
let artifactsView: ArtifactsView | undefined;

const status = el('div', { className: 'status', attrs: { role: 'status', 'aria-live': 'polite', 'data-testid': 'status' } });
const channel = new WebviewChannel(runContract, api, (message) => setStatus(status, `Ignored a malformed message from the extension: ${message}`, 'error'));
const root = el('main', { attrs: { 'data-testid': 'run-root' } });
document.body.append(root);

function save(): void {
  const runId = state.run?.runId ?? saved.runId;
  const folder = state.folder ?? saved.folder;
  api.setState({ ...(runId ? { runId } : {}), ...(folder ? { folder } : {}), section, xAxis });
}

function fail(e: unknown): void {
  setStatus(status, e instanceof Error ? e.message : String(e), 'error');
}

function drawn(count: number): void {
  document.body.dataset.chartsDrawn = String(count);
  document.dispatchEvent(new CustomEvent('modelops:run-drawn', { detail: { charts: count, ms: performance.now() - postedAt } }));
}

let lastArtifact: string | undefined;

function render(): void {
  // A store change re-renders the page: keep the place and the preview the user was looking at.
  const scroll = window.scrollY;
  if (section === 'artifacts' && lastArtifact && !pending) pending = { artifact: lastArtifact };
  requestAnimationFrame(() => window.scrollTo(0, scroll));
  metricsView?.destroy();
  metricsView = undefined;
  artifactsView = undefined;
  document.body.dataset.state = state.status;
  if (state.status !== 'ready' || !state.run) {
    root.replaceChildren(
      state.status === 'loading'
        ? el('div', { className: 'placeholder', attrs: { 'aria-busy': 'true' } }, progressRing('Loading the run'), el('p', {}, 'Loading the run…'))
        : el(
            'div',
            { className: 'placeholder' },
            el('p', { attrs: { 'data-testid': 'error' } }, state.message ?? 'The run could not be read.'),
            button('Retry', () => channel.notify('run/refresh', {})),
          ),
      status,
    );
    return;
  }
  const run = state.run;
  document.title = `Run ${run.runName}`;
  const header = el(
    'header',
    { className: 'run-header' },
    el('h1', { attrs: { 'data-testid': 'run-name' } }, run.runName),
    el('span', { className: `status-text ${run.status.toLowerCase()}`, attrs: { 'data-testid': 'run-status' } }, run.status),
    el('span', { className: 'hint' }, `${run.experimentName} · ${run.runId}`),
  );
  const items = [
    { id: 'overview', label: 'Overview', render: (p: HTMLElement) => p.append(overview(run, state.writable, overviewActions)) },
    { id: 'params', label: 'Parameters', count: run.params.length, render: (p: HTMLElement) => p.append(params(run)) },
    { id: 'metrics', label: 'Metrics', count: run.metrics.length, render: (p: HTMLElement) => renderMetrics(p) },
    { id: 'datasets', label: 'Datasets', count: run.datasets.length, render: (p: HTMLElement) => p.append(datasets(run)) },
    { id: 'artifacts', label: 'Artifacts', render: (p: HTMLElement) => renderArtifacts(p) },
    {
      id: 'versions',
      label: 'Model versions',
      count: run.versions.length,
      render: (p: HTMLElement) =>
        p.append(versions(run, (name, version) => channel.request('run/openVersion', { name, version }).then((r) => setStatus(status, r.message ?? ''), fail))),
    },
  ];
  tabsView = tabs(items, SECTIONS.indexOf(section), (i) => {
    section = SECTIONS[i] ?? 'overview';
    save();
  });
  root.replaceChildren(header, status, tabsView.element);
  applyReveal();
}

const overviewActions = {
  openRun: (runId: string) => void channel.request('run/openRun', { runId }).catch(fail),
  openRunsTable: () => void channel.request('run/openRunsTable', {}).catch(fail),
  copy: (text: string, what: string) => void channel.request('clipboard/write', { text }).then(() => setStatus(status, `Copied ${what}.`), fail),
  saveNote: async (text: string) => {
    const r = await channel.request('run/saveNote', { text });
    setStatus(status, r.message ?? 'Saved.');
  },
};

function renderMetrics(panel: HTMLElement): void {
  const run = state.run;
  if (!run) return;
  const view = new MetricsView({
    metrics: run.metrics,
    theme: chartTheme(),
    xAxis,
    onXAxis: (x) => {
      xAxis = x;
      save();
      // Redraw the metrics tab alone, on the new axis.
      metricsView?.destroy();
      panel.replaceChildren();
      renderMetrics(panel);
    },
    fetch: async (keys) => (await channel.request('run/metricHistories', { keys })).histories,
    onError: (m) => setStatus(status, `Metric history: ${m}`, 'error'),
    onDrawn: drawn,
  });
  metricsView = view;
  panel.append(view.element);
  view.start(null);
  if (run.metrics.length === 0) drawn(0);
}

function renderArtifacts(panel: HTMLElement): void {
  const view = new ArtifactsView({
    list: async (path) => (await channel.request('run/listArtifacts', { path })).entries,
    preview: (path) => {
      lastArtifact = path;
      return channel.request('run/previewArtifact', { path });
    },
    open: (path) => void channel.request('run/openArtifact', { path }).catch(fail),
    onError: (m) => setStatus(status, m, 'error'),
  });
  artifactsView = view;
  panel.append(view.element);
}

/** Goes where the host asked once the run is shown: a section, an artifact's preview, a metric's chart. */
function applyReveal(): void {
  const r = pending;
  if (!r || !tabsView || state.status !== 'ready') return;
  pending = undefined;
  const target: Section | undefined = r.artifact ? 'artifacts' : r.metric ? 'metrics' : r.section;
  if (target) {
    section = target;
    tabsView.select(SECTIONS.indexOf(target));
    save();
  }
  if (r.artifact) void artifactsView?.show(r.artifact);
  if (r.metric) metricsView?.scrollTo(r.metric);
}

channel.onNotification('run/state', (next) => {
  // The host resends the state on every store change: an unchanged run must not redraw its charts.
  const json = JSON.stringify(next);
  if (json === lastJson) return;
  lastJson = json;
  postedAt = performance.now();
  state = next;
  save();
  render();
});

channel.onNotification('run/reveal', (r) => {
  pending = r;
  applyReveal();
});

render();
channel.ready();

// A theme change re-colours the charts.
new MutationObserver(() => {
  if (section === 'metrics') render();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });
