/**
 * The study panel's canvas plots: intermediate values per step, slice plots, a contour-like
 * heatmap of two params, and parallel coordinates. Hand-drawn like canvas.ts (a few thousand
 * marks at most: 1,000 trials × a handful of params); the data is shaped on the host
 * (src/extension/webviews/study-plots.ts). Text goes through fillText, never HTML.
 */
import type { StudyDetail } from '../../../src/shared/study-protocol';
import { layoutAxisLabels } from '../../../src/shared/chart-data';
import { formatNumber } from '../../../src/shared/format';
import type { ChartTheme } from '../common/theme';

export type PlotParam = StudyDetail['plots']['params'][number];
type Direction = StudyDetail['study']['direction'];

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const short = (v: number): string => formatNumber(Number(v.toPrecision(4)));

/** Where a param value sits on its axis, in [0, 1]; categories get evenly spaced slots, numbers a 3% margin so none sits on the frame. */
export function unitOf(p: PlotParam, v: number): number {
  if (p.scale === 'categorical') return p.categories.length ? (v + 0.5) / p.categories.length : 0.5;
  const u = p.scale === 'log' ? (Math.log(v) - Math.log(p.min)) / (Math.log(p.max) - Math.log(p.min)) : (v - p.min) / (p.max - p.min);
  return p.max > p.min ? 0.03 + 0.94 * u : 0.5;
}

function paramLabel(p: PlotParam, t: number): string {
  if (p.scale === 'categorical') return '';
  const v = p.scale === 'log' ? Math.exp(Math.log(p.min) + t * (Math.log(p.max) - Math.log(p.min))) : p.min + t * (p.max - p.min);
  return short(v);
}

/** The objective's range, and each value as "goodness" in [0, 1] (1 = best in the study's direction). */
export function valueScale(values: readonly number[], direction: Direction): { min: number; max: number; good(v: number): number } {
  const min = values.length ? Math.min(...values) : 0;
  const max = values.length ? Math.max(...values) : 1;
  const u = (v: number): number => (max > min ? (v - min) / (max - min) : 0.5);
  return { min, max, good: (v) => (direction === 'maximize' ? u(v) : 1 - u(v)) };
}

/** Worse → better as dark blue → yellow (a viridis-like ramp, readable on light and dark themes). */
export function goodColor(t: number): string {
  const c = Math.max(0, Math.min(1, t));
  return `hsl(${Math.round(250 - 195 * c)}, ${Math.round(55 + 30 * c)}%, ${Math.round(38 + 20 * c)}%)`;
}

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

function frame(ctx: CanvasRenderingContext2D, b: Box, theme: ChartTheme): void {
  ctx.strokeStyle = theme.grid;
  ctx.lineWidth = 1;
  ctx.strokeRect(b.left, b.top, b.right - b.left, b.bottom - b.top);
}

/** The x axis of a param: its ends, or its categories when they fit. */
function paramAxis(ctx: CanvasRenderingContext2D, p: PlotParam, b: Box, theme: ChartTheme, title = true): void {
  ctx.font = theme.font;
  ctx.fillStyle = theme.muted;
  if (p.scale === 'categorical') {
    ctx.textAlign = 'center';
    const slot = (b.right - b.left) / Math.max(1, p.categories.length);
    const room = Math.max(2, Math.floor(slot / 6));
    if (p.categories.length <= 12) p.categories.forEach((c, i) => ctx.fillText(clip(c, room), b.left + (i + 0.5) * slot, b.bottom + 13));
  } else {
    ctx.textAlign = 'left';
    ctx.fillText(paramLabel(p, 0), b.left, b.bottom + 13);
    ctx.textAlign = 'right';
    ctx.fillText(`${paramLabel(p, 1)}${p.scale === 'log' ? ' (log)' : ''}`, b.right, b.bottom + 13);
  }
  if (title) {
    ctx.textAlign = 'center';
    ctx.fillStyle = theme.foreground;
    ctx.fillText(clip(p.name, 40), (b.left + b.right) / 2, b.bottom + 27);
  }
}

function valueAxis(ctx: CanvasRenderingContext2D, min: number, max: number, b: Box, theme: ChartTheme): void {
  ctx.font = theme.font;
  ctx.fillStyle = theme.muted;
  ctx.textAlign = 'right';
  ctx.fillText(short(max), b.left - 4, b.top + 9);
  ctx.fillText(short(min), b.left - 4, b.bottom);
}

/** A small deterministic spread inside a category's slot, so equal categories do not hide each other. */
const jitter = (i: number): number => (((i * 2654435761) >>> 0) / 2 ** 32 - 0.5) * 0.5;

export interface Drawn {
  marks: number;
  pruned?: number;
}

/**
 * Each trial's intermediate values by step, one line per trial: complete trials solid, pruned ones
 * dashed in their own colour and ended with a cross where they were stopped, the best one on top.
 */
export function drawIntermediate(
  ctx: CanvasRenderingContext2D,
  data: StudyDetail['intermediate'],
  bestTrial: number | null,
  theme: ChartTheme,
  width: number,
  height: number,
  stepLabel: (step: number) => string,
): Drawn {
  const b: Box = { left: 56, right: width - 12, top: 10, bottom: height - 34 };
  frame(ctx, b, theme);
  const all = data.lines.flatMap((l) => l.values.filter((v): v is number => v !== null));
  const min = all.length ? Math.min(...all) : 0;
  const max = all.length ? Math.max(...all) : 1;
  const n = data.steps.length;
  const xOf = (i: number): number => (n > 1 ? b.left + (i / (n - 1)) * (b.right - b.left) : (b.left + b.right) / 2);
  const yOf = (v: number): number => b.bottom - (max > min ? (v - min) / (max - min) : 0.5) * (b.bottom - b.top);
  const pruneColor = theme.runColor(1);
  let pruned = 0;
  const order = [...data.lines].sort((x, y) => Number(x.number === bestTrial) - Number(y.number === bestTrial));
  for (const line of order) {
    const isPruned = line.state === 'PRUNED';
    const isBest = line.number === bestTrial;
    ctx.strokeStyle = isBest ? theme.runColor(5) : isPruned ? pruneColor : line.state === 'COMPLETE' ? theme.runColor(0) : theme.muted;
    ctx.globalAlpha = isBest ? 1 : 0.55;
    ctx.lineWidth = isBest ? 2.5 : 1;
    ctx.setLineDash(isPruned ? [4, 3] : []);
    ctx.beginPath();
    let last = -1;
    line.values.forEach((v, i) => {
      if (v === null) return;
      if (last < 0) ctx.moveTo(xOf(i), yOf(v));
      else ctx.lineTo(xOf(i), yOf(v));
      last = i;
    });
    ctx.stroke();
    if (isPruned && last >= 0) {
      // A cross where the pruner stopped the trial.
      const x = xOf(last);
      const y = yOf(line.values[last]!);
      ctx.setLineDash([]);
      ctx.beginPath();
      ctx.moveTo(x - 3, y - 3);
      ctx.lineTo(x + 3, y + 3);
      ctx.moveTo(x + 3, y - 3);
      ctx.lineTo(x - 3, y + 3);
      ctx.stroke();
      pruned += 1;
    }
  }
  ctx.setLineDash([]);
  ctx.globalAlpha = 1;
  ctx.lineWidth = 1;
  valueAxis(ctx, min, max, b, theme);
  ctx.fillStyle = theme.muted;
  ctx.textAlign = 'center';
  const every = Math.max(1, Math.ceil(n / 12));
  data.steps.forEach((s, i) => {
    // The ends aligned inwards, so their labels stay on the canvas.
    ctx.textAlign = n > 1 && i === 0 ? 'left' : n > 1 && i === n - 1 ? 'right' : 'center';
    if (i % every === 0 || i === n - 1) ctx.fillText(stepLabel(s), xOf(i), b.bottom + 13);
  });
  return { marks: data.lines.length, pruned };
}

/** One param against the objective, a point per complete trial coloured by its number (later = lighter). */
export function drawSlice(ctx: CanvasRenderingContext2D, p: PlotParam, plots: StudyDetail['plots'], theme: ChartTheme, width: number, height: number): Drawn {
  const b: Box = { left: 48, right: width - 8, top: 8, bottom: height - 34 };
  frame(ctx, b, theme);
  const vs = valueScale(plots.values, 'maximize');
  const n = plots.values.length;
  let marks = 0;
  plots.values.forEach((v, i) => {
    const x = p.positions[i];
    if (x === null || x === undefined) return;
    const jx = p.scale === 'categorical' ? jitter(i) / Math.max(1, p.categories.length) : 0;
    ctx.fillStyle = goodColor(n > 1 ? i / (n - 1) : 1);
    ctx.globalAlpha = 0.8;
    ctx.beginPath();
    ctx.arc(b.left + (unitOf(p, x) + jx) * (b.right - b.left), b.bottom - vs.good(v) * (b.bottom - b.top), 2.5, 0, Math.PI * 2);
    ctx.fill();
    marks += 1;
  });
  ctx.globalAlpha = 1;
  valueAxis(ctx, vs.min, vs.max, b, theme);
  paramAxis(ctx, p, b, theme, false);
  return { marks };
}

const GRID = 40;

/**
 * Two params against each other, the objective as colour: a heatmap interpolated over a 40×40 grid
 * (inverse-distance weighting of the complete trials, as a filled contour approximates), with the
 * trials as points on top.
 */
export function drawContour(
  ctx: CanvasRenderingContext2D,
  px: PlotParam,
  py: PlotParam,
  plots: StudyDetail['plots'],
  direction: Direction,
  theme: ChartTheme,
  width: number,
  height: number,
): Drawn {
  const b: Box = { left: 56, right: width - 12, top: 8, bottom: height - 34 };
  const vs = valueScale(plots.values, direction);
  const pts: { x: number; y: number; g: number }[] = [];
  plots.values.forEach((v, i) => {
    const x = px.positions[i];
    const y = py.positions[i];
    if (x === null || y === null || x === undefined || y === undefined) return;
    pts.push({ x: unitOf(px, x), y: unitOf(py, y), g: vs.good(v) });
  });
  const cw = (b.right - b.left) / GRID;
  const ch = (b.bottom - b.top) / GRID;
  if (pts.length > 0)
    for (let gx = 0; gx < GRID; gx++)
      for (let gy = 0; gy < GRID; gy++) {
        const cx = (gx + 0.5) / GRID;
        const cy = (gy + 0.5) / GRID;
        let wsum = 0;
        let vsum = 0;
        for (const p of pts) {
          const w = 1 / ((p.x - cx) ** 2 + (p.y - cy) ** 2 + 1e-4);
          wsum += w;
          vsum += w * p.g;
        }
        ctx.fillStyle = goodColor(vsum / wsum);
        // Half a pixel over each edge: no seams between cells.
        ctx.fillRect(b.left + gx * cw - 0.5, b.bottom - (gy + 1) * ch - 0.5, cw + 1, ch + 1);
      }
  ctx.strokeStyle = theme.background;
  ctx.fillStyle = theme.foreground;
  pts.forEach((p, i) => {
    const jx = px.scale === 'categorical' ? jitter(i) / Math.max(1, px.categories.length) : 0;
    const jy = py.scale === 'categorical' ? jitter(i + 7) / Math.max(1, py.categories.length) : 0;
    ctx.beginPath();
    ctx.arc(b.left + (p.x + jx) * (b.right - b.left), b.bottom - (p.y + jy) * (b.bottom - b.top), 2, 0, Math.PI * 2);
    ctx.fill();
  });
  frame(ctx, b, theme);
  paramAxis(ctx, px, b, theme);
  ctx.font = theme.font;
  ctx.fillStyle = theme.muted;
  ctx.textAlign = 'right';
  if (py.scale === 'categorical') {
    const slot = (b.bottom - b.top) / Math.max(1, py.categories.length);
    if (py.categories.length <= 12) py.categories.forEach((c, i) => ctx.fillText(clip(c, 8), b.left - 4, b.bottom - (i + 0.5) * slot + 4));
  } else {
    ctx.fillText(clip(paramLabel(py, 1), 8), b.left - 4, b.top + 9);
    ctx.fillText(clip(paramLabel(py, 0), 8), b.left - 4, b.bottom);
  }
  return { marks: pts.length };
}

/** One axis per param and one for the objective; a line per complete trial coloured by its value, the best on top. */
export function drawParallelStudy(
  ctx: CanvasRenderingContext2D,
  plots: StudyDetail['plots'],
  metric: string,
  direction: Direction,
  theme: ChartTheme,
  width: number,
  height: number,
): Drawn & { labels: string[] } {
  const top = 44;
  const bottom = height - 22;
  const left = 48;
  const count = plots.params.length + 1;
  const gap = count > 1 ? (width - 2 * left) / (count - 1) : 0;
  const xOf = (i: number): number => left + i * gap;
  const yOf = (t: number): number => bottom - t * (bottom - top);
  const vs = valueScale(plots.values, direction);
  const valueUnit = (v: number): number => (vs.max > vs.min ? (v - vs.min) / (vs.max - vs.min) : 0.5);
  const order = plots.values.map((_, i) => i).sort((a, b) => vs.good(plots.values[a]) - vs.good(plots.values[b]));
  ctx.lineWidth = 1;
  for (const i of order) {
    ctx.strokeStyle = goodColor(vs.good(plots.values[i]));
    ctx.globalAlpha = 0.6;
    ctx.beginPath();
    let pen = false;
    plots.params.forEach((p, a) => {
      const x = p.positions[i];
      if (x === null || x === undefined) {
        pen = false;
        return;
      }
      if (pen) ctx.lineTo(xOf(a), yOf(unitOf(p, x)));
      else ctx.moveTo(xOf(a), yOf(unitOf(p, x)));
      pen = true;
    });
    if (pen) ctx.lineTo(xOf(count - 1), yOf(valueUnit(plots.values[i])));
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
  ctx.font = theme.font;
  ctx.textAlign = 'center';
  const keys = [...plots.params.map((p) => p.name), metric];
  const titles = layoutAxisLabels(
    keys,
    keys.map((_, i) => xOf(i)),
    (t) => ctx.measureText(t).width,
  );
  const room = Math.max(4, Math.floor((gap || width) / 7));
  keys.forEach((_, i) => {
    ctx.strokeStyle = theme.muted;
    ctx.beginPath();
    ctx.moveTo(xOf(i), top);
    ctx.lineTo(xOf(i), bottom);
    ctx.stroke();
    ctx.fillStyle = theme.foreground;
    ctx.fillText(titles[i]!.text, titles[i]!.x, top - 28 + titles[i]!.line * 12);
    ctx.fillStyle = theme.muted;
    const p = plots.params[i];
    const hi = p ? (p.scale === 'categorical' ? (p.categories.at(-1) ?? '') : paramLabel(p, 1)) : short(vs.max);
    const lo = p ? (p.scale === 'categorical' ? (p.categories[0] ?? '') : paramLabel(p, 0)) : short(vs.min);
    ctx.fillText(clip(hi, Math.min(14, room)), xOf(i), top - 5);
    ctx.fillText(clip(lo, Math.min(14, room)), xOf(i), bottom + 13);
  });
  return { marks: plots.values.length, labels: titles.map((t) => t.text) };
}
