/** Small hand-written SVG charts saved as run artifacts (no DOM, no dependencies). */

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(3);
}

function doc(w: number, h: number, title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="12">`,
    `<rect width="${w}" height="${h}" fill="#fff"/>`,
    `<text x="${w / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

export function confusionMatrixSvg(matrix: number[][], labels: string[], title = 'Confusion matrix'): string {
  const k = labels.length;
  const cell = Math.max(28, Math.min(70, Math.floor(420 / Math.max(1, k))));
  const left = 120;
  const top = 60;
  const w = left + k * cell + 30;
  const h = top + k * cell + 60;
  let max = 1;
  for (const row of matrix) for (const v of row) max = Math.max(max, v);
  const body: string[] = [];
  for (let i = 0; i < k; i++) {
    body.push(`<text x="${left - 6}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end">${esc(labels[i])}</text>`);
    body.push(`<text x="${left + i * cell + cell / 2}" y="${top + k * cell + 16}" text-anchor="middle">${esc(labels[i])}</text>`);
    for (let j = 0; j < k; j++) {
      const v = matrix[i][j];
      const a = v / max;
      body.push(
        `<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="rgb(${Math.round(255 - 224 * a)},${Math.round(255 - 136 * a)},${Math.round(255 - 75 * a)})" stroke="#ccc"/>`,
      );
      body.push(
        `<text x="${left + j * cell + cell / 2}" y="${top + i * cell + cell / 2 + 4}" text-anchor="middle" fill="${a > 0.6 ? '#fff' : '#000'}">${v}</text>`,
      );
    }
  }
  body.push(`<text x="${left + (k * cell) / 2}" y="${top + k * cell + 40}" text-anchor="middle">predicted</text>`);
  body.push(`<text x="16" y="${top + (k * cell) / 2}" transform="rotate(-90 16 ${top + (k * cell) / 2})" text-anchor="middle">true</text>`);
  return doc(w, h, title, body);
}

interface Frame2d {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

function axes(
  f: Frame2d,
  box: { left: number; top: number; w: number; h: number },
  xLabel: string,
  yLabel: string,
): { body: string[]; px: (x: number) => number; py: (y: number) => number } {
  const px = (x: number): number => box.left + ((x - f.x0) / (f.x1 - f.x0 || 1)) * box.w;
  const py = (y: number): number => box.top + box.h - ((y - f.y0) / (f.y1 - f.y0 || 1)) * box.h;
  const body = [`<rect x="${box.left}" y="${box.top}" width="${box.w}" height="${box.h}" fill="none" stroke="#333"/>`];
  for (let t = 0; t <= 4; t++) {
    const xv = f.x0 + ((f.x1 - f.x0) * t) / 4;
    const yv = f.y0 + ((f.y1 - f.y0) * t) / 4;
    body.push(`<text x="${px(xv)}" y="${box.top + box.h + 14}" text-anchor="middle">${fmt(Number(xv.toPrecision(3)))}</text>`);
    body.push(`<text x="${box.left - 4}" y="${py(yv) + 4}" text-anchor="end">${fmt(Number(yv.toPrecision(3)))}</text>`);
  }
  body.push(`<text x="${box.left + box.w / 2}" y="${box.top + box.h + 32}" text-anchor="middle">${esc(xLabel)}</text>`);
  body.push(`<text x="14" y="${box.top + box.h / 2}" transform="rotate(-90 14 ${box.top + box.h / 2})" text-anchor="middle">${esc(yLabel)}</text>`);
  return { body, px, py };
}

/**
 * A polyline's points at a tenth of a pixel, each point the same as the one before left out: a
 * curve of 200,000 thresholds draws the same picture from a few thousand points (and a file that size).
 */
function polylinePoints(xs: readonly number[], ys: readonly number[], px: (v: number) => number, py: (v: number) => number): string {
  const out: string[] = [];
  let last = '';
  for (let j = 0; j < xs.length; j++) {
    const p = `${px(xs[j]!).toFixed(1)},${py(ys[j]!).toFixed(1)}`;
    if (p !== last) out.push((last = p));
  }
  return out.join(' ');
}

export function rocSvg(curves: { label: string; fpr: number[]; tpr: number[]; auc: number }[], title = 'ROC (one vs rest)'): string {
  const box = { left: 60, top: 40, w: 360, h: 300 };
  const { body, px, py } = axes({ x0: 0, x1: 1, y0: 0, y1: 1 }, box, 'false positive rate', 'true positive rate');
  body.push(`<line x1="${px(0)}" y1="${py(0)}" x2="${px(1)}" y2="${py(1)}" stroke="#aaa" stroke-dasharray="4 4"/>`);
  curves.forEach((c, i) => {
    const pts = polylinePoints(c.fpr, c.tpr, px, py);
    const color = PALETTE[i % PALETTE.length];
    body.push(`<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="2"/>`);
    body.push(
      `<text x="${box.left + box.w + 10}" y="${box.top + 14 + i * 16}" fill="${color}">${esc(c.label)} (AUC ${Number.isNaN(c.auc) ? 'n/a' : c.auc.toFixed(3)})</text>`,
    );
  });
  return doc(box.left + box.w + 180, box.top + box.h + 50, title, body);
}

export function importanceSvg(items: { name: string; importance: number }[], title = 'Feature importance'): string {
  const shown = items.slice(0, 30);
  const left = 180;
  const barW = 320;
  const rowH = 20;
  const top = 40;
  const max = Math.max(1e-12, ...shown.map((s) => s.importance));
  const body: string[] = [];
  shown.forEach((s, i) => {
    const y = top + i * rowH;
    body.push(`<text x="${left - 6}" y="${y + 14}" text-anchor="end">${esc(s.name)}</text>`);
    body.push(`<rect x="${left}" y="${y + 3}" width="${((Math.max(0, s.importance) / max) * barW).toFixed(1)}" height="${rowH - 6}" fill="${PALETTE[0]}"/>`);
    body.push(`<text x="${left + (Math.max(0, s.importance) / max) * barW + 4}" y="${y + 14}">${s.importance.toFixed(3)}</text>`);
  });
  return doc(left + barW + 70, top + shown.length * rowH + 20, title, body);
}

export function residualsSvg(predicted: ArrayLike<number>, actual: ArrayLike<number>, title = 'Residuals'): string {
  const n = Math.min(predicted.length, 5000);
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < n; i++) {
    const r = actual[i] - predicted[i];
    x0 = Math.min(x0, predicted[i]);
    x1 = Math.max(x1, predicted[i]);
    y0 = Math.min(y0, r);
    y1 = Math.max(y1, r);
  }
  const box = { left: 70, top: 40, w: 400, h: 300 };
  const { body, px, py } = axes({ x0, x1, y0, y1 }, box, 'predicted', 'actual − predicted');
  if (y0 < 0 && y1 > 0) body.push(`<line x1="${box.left}" y1="${py(0)}" x2="${box.left + box.w}" y2="${py(0)}" stroke="#aaa" stroke-dasharray="4 4"/>`);
  for (let i = 0; i < n; i++)
    body.push(`<circle cx="${px(predicted[i]).toFixed(1)}" cy="${py(actual[i] - predicted[i]).toFixed(1)}" r="2" fill="${PALETTE[0]}" fill-opacity="0.6"/>`);
  return doc(box.left + box.w + 20, box.top + box.h + 50, title, body);
}
