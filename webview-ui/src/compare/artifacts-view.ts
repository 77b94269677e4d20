/** Confusion matrices and feature importances of the runs that logged them, side by side. */
import type { CompareRun, ConfusionMatrix, FeatureImportance } from '../../../src/shared/compare-protocol';
import { el } from '../common/dom';

function matrixTable(run: CompareRun, m: ConfusionMatrix): HTMLElement {
  const head = el('tr', {}, el('th', { attrs: { scope: 'col' } }, 'true \\ pred'), ...m.labels.map((l) => el('th', { attrs: { scope: 'col' } }, l)));
  const rows = m.matrix.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    return el(
      'tr',
      {},
      el('th', { attrs: { scope: 'row' } }, m.labels[i] ?? String(i)),
      ...row.map((v, j) => {
        const td = el('td', { className: i === j ? 'diag num' : 'num' }, String(v));
        td.style.setProperty('--share', (v / total).toFixed(3));
        return td;
      }),
    );
  });
  return el(
    'figure',
    { className: 'artifact' },
    el('figcaption', {}, run.runName),
    el('table', { className: 'confusion' }, el('thead', {}, head), el('tbody', {}, ...rows)),
  );
}

function importanceList(run: CompareRun, f: FeatureImportance, color: string): HTMLElement {
  const pairs = f.features
    .map((name, i) => ({ name, value: f.importances[i] ?? 0 }))
    .sort((a, b) => b.value - a.value)
    .slice(0, 15);
  const max = Math.max(...pairs.map((p) => p.value), 1e-12);
  return el(
    'figure',
    { className: 'artifact' },
    el('figcaption', {}, run.runName),
    el(
      'ol',
      { className: 'importance' },
      ...pairs.map((p) => {
        const bar = el('span', { className: 'bar', attrs: { 'aria-hidden': 'true' } });
        bar.style.width = `${Math.max(0, (p.value / max) * 100).toFixed(1)}%`;
        bar.style.backgroundColor = color;
        return el(
          'li',
          {},
          el('span', { className: 'feature' }, p.name),
          el('span', { className: 'track' }, bar),
          el('span', { className: 'value num' }, p.value.toFixed(3)),
        );
      }),
    ),
  );
}

const PLOT_TITLES: Record<string, string> = {
  confusion_matrix: 'Confusion matrix (plot)',
  feature_importance: 'Feature importance (plot)',
  roc: 'ROC curves',
  residuals: 'Residuals',
};

/** The runs' SVG plots, one row per plot kind, runs side by side. */
function plotRows(runs: readonly CompareRun[]): HTMLElement[] {
  const names = [...new Set(runs.flatMap((r) => (r.plots ?? []).map((p) => p.name)))];
  return names.flatMap((name) => {
    const figures = runs.flatMap((r) =>
      (r.plots ?? [])
        .filter((p) => p.name === name)
        .map((p) =>
          el(
            'figure',
            { className: 'artifact plot' },
            el('figcaption', {}, r.runName),
            el('img', { attrs: { src: p.dataUri, alt: `${PLOT_TITLES[name] ?? name} of ${r.runName}` } }),
          ),
        ),
    );
    return [el('h3', {}, PLOT_TITLES[name] ?? name), el('div', { className: 'side-by-side', attrs: { 'data-testid': `plots-${name}` } }, ...figures)];
  });
}

export function artifactsView(runs: readonly CompareRun[], runColor: (index: number) => string): HTMLElement | null {
  const matrices = runs.filter((r) => r.confusionMatrix).map((r) => matrixTable(r, r.confusionMatrix as ConfusionMatrix));
  const importances = runs
    .map((r, i) => (r.featureImportance ? importanceList(r, r.featureImportance, runColor(i)) : null))
    .filter((x): x is HTMLElement => x !== null);
  const plots = plotRows(runs);
  if (matrices.length === 0 && importances.length === 0 && plots.length === 0) return null;
  return el(
    'section',
    { className: 'artifacts', attrs: { 'aria-label': 'Model artifacts' } },
    matrices.length ? el('h2', {}, 'Confusion matrices') : null,
    matrices.length ? el('div', { className: 'side-by-side', attrs: { 'data-testid': 'confusion-matrices' } }, ...matrices) : null,
    importances.length ? el('h2', {}, 'Feature importance') : null,
    importances.length ? el('div', { className: 'side-by-side', attrs: { 'data-testid': 'feature-importances' } }, ...importances) : null,
    plots.length ? el('h2', {}, 'Plots') : null,
    ...plots,
  );
}
