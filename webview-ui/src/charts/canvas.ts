/**
 * Small hand-drawn canvas charts for a few hundred marks (parallel coordinates, scatter, bars):
 * cheaper than pulling a second charting library. Positions come from src/shared/chart-data.ts.
 */
import type { Axis, BarModel, ParallelModel, ScatterModel } from '../../../src/shared/chart-data';
import { layoutAxisLabels } from '../../../src/shared/chart-data';
import { formatNumber } from '../../../src/shared/format';
import type { ChartTheme } from '../common/theme';

export function makeCanvas(width: number, height: number, label: string): { canvas: HTMLCanvasElement; ctx: CanvasRenderingContext2D } {
  const canvas = document.createElement('canvas');
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', label);
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
  ctx.scale(ratio, ratio);
  return { canvas, ctx };
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function axisLabel(axis: Axis, t: number): string {
  if (axis.scale === 'categorical') return axis.categories[Math.round(t * axis.max)] ?? '';
  return formatNumber(axis.min + t * (axis.max - axis.min));
}

export function drawParallel(ctx: CanvasRenderingContext2D, model: ParallelModel, theme: ChartTheme, width: number, height: number): void {
  const top = 48;
  const bottom = height - 24;
  const left = 48;
  const gap = model.axes.length > 1 ? (width - 2 * left) / (model.axes.length - 1) : 0;
  const xOf = (i: number) => left + i * gap;
  const yOf = (t: number) => bottom - t * (bottom - top);
  ctx.lineWidth = 1.25;
  for (const line of model.lines) {
    ctx.strokeStyle = theme.runColor(line.runIndex);
    ctx.globalAlpha = 0.75;
    ctx.beginPath();
    let pen = false;
    line.positions.forEach((p, i) => {
      if (p === null) {
        pen = false;
        return;
      }
      if (pen) ctx.lineTo(xOf(i), yOf(p));
      else ctx.moveTo(xOf(i), yOf(p));
      pen = true;
    });
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
  ctx.font = theme.font;
  ctx.textAlign = 'center';
  // Titles are laid out so none overlaps another (two alternating lines when the axes are close).
  const titles = layoutAxisLabels(
    model.axes.map((a) => a.key),
    model.axes.map((_, i) => xOf(i)),
    (t) => ctx.measureText(t).width,
  );
  ctx.canvas.dataset.labels = JSON.stringify(titles.map((t) => ({ ...t, width: Math.ceil(ctx.measureText(t.text).width) })));
  model.axes.forEach((axis, i) => {
    ctx.strokeStyle = theme.muted;
    ctx.beginPath();
    ctx.moveTo(xOf(i), top);
    ctx.lineTo(xOf(i), bottom);
    ctx.stroke();
    const title = titles[i]!;
    ctx.fillStyle = theme.foreground;
    ctx.fillText(title.text, title.x, top - 30 + title.line * 12);
    ctx.fillStyle = theme.muted;
    const room = Math.max(4, Math.floor((gap || width) / 7));
    ctx.fillText(clip(axisLabel(axis, 1), Math.min(14, room)), xOf(i), top - 6);
    ctx.fillText(clip(axisLabel(axis, 0), Math.min(14, room)), xOf(i), bottom + 14);
  });
}

export function drawScatter(ctx: CanvasRenderingContext2D, model: ScatterModel, theme: ChartTheme, width: number, height: number): void {
  const left = 56;
  const right = width - 16;
  const top = 12;
  const bottom = height - 36;
  ctx.strokeStyle = theme.grid;
  ctx.strokeRect(left, top, right - left, bottom - top);
  for (const p of model.points) {
    ctx.fillStyle = theme.runColor(p.runIndex);
    ctx.beginPath();
    // Jitter-free: points that coincide overlap, which the table resolves.
    ctx.arc(left + p.x * (right - left), bottom - p.y * (bottom - top), 4, 0, Math.PI * 2);
    ctx.fill();
  }
  ctx.font = theme.font;
  ctx.fillStyle = theme.muted;
  ctx.textAlign = 'left';
  ctx.fillText(clip(axisLabel(model.x, 0), 14), left, bottom + 14);
  ctx.textAlign = 'right';
  ctx.fillText(clip(axisLabel(model.x, 1), 14), right, bottom + 14);
  ctx.fillText(clip(axisLabel(model.y, 1), 10), left - 4, top + 10);
  ctx.fillText(clip(axisLabel(model.y, 0), 10), left - 4, bottom);
  ctx.textAlign = 'center';
  ctx.fillStyle = theme.foreground;
  ctx.fillText(`${clip(model.x.key, 30)} →`, (left + right) / 2, bottom + 30);
}

export function drawBars(ctx: CanvasRenderingContext2D, model: BarModel, theme: ChartTheme, width: number, height: number): void {
  const left = 56;
  const right = width - 8;
  const top = 18;
  const bottom = height - 20;
  const span = model.max - model.min;
  const yOf = (v: number) => bottom - ((Math.min(model.max, Math.max(model.min, v)) - model.min) / span) * (bottom - top);
  const slot = (right - left) / Math.max(model.bars.length, 1);
  const barWidth = Math.max(1, slot * 0.8);
  ctx.font = theme.font;
  ctx.textAlign = 'center';
  model.bars.forEach((b, i) => {
    const x = left + i * slot + (slot - barWidth) / 2;
    if (b.value !== null) {
      ctx.fillStyle = theme.runColor(b.runIndex);
      const y1 = yOf(b.value);
      ctx.fillRect(x, y1, barWidth, Math.max(1, bottom - y1));
      // Each bar says its value when there is room: the axis alone cannot tell 0.7554 from 0.7526.
      if (slot >= 36) {
        ctx.fillStyle = theme.foreground;
        ctx.fillText(formatNumber(Number(b.value.toPrecision(4))), x + barWidth / 2, y1 - 3);
      }
    }
    if (b.baseline !== null) {
      // The run's majority-class / mean baseline: a dashed mark across its bar.
      const yb = yOf(b.baseline);
      ctx.strokeStyle = theme.foreground;
      ctx.setLineDash([3, 2]);
      ctx.beginPath();
      ctx.moveTo(x - 2, yb);
      ctx.lineTo(x + barWidth + 2, yb);
      ctx.stroke();
      ctx.setLineDash([]);
    }
  });
  ctx.strokeStyle = theme.muted;
  ctx.beginPath();
  ctx.moveTo(left, bottom);
  ctx.lineTo(right, bottom);
  ctx.stroke();
  ctx.fillStyle = theme.muted;
  ctx.textAlign = 'right';
  ctx.fillText(formatNumber(Number(model.max.toPrecision(4))), left - 4, top + 8);
  ctx.fillText(formatNumber(Number(model.min.toPrecision(4))), left - 4, bottom);
}
