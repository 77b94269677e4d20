/**
 * Study panel: the store's tuning studies, and for one of them its trials (state, value, params,
 * duration), the best trial's params, the optimisation history and the parameter importances.
 * The host re-sends the state whenever the store changes, so a running study fills in live.
 */
import 'uplot/dist/uPlot.min.css';
import '../styles/common.css';
import '../styles/study.css';
import type { StudyDetail, StudyState, StudySummary, TrialRow } from '../../../src/shared/study-protocol';
import { studyContract } from '../../../src/shared/study-protocol';
import { formatWide } from '../../../src/shared/format';
import type { WideNumber } from '../../../src/shared/validate';
import { historyChart } from '../charts/history-chart';
import type { HistoryChart } from '../charts/history-chart';
import { WebviewChannel, vscodeApi } from '../common/channel';
import { append, clear, el, setStatus } from '../common/dom';
import { chartTheme } from '../common/theme';
import { button, dropdown, progressRing, registerToolkit } from '../toolkit/components';
import { makeCanvas } from '../charts/canvas';
import type { Drawn, PlotParam } from '../charts/study-charts';
import { drawContour, drawIntermediate, drawParallelStudy, drawSlice } from '../charts/study-charts';

registerToolkit();
const api = vscodeApi();
let state: StudyState = { status: 'loading', studies: [], detail: null };
let chart: HistoryChart | undefined;

const status = el('div', { className: 'status', attrs: { role: 'status', 'aria-live': 'polite', 'data-testid': 'status' } });
const channel = new WebviewChannel(studyContract, api, (message) => setStatus(status, `Ignored a malformed message from the extension: ${message}`, 'error'));
const root = el('main', { attrs: { 'data-testid': 'study-root' } });
document.body.append(root);

/** Distinct symbol and class per state; the word is there for screen readers and copy. */
const STATE_MARK: Record<TrialRow['state'], string> = { COMPLETE: '✓', PRUNED: '✂', FAIL: '✗', RUNNING: '⟳', WAITING: '⧗' };

/** The state with its icon; a failed trial's reason is its tooltip and a line under it. */
function stateCell(t: TrialRow): HTMLElement {
  const s = t.state;
  return el(
    'td',
    { className: `state state-${s.toLowerCase()}`, attrs: { 'data-state': s, ...(t.failReason ? { title: t.failReason } : {}) } },
    el('span', { className: 'state-icon', attrs: { 'aria-hidden': 'true' } }, STATE_MARK[s]),
    ` ${s}`,
    t.failReason ? el('div', { className: 'fail-reason' }, t.failReason) : null,
  );
}

function duration(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms < 1000 ? `${ms} ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

const paramsText = (params: string[][]): string => params.map(([k, v]) => `${k}=${v}`).join('  ');

function studyList(studies: StudySummary[], selected: string): HTMLElement {
  return el(
    'table',
    { className: 'studies', attrs: { 'data-testid': 'studies' } },
    el('thead', {}, el('tr', {}, ...['Study', 'Metric', 'Best', 'Trials', 'Complete', 'Sampler'].map((h) => el('th', { attrs: { scope: 'col' } }, h)))),
    el(
      'tbody',
      {},
      ...studies.map((s) =>
        el(
          'tr',
          { className: s.name === selected ? 'selected' : '', attrs: { 'data-study': s.name, ...(s.name === selected ? { 'aria-current': 'true' } : {}) } },
          el(
            'th',
            { attrs: { scope: 'row' } },
            el(
              'a',
              {
                attrs: { href: '#', 'data-testid': 'study-link' },
                on: { click: (e) => (e.preventDefault(), channel.notify('study/select', { name: s.name })) },
              },
              s.name,
            ),
          ),
          el('td', {}, `${s.metric} ${s.direction === 'maximize' ? '↑' : '↓'}`),
          el('td', { className: 'num' }, s.best === undefined ? '—' : formatWide(s.best)),
          el('td', { className: 'num' }, String(s.trials)),
          el('td', { className: 'num' }, String(s.complete)),
          el('td', {}, `${s.sampler} · ${s.pruner}`),
        ),
      ),
    ),
  );
}

function bestSection(d: StudyDetail): HTMLElement {
  const best = d.bestTrial === null ? undefined : d.trials.find((t) => t.number === d.bestTrial);
  if (!best)
    return el(
      'section',
      { attrs: { 'aria-label': 'Best trial', 'data-testid': 'best' } },
      el('h2', {}, 'Best trial'),
      el('p', {}, 'No trial has completed yet.'),
    );
  return el(
    'section',
    { attrs: { 'aria-label': 'Best trial', 'data-testid': 'best' } },
    el('h2', {}, `Best trial: #${best.number}, ${d.study.metric} ${formatWide(best.value ?? null)}`),
    el(
      'table',
      { className: 'best-params' },
      el('tbody', {}, ...best.params.map(([k, v]) => el('tr', {}, el('th', { attrs: { scope: 'row' } }, k), el('td', { className: 'num' }, v)))),
    ),
    // An Optuna file's study is read-only: no action on it (its trials have no runs, nor data).
    state.source ? null : bestActions(d, best),
  );
}

const failed = (e: Error): void => setStatus(status, e.message, 'error');
const said = (r: { message?: string }): void => {
  if (r.message) setStatus(status, r.message);
};

/** Open Run, Train with these params, Register: each disabled with its reason when it cannot run. */
function bestActions(d: StudyDetail, best: TrialRow): HTMLElement {
  const a = d.actions ?? {};
  const name = d.study.name;
  const registerNote = a.registerRun ? undefined : (a.registerNote ?? 'There is no model of this trial to register.');
  const train = button('Train with these params', () => void channel.request('study/trainBest', { name }).then(said, failed), {
    testId: 'train-best',
    disabled: a.trainNote !== undefined,
    ...(a.trainNote ? { title: a.trainNote } : {}),
  });
  const register = button(
    a.registerRun ? `Register model of #${a.registerRun.trial}` : 'Register',
    () => void channel.request('study/registerBest', { name }).then(said, failed),
    { testId: 'register-best', disabled: registerNote !== undefined, ...(registerNote ? { title: registerNote } : {}) },
  );
  // The reason is said beside the buttons too: a disabled button's tooltip is easy to miss.
  const notes = [
    a.trainNote ? el('p', { className: 'action-note', attrs: { 'data-testid': 'train-note' } }, a.trainNote) : null,
    registerNote ? el('p', { className: 'action-note', attrs: { 'data-testid': 'register-note' } }, registerNote) : null,
  ];
  return el(
    'div',
    { className: 'best-actions' },
    el(
      'div',
      { className: 'buttons' },
      best.runId ? button('Open Run', () => void channel.request('study/openRun', { runId: best.runId! }).catch(failed)) : null,
      train,
      register,
    ),
    ...notes,
  );
}

function importanceSection(d: StudyDetail): HTMLElement {
  const section = el('section', { attrs: { 'aria-label': 'Parameter importance', 'data-testid': 'importance' } }, el('h2', {}, 'Parameter importance'));
  if (d.importance.length === 0) return (append(section, el('p', {}, d.importanceNote ?? 'No importances yet.')), section);
  // Through the CSSOM: the panel's CSP allows no inline style attributes.
  const bar = (x: number): HTMLElement => {
    const b = el('span', { className: 'bar', attrs: { 'aria-hidden': 'true' } });
    b.style.width = `${Math.round(100 * x)}px`;
    return b;
  };
  append(
    section,
    el(
      'table',
      { className: 'importance' },
      el('thead', {}, el('tr', {}, ...['Param', 'PED-ANOVA', 'fANOVA'].map((h) => el('th', { attrs: { scope: 'col' } }, h)))),
      el(
        'tbody',
        {},
        ...d.importance.map((r) =>
          el(
            'tr',
            { attrs: { 'data-param': r.param } },
            el('th', { attrs: { scope: 'row' } }, r.param),
            el('td', { className: 'num' }, `${(100 * r.pedAnova).toFixed(1)}%`, bar(r.pedAnova)),
            el('td', { className: 'num' }, `${(100 * r.fanova).toFixed(1)}%`, bar(r.fanova)),
          ),
        ),
      ),
    ),
  );
  return section;
}

function trialsTable(d: StudyDetail): HTMLElement {
  const counts = d.trials.reduce<Record<string, number>>((acc, t) => ((acc[t.state] = (acc[t.state] ?? 0) + 1), acc), {});
  const summary = (['COMPLETE', 'PRUNED', 'FAIL', 'RUNNING', 'WAITING'] as const)
    .filter((s) => counts[s])
    .map((s) => `${counts[s]} ${s.toLowerCase()}`)
    .join(', ');
  return el(
    'section',
    { attrs: { 'aria-label': 'Trials' } },
    el('h2', {}, `Trials (${d.trials.length}${summary ? `: ${summary}` : ''})`),
    el(
      'table',
      { className: 'trials', attrs: { 'data-testid': 'trials' } },
      el('thead', {}, el('tr', {}, ...['#', 'State', d.study.metric, 'Params', 'Duration'].map((h) => el('th', { attrs: { scope: 'col' } }, h)))),
      el(
        'tbody',
        {},
        ...d.trials.map((t) =>
          el(
            'tr',
            { className: t.number === d.bestTrial ? 'best' : '', attrs: { 'data-trial': String(t.number) } },
            el(
              'td',
              { className: 'num' },
              String(t.number),
              t.number === d.bestTrial ? el('span', { className: 'best-mark', attrs: { title: 'best trial' } }, ' ★') : null,
            ),
            stateCell(t),
            el('td', { className: 'num' }, t.value === undefined ? '' : formatWide(t.value)),
            el('td', { className: 'params', attrs: { title: paramsText(t.params) } }, paramsText(t.params)),
            el('td', { className: 'num' }, duration(t.durationMs)),
          ),
        ),
      ),
    ),
  );
}

/** A chart has no place for ±∞ (an Optuna study's): those points are left out, the table shows them. */
const finiteOnly = (vs: readonly (WideNumber | null)[]): (number | null)[] => vs.map((v) => (typeof v === 'number' ? v : null));

function historySection(d: StudyDetail): HTMLElement {
  chart?.destroy();
  const theme = chartTheme();
  const width = Math.max(320, Math.min(1000, root.clientWidth - 16));
  chart = historyChart(
    `${d.study.metric}: trial values and best so far`,
    { steps: d.history.numbers, series: [finiteOnly(d.history.values), finiteOnly(d.history.best)] },
    ['value', 'best so far'],
    [0, 1],
    theme,
    width,
    () => (document.body.dataset.chart = 'drawn'),
    'step',
  );
  return el('section', { attrs: { 'aria-label': 'Optimisation history', 'data-testid': 'history' } }, el('h2', {}, 'Optimisation history'), chart.element);
}

const chartWidth = (): number => Math.max(320, Math.min(1000, root.clientWidth - 16));

/** A canvas in a figure: `draw` paints it and says how many marks it drew (the browser test reads them). */
function canvasFigure(caption: string, width: number, height: number, testId: string, draw: (ctx: CanvasRenderingContext2D) => Drawn): HTMLElement {
  const { canvas, ctx } = makeCanvas(width, height, caption);
  const drawn = draw(ctx);
  canvas.dataset.marks = String(drawn.marks);
  if (drawn.pruned !== undefined) canvas.dataset.pruned = String(drawn.pruned);
  return el('figure', { className: 'chart', attrs: { 'data-testid': testId } }, el('figcaption', { className: 'chart-title' }, caption), canvas);
}

function intermediateSection(d: StudyDetail): HTMLElement {
  const section = el(
    'section',
    { attrs: { 'aria-label': 'Intermediate values', 'data-testid': 'intermediate' } },
    el('h2', {}, state.source ? 'Intermediate values by step' : 'Intermediate values per fold'),
  );
  if (d.intermediate.lines.length === 0) return (append(section, el('p', {}, 'No trial has reported intermediate values yet.')), section);
  // Our trials report the running mean CV score after each fold (step 0 = fold 1); Optuna's, whatever the objective reported.
  const caption = state.source ? `${d.study.metric}: intermediate value by step` : `${d.study.metric}: running mean over the folds so far`;
  const label = (step: number): string => (state.source ? String(step) : `fold ${step + 1}`);
  append(
    section,
    canvasFigure(caption, chartWidth(), 240, 'intermediate-chart', (ctx) =>
      drawIntermediate(ctx, d.intermediate, d.bestTrial, chartTheme(), chartWidth(), 240, label),
    ),
    el(
      'p',
      { className: 'legend' },
      'Solid: complete · dashed, ending in ×: pruned (where the pruner stopped it) · thick: the best trial · grey: failed or running',
    ),
  );
  return section;
}

function slicesSection(d: StudyDetail): HTMLElement {
  const section = el('section', { attrs: { 'aria-label': 'Slice plots', 'data-testid': 'slices' } }, el('h2', {}, 'Slice plots'));
  if (d.plots.values.length === 0 || d.plots.params.length === 0)
    return (append(section, el('p', {}, 'No complete trial yet: each param is plotted against the value once trials complete.')), section);
  const width = d.plots.params.length === 1 ? chartWidth() : 300;
  append(
    section,
    el(
      'div',
      { className: 'slices' },
      ...d.plots.params.map((p) => canvasFigure(p.name, width, 200, 'slice', (ctx) => drawSlice(ctx, p, d.plots, chartTheme(), width, 200))),
    ),
    el(
      'p',
      { className: 'legend' },
      `Each point a complete trial: ${d.study.metric} against the param; colour by trial number (dark blue first, yellow last).`,
    ),
  );
  return section;
}

/** The two params the contour shows: kept across live updates, the two most important by default. */
let contourPair: [string, string] | undefined;

function contourPairFor(d: StudyDetail): [PlotParam, PlotParam] | undefined {
  const byName = new Map(d.plots.params.map((p) => [p.name, p]));
  if (byName.size < 2) return undefined;
  if (!contourPair || !byName.has(contourPair[0]) || !byName.has(contourPair[1]) || contourPair[0] === contourPair[1]) {
    const ranked = [...d.importance.map((i) => i.param).filter((n) => byName.has(n)), ...byName.keys()];
    const first = ranked[0]!;
    contourPair = [first, ranked.find((n) => n !== first)!];
  }
  return [byName.get(contourPair[0])!, byName.get(contourPair[1])!];
}

function contourSection(d: StudyDetail): HTMLElement {
  const section = el('section', { attrs: { 'aria-label': 'Contour plot', 'data-testid': 'contour' } }, el('h2', {}, 'Contour plot'));
  const pair = contourPairFor(d);
  if (!pair || d.plots.values.length === 0)
    return (append(section, el('p', {}, 'Needs two params and a complete trial: two params are shown against each other, coloured by the value.')), section);
  const names = d.plots.params.map((p) => p.name);
  const pick = (i: 0 | 1) => (name: string) => {
    contourPair = i === 0 ? [name, contourPair![1]] : [contourPair![0], name];
    section.replaceWith(contourSection(d));
  };
  const width = Math.min(640, chartWidth());
  append(
    section,
    el(
      'div',
      { className: 'contour-picks' },
      el('span', {}, 'x'),
      dropdown('Contour x param', names, pair[0].name, pick(0), 'contour-x'),
      el('span', {}, 'y'),
      dropdown('Contour y param', names, pair[1].name, pick(1), 'contour-y'),
    ),
    canvasFigure(`${pair[1].name} against ${pair[0].name}`, width, 320, 'contour-chart', (ctx) =>
      drawContour(ctx, pair[0], pair[1], d.plots, d.study.direction, chartTheme(), width, 320),
    ),
    el(
      'p',
      { className: 'legend' },
      `Colour: ${d.study.metric} interpolated between the complete trials (inverse-distance weighting; dark blue worse, yellow better); dots: the trials.`,
    ),
  );
  return section;
}

function parallelSection(d: StudyDetail): HTMLElement {
  const section = el('section', { attrs: { 'aria-label': 'Parallel coordinates', 'data-testid': 'parallel' } }, el('h2', {}, 'Parallel coordinates'));
  if (d.plots.values.length === 0) return (append(section, el('p', {}, 'No complete trial yet.')), section);
  let labels: string[] = [];
  const figure = canvasFigure(`${d.plots.params.length} params and ${d.study.metric}`, chartWidth(), 280, 'parallel-chart', (ctx) => {
    const drawn = drawParallelStudy(ctx, d.plots, d.study.metric, d.study.direction, chartTheme(), chartWidth(), 280);
    labels = drawn.labels;
    return drawn;
  });
  figure.querySelector('canvas')!.dataset.labels = JSON.stringify(labels);
  append(
    section,
    figure,
    el('p', { className: 'legend' }, `A line per complete trial across every param to ${d.study.metric}; colour by value (dark blue worse, yellow better).`),
  );
  return section;
}

/** An Optuna file's study records no sampler or pruner; it is shown read-only, following the file. */
function subtitle(d: StudyDetail): string {
  const source = state.source;
  if (source)
    return `${d.study.metric} (${d.study.direction}) · Optuna ${source.optunaVersion} study file ${source.file} · read-only, updates as Optuna writes it`;
  return `${d.study.metric} (${d.study.direction}) · ${d.study.sampler} sampler · ${d.study.pruner} pruner`;
}

function render(): void {
  clear(root);
  document.body.dataset.state = state.status;
  if (state.status === 'loading') {
    root.append(
      el('div', { className: 'placeholder', attrs: { 'aria-busy': 'true' } }, progressRing('Loading the studies'), el('p', {}, 'Loading the studies…')),
      status,
    );
    return;
  }
  if (state.status === 'error' || !state.detail) {
    append(
      root,
      el('div', { className: 'placeholder', attrs: { 'data-testid': 'empty' } }, el('p', {}, state.message ?? 'No studies yet.')),
      state.studies.length ? studyList(state.studies, '') : null,
      button('Retry', () => channel.notify('study/refresh', {})),
      status,
    );
    return;
  }
  const d = state.detail;
  append(
    root,
    el('h1', {}, `Study ${d.study.name}`),
    el('p', { className: 'subtitle', attrs: { 'data-testid': 'subtitle' } }, subtitle(d)),
    status,
    studyList(state.studies, d.study.name),
    bestSection(d),
    historySection(d),
    intermediateSection(d),
    importanceSection(d),
    slicesSection(d),
    contourSection(d),
    parallelSection(d),
    trialsTable(d),
  );
  api.setState({ name: d.study.name, ...(state.source ? { file: state.source.file } : {}) });
}

let lastStateJson = '';
channel.onNotification('study/state', (next) => {
  const json = JSON.stringify(next);
  if (json === lastStateJson) return;
  lastStateJson = json;
  state = next;
  render();
});
render();
channel.ready();
