/**
 * The run page's metrics: a table of latest values, then one chart per metric over step or time.
 * A run may log 1,000 metrics of 1,000 steps: charts are placeholders until they scroll near the
 * window, their histories are fetched in batches for those only, and charts far out of view are
 * destroyed again (a canvas each would otherwise hold hundreds of MB).
 */
import uPlot from 'uplot';
import type { MetricHistoryPoints, RunMetric } from '../../../src/shared/run-protocol';
import { formatNumber } from '../../../src/shared/format';
import type { ChartTheme } from '../common/theme';
import { el } from '../common/dom';

export type XAxis = 'step' | 'relative' | 'wall';

export interface MetricsViewOptions {
  metrics: RunMetric[];
  theme: ChartTheme;
  xAxis: XAxis;
  onXAxis(x: XAxis): void;
  fetch(keys: string[]): Promise<MetricHistoryPoints[]>;
  onError(message: string): void;
  /** After the charts in view are drawn (the benchmark and tests wait for it). */
  onDrawn(count: number): void;
}

const CHART_WIDTH = 360;
const CHART_HEIGHT = 180;
const BATCH = 24;

function xValues(h: MetricHistoryPoints, axis: XAxis): { xs: number[]; ys: (number | null)[] } {
  if (axis === 'step') return { xs: h.steps, ys: h.values };
  // By time, points go in time order (uPlot wants x ascending).
  const order = h.timestamps.map((_, i) => i).sort((a, b) => h.timestamps[a]! - h.timestamps[b]! || a - b);
  const t0 = h.timestamps[order[0] ?? 0] ?? 0;
  return { xs: order.map((i) => (axis === 'wall' ? h.timestamps[i]! / 1000 : (h.timestamps[i]! - t0) / 1000)), ys: order.map((i) => h.values[i] ?? null) };
}

export class MetricsView {
  readonly element: HTMLElement;
  private readonly histories = new Map<string, MetricHistoryPoints>();
  private readonly charts = new Map<string, uPlot>();
  private readonly slots = new Map<string, HTMLElement>();
  private readonly wanted = new Set<string>();
  private observer: IntersectionObserver | undefined;
  private fetching = false;
  private drawn = 0;

  constructor(private readonly o: MetricsViewOptions) {
    const search = el('input', {
      className: 'search',
      attrs: { type: 'search', placeholder: 'Find a metric', 'aria-label': 'Find a metric', 'data-testid': 'metric-search' },
      on: { input: () => this.filter(search.value) },
    });
    const axis = el(
      'div',
      { className: 'segmented', attrs: { role: 'radiogroup', 'aria-label': 'Horizontal axis' } },
      ...(['step', 'relative', 'wall'] as const).map((x) =>
        el(
          'button',
          { attrs: { type: 'button', role: 'radio', 'aria-checked': String(x === o.xAxis), 'data-axis': x }, on: { click: () => o.onXAxis(x) } },
          x === 'step' ? 'Step' : x === 'relative' ? 'Time (relative)' : 'Wall time',
        ),
      ),
    );
    const rows = o.metrics.map((m) =>
      el(
        'tr',
        { attrs: { 'data-key': m.key } },
        el(
          'th',
          { attrs: { scope: 'row' } },
          el('button', { className: 'link', attrs: { type: 'button', title: `Show the chart of ${m.key}` }, on: { click: () => this.scrollTo(m.key) } }, m.key),
        ),
        el('td', { className: 'num' }, formatNumber(m.value)),
        el('td', { className: 'num' }, String(m.step)),
      ),
    );
    const table = el(
      'table',
      { className: 'kv metrics-table', attrs: { 'data-testid': 'metrics-table' } },
      el('thead', {}, el('tr', {}, el('th', {}, 'Metric'), el('th', { className: 'num' }, 'Latest'), el('th', { className: 'num' }, 'Step'))),
      el('tbody', {}, ...rows),
    );
    const charts = el('div', { className: 'chart-grid', attrs: { 'data-testid': 'metric-charts' } });
    for (const m of o.metrics) {
      const slot = el(
        'figure',
        { className: 'metric-chart', attrs: { 'data-key': m.key, role: 'group', 'aria-label': `History of ${m.key}` } },
        el('figcaption', { className: 'chart-title' }, m.key),
        el('div', { className: 'chart-canvas' }),
      );
      this.slots.set(m.key, slot);
      charts.append(slot);
    }
    this.element = el(
      'div',
      { className: 'metrics' },
      o.metrics.length === 0 ? el('p', { className: 'empty' }, 'This run logged no metrics.') : null,
      o.metrics.length ? el('div', { className: 'toolbar' }, search, axis) : null,
      o.metrics.length ? el('div', { className: 'metrics-split' }, el('div', { className: 'table-scroll' }, table), charts) : null,
    );
  }

  /** Starts watching which charts are near the window (call once the element is in the page). */
  start(root: Element | null): void {
    this.observer = new IntersectionObserver((entries) => this.onIntersect(entries), { root, rootMargin: '400px 0px' });
    for (const slot of this.slots.values()) this.observer.observe(slot);
  }

  private filter(text: string): void {
    const q = text.trim().toLowerCase();
    for (const [key, slot] of this.slots) slot.hidden = q !== '' && !key.toLowerCase().includes(q);
    for (const row of this.element.querySelectorAll<HTMLElement>('.metrics-table tbody tr'))
      row.hidden = q !== '' && !(row.dataset.key ?? '').toLowerCase().includes(q);
  }

  scrollTo(key: string): void {
    const slot = this.slots.get(key);
    if (!slot) return;
    slot.hidden = false;
    slot.scrollIntoView({ block: 'center' });
    slot.classList.add('flash');
    window.setTimeout(() => slot.classList.remove('flash'), 1200);
  }

  private onIntersect(entries: IntersectionObserverEntry[]): void {
    for (const e of entries) {
      const key = (e.target as HTMLElement).dataset.key ?? '';
      if (e.isIntersecting) {
        if (this.charts.has(key)) continue;
        if (this.histories.has(key)) this.draw(key);
        else this.wanted.add(key);
      } else {
        this.wanted.delete(key);
        this.charts.get(key)?.destroy();
        this.charts.delete(key);
      }
    }
    void this.fetchWanted();
  }

  private async fetchWanted(): Promise<void> {
    if (this.fetching || this.wanted.size === 0) return;
    this.fetching = true;
    try {
      while (this.wanted.size > 0) {
        const keys = [...this.wanted].slice(0, BATCH);
        for (const k of keys) this.wanted.delete(k);
        const got = await this.o.fetch(keys);
        for (const h of got) {
          this.histories.set(h.key, h);
          this.draw(h.key);
        }
      }
    } catch (e) {
      this.o.onError(e instanceof Error ? e.message : String(e));
    } finally {
      this.fetching = false;
    }
    this.o.onDrawn(this.drawn);
  }

  private draw(key: string): void {
    const slot = this.slots.get(key);
    const h = this.histories.get(key);
    if (!slot || !h || this.charts.has(key)) return;
    const host = slot.querySelector('.chart-canvas') as HTMLElement;
    host.replaceChildren();
    const { xs, ys } = xValues(h, this.o.xAxis);
    if (xs.length === 0) {
      host.append(el('p', { className: 'empty' }, 'No points.'));
      return;
    }
    const t = this.o.theme;
    const axis = { stroke: t.muted, grid: { stroke: t.grid, width: 1 }, ticks: { stroke: t.grid, width: 1 }, font: t.font };
    const plot = new uPlot(
      {
        width: CHART_WIDTH,
        height: CHART_HEIGHT,
        legend: { show: false },
        cursor: { points: { show: xs.length < 200 } },
        scales: { x: { time: this.o.xAxis === 'wall' } },
        // Compact axes: a chart is small, and its x label sits right under the tick values.
        axes: [
          {
            ...axis,
            size: 26,
            label: this.o.xAxis === 'step' ? 'step' : this.o.xAxis === 'relative' ? 'seconds' : '',
            labelFont: t.font,
            labelSize: 14,
            labelGap: 0,
          },
          { ...axis, size: 54 },
        ],
        series: [{ label: this.o.xAxis }, { label: key, stroke: t.runColor(0), width: 1.5, spanGaps: true, points: { show: xs.length === 1 } }],
      },
      [xs, ys] as uPlot.AlignedData,
      host,
    );
    this.charts.set(key, plot);
    this.drawn++;
  }

  destroy(): void {
    this.observer?.disconnect();
    for (const c of this.charts.values()) c.destroy();
    this.charts.clear();
  }
}
