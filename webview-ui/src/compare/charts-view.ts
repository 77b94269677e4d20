/**
 * The charts section: metric histories (fetched on demand from the host, one request per metric),
 * parallel coordinates, scatter of a param against a metric, and bars of final values.
 */
import type { CompareRun, MetricHistory } from '../../../src/shared/compare-protocol';
import { alignHistories, buildBars, buildParallel, buildScatter, singleValued } from '../../../src/shared/chart-data';
import { metricLabel, metricMeaning } from '../../../src/core/metric-meaning';
import { formatNumber } from '../../../src/shared/format';
import { clear, el } from '../common/dom';
import type { ChartTheme } from '../common/theme';
import { drawBars, drawParallel, drawScatter, makeCanvas } from '../charts/canvas';
import type { HistoryChart } from '../charts/history-chart';
import { historyChart } from '../charts/history-chart';
import { checkbox, dropdown } from '../toolkit/components';

export interface ChartsSelection {
  historyMetrics: string[];
  focusMetric: string;
  scatterParam: string;
}

export interface ChartsContext {
  runs: readonly CompareRun[];
  metricKeys: readonly string[];
  paramKeys: readonly string[];
  selection: ChartsSelection;
  theme: ChartTheme;
  width: number;
  loadHistory(key: string): Promise<MetricHistory[]>;
  onSelection(selection: ChartsSelection): void;
  onHistoryError(key: string, message: string): void;
  /** Called once every history chart of this render has drawn (or failed). */
  onAllDrawn(count: number): void;
}

export class ChartsView {
  readonly element = el('section', { className: 'charts', attrs: { 'aria-label': 'Charts' } });
  private charts: HistoryChart[] = [];
  private generation = 0;

  render(ctx: ChartsContext): void {
    this.destroy();
    const generation = ++this.generation;
    clear(this.element);
    const { runs, selection, theme } = ctx;
    if (runs.length === 0 || ctx.metricKeys.length === 0) {
      this.element.append(el('p', { className: 'empty' }, 'No metrics logged by these runs, so there is nothing to chart.'));
      ctx.onAllDrawn(0);
      return;
    }
    const pick = el(
      'fieldset',
      { className: 'metric-picker' },
      el('legend', {}, 'History of'),
      ...ctx.metricKeys.map((key) =>
        checkbox(key, selection.historyMetrics.includes(key), (on) => {
          const next = on ? [...selection.historyMetrics, key] : selection.historyMetrics.filter((k) => k !== key);
          ctx.onSelection({ ...selection, historyMetrics: ctx.metricKeys.filter((k) => next.includes(k)) });
        }),
      ),
    );
    const historyGrid = el('div', { className: 'history-grid', attrs: { 'data-testid': 'history-charts' } });
    this.element.append(el('h2', {}, 'Metric history'), pick, historyGrid);

    const columns = ctx.width >= 900 ? 2 : 1;
    const chartWidth = Math.max(280, Math.floor(ctx.width / columns) - 24);
    const runIds = runs.map((r) => r.runId);
    const names = runs.map((r) => r.runName || r.runId);
    const colors = runs.map((_, i) => i);
    // Histories arrive one response per metric; the charts go in together, in one task, so the
    // page pays for one style and layout pass instead of one per chart.
    const slots = selection.historyMetrics.map((key) => {
      const slot = el('div', { className: 'history-slot', attrs: { 'aria-busy': 'true' } }, el('p', { className: 'loading' }, `Loading ${key}…`));
      historyGrid.append(slot);
      return slot;
    });
    if (slots.length === 0) ctx.onAllDrawn(0);
    else {
      void Promise.allSettled(selection.historyMetrics.map((key) => ctx.loadHistory(key))).then((results) => {
        if (generation !== this.generation) return;
        let pending = results.length;
        const settle = () => {
          if (--pending === 0 && generation === this.generation) ctx.onAllDrawn(results.length);
        };
        results.forEach((r, i) => {
          const key = selection.historyMetrics[i];
          const slot = slots[i];
          slot.removeAttribute('aria-busy');
          if (r.status === 'rejected') {
            slot.textContent = `Could not load the history of ${key}.`;
            ctx.onHistoryError(key, r.reason instanceof Error ? r.reason.message : String(r.reason));
            settle();
            return;
          }
          const aligned = alignHistories(r.value, runIds);
          const label = metricLabel(key, ctx.metricKeys);
          clear(slot);
          if (singleValued(aligned)) {
            // One point per run draws no line: say what the metric is instead of showing an empty chart.
            slot.append(
              el(
                'figure',
                { className: 'chart single-value', attrs: { 'data-testid': 'single-value', 'data-key': key } },
                el('figcaption', { className: 'chart-title' }, label),
                el('p', { className: 'empty' }, `${key} has one value per run, so it has no history: compare it in the table and in the bars below.`),
              ),
            );
            settle();
            return;
          }
          const perFold = metricMeaning(key).kind === 'fold';
          const chart = historyChart(label, aligned, names, colors, theme, chartWidth, settle, perFold ? 'fold' : 'step');
          this.charts.push(chart);
          slot.append(chart.element);
        });
      });
    }

    const focus = dropdown('Metric', ctx.metricKeys, selection.focusMetric, (focusMetric) => ctx.onSelection({ ...selection, focusMetric }), 'focus-metric');
    const compare = el('div', { className: 'chart-controls' }, el('label', {}, 'Metric '), focus);
    this.element.append(el('h2', {}, 'Across runs'), compare);
    const grid = el('div', { className: 'summary-grid' });
    this.element.append(grid);
    const w = Math.max(280, Math.floor(ctx.width / columns) - 24);

    const parallel = buildParallel(runs, ctx.paramKeys.slice(0, 8), selection.focusMetric);
    const pc = makeCanvas(w, 260, `Parallel coordinates of ${parallel.axes.length - 1} params against ${selection.focusMetric}`);
    drawParallel(pc.ctx, parallel, theme, w, 260);
    grid.append(
      el(
        'figure',
        { className: 'chart', attrs: { 'data-testid': 'parallel' } },
        el('figcaption', { className: 'chart-title' }, `Parallel coordinates → ${selection.focusMetric}`),
        pc.canvas,
      ),
    );

    if (ctx.paramKeys.length > 0) {
      const param = ctx.paramKeys.includes(selection.scatterParam) ? selection.scatterParam : ctx.paramKeys[0];
      const scatter = buildScatter(runs, param, selection.focusMetric);
      const sc = makeCanvas(w, 260, `Scatter of ${selection.focusMetric} against ${param}, ${scatter.points.length} runs`);
      drawScatter(sc.ctx, scatter, theme, w, 260);
      const paramPick = dropdown('Param', ctx.paramKeys, param, (scatterParam) => ctx.onSelection({ ...selection, scatterParam }), 'scatter-param');
      grid.append(
        el(
          'figure',
          { className: 'chart', attrs: { 'data-testid': 'scatter' } },
          el('figcaption', { className: 'chart-title' }, `${selection.focusMetric} against `, paramPick),
          sc.canvas,
        ),
      );
    }

    const bars = buildBars(runs, selection.focusMetric);
    const focusLabel = metricLabel(selection.focusMetric, ctx.metricKeys);
    const bc = makeCanvas(w, 220, `${focusLabel} of each run${bars.zeroBased ? '' : `, axis from ${formatNumber(Number(bars.min.toPrecision(4)))}`}`);
    drawBars(bc.ctx, bars, theme, w, 220);
    const notes = [
      bars.zeroBased ? '' : `axis from ${formatNumber(Number(bars.min.toPrecision(4)))}, not 0`,
      bars.bars.some((b) => b.baseline !== null) ? "dashed: the run's baseline" : '',
    ]
      .filter(Boolean)
      .join(' · ');
    grid.append(
      el(
        'figure',
        { className: 'chart', attrs: { 'data-testid': 'bars', 'data-zero-based': String(bars.zeroBased) } },
        el('figcaption', { className: 'chart-title' }, focusLabel),
        bc.canvas,
        notes ? el('div', { className: 'chart-caption', attrs: { 'data-testid': 'bars-note' } }, notes) : null,
      ),
    );
  }

  destroy(): void {
    for (const c of this.charts) c.destroy();
    this.charts = [];
  }
}
