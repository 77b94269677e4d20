/**
 * Metric history per step with every run overlaid, drawn by uPlot (canvas, built for many
 * points: 100 runs × 1,000 steps is 100k points per chart).
 */
import uPlot from 'uplot';
import type { AlignedHistories } from '../../../src/shared/chart-data';
import type { ChartTheme } from '../common/theme';
import { el } from '../common/dom';

export interface HistoryChart {
  element: HTMLElement;
  destroy(): void;
}

export function historyChart(
  title: string,
  data: AlignedHistories,
  runNames: readonly string[],
  colorIndexes: readonly number[],
  theme: ChartTheme,
  width: number,
  onDrawn: () => void,
  /** `fold` for per-fold metrics (step = fold): each fold is a point on the line. */
  xLabel: 'step' | 'fold' = 'step',
): HistoryChart {
  const caption = el('div', { className: 'chart-caption', attrs: { 'aria-live': 'polite' } }, 'Hover a line to see its run.');
  const host = el('div', { className: 'chart-canvas' });
  const element = el(
    'figure',
    { className: 'chart', attrs: { role: 'group', 'aria-label': `${title}: history of ${runNames.length} runs over ${data.steps.length} steps` } },
    el('figcaption', { className: 'chart-title' }, title),
    host,
    caption,
  );
  const axis = { stroke: theme.muted, grid: { stroke: theme.grid, width: 1 }, ticks: { stroke: theme.grid, width: 1 }, font: theme.font };
  let drawn = false;
  const options: uPlot.Options = {
    width,
    height: 240,
    legend: { show: false },
    scales: { x: { time: false } },
    cursor: { focus: { prox: 12 }, points: { show: false } },
    focus: { alpha: 0.25 },
    axes: [
      {
        ...axis,
        label: xLabel,
        labelFont: theme.font,
        ...(xLabel === 'fold' ? { incrs: [1], values: (_u: uPlot, ticks: number[]) => ticks.map((t) => String(t + 1)) } : {}),
      },
      { ...axis, size: 56 },
    ],
    series: [
      { label: xLabel },
      ...runNames.map((name, i) => ({
        label: name,
        stroke: theme.runColor(colorIndexes[i]),
        width: 1.25,
        spanGaps: true,
        points: { show: data.steps.length <= 20 },
      })),
    ],
    hooks: {
      draw: [
        () => {
          if (!drawn) {
            drawn = true;
            onDrawn();
          }
        },
      ],
      setSeries: [
        (u: uPlot, index: number | null) => {
          caption.textContent = index === null || index === 0 ? 'Hover a line to see its run.' : `${u.series[index].label ?? ''}`;
        },
      ],
    },
  };
  const plot = new uPlot(options, [data.steps, ...data.series] as uPlot.AlignedData, host);
  return { element, destroy: () => plot.destroy() };
}
