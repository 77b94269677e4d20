/**
 * Reads the small JSON artifacts the panels draw (confusion matrix, feature importance) from a
 * run's artifacts, accepting the shapes our trainer and common tools write, and normalising them
 * to the protocol's. A missing or unreadable file means "not available", never an error.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { ConfusionMatrix, FeatureImportance, PlotImage } from '../../shared/compare-protocol';
import type { TrackingStore } from '../../store/tracking-store';

/** Where we look, in order: the run's root, then `plots/` beside the trainer's SVGs. */
export const CONFUSION_MATRIX_PATHS = ['confusion_matrix.json', 'plots/confusion_matrix.json'];
export const FEATURE_IMPORTANCE_PATHS = ['feature_importance.json', 'plots/feature_importance.json'];
const MAX_BYTES = 2_000_000;

async function readJson(store: TrackingStore, runId: string, paths: readonly string[]): Promise<unknown> {
  for (const p of paths) {
    try {
      const file = await store.artifactLocalPath(runId, p);
      if (!existsSync(file) || statSync(file).size > MAX_BYTES) continue;
      return JSON.parse(readFileSync(file, 'utf8')) as unknown;
    } catch {
      // unreadable or not JSON: treat as absent
    }
  }
  return undefined;
}

const isNumberArray = (x: unknown): x is number[] => Array.isArray(x) && x.every((v) => typeof v === 'number' && Number.isFinite(v));
const isStringArray = (x: unknown): x is string[] => Array.isArray(x) && x.every((v) => typeof v === 'string');

/** `{labels, matrix}` (rows = true label); also accepts `classes` for `labels`. */
export function normaliseConfusionMatrix(raw: unknown): ConfusionMatrix | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const o = raw as Record<string, unknown>;
  const matrix = o.matrix ?? o.confusion_matrix;
  if (!Array.isArray(matrix) || !matrix.every(isNumberArray)) return undefined;
  const labels = isStringArray(o.labels) ? o.labels : isStringArray(o.classes) ? o.classes : matrix.map((_, i) => String(i));
  if (labels.length !== matrix.length || matrix.some((row) => row.length !== labels.length)) return undefined;
  return { labels, matrix };
}

/**
 * `{features, importances}`, `[{name|feature, importance|value}]`, `{feature: importance}`, or the
 * trainer's own `{impurity: [...] | null, permutation: [...]}` (impurity of the final model when a
 * member has it, else the permutation importance measured on held-out rows).
 */
export function normaliseFeatureImportance(raw: unknown): FeatureImportance | undefined {
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw) && ('impurity' in raw || 'permutation' in raw)) {
    const o = raw as { impurity?: unknown; permutation?: unknown };
    return (
      (Array.isArray(o.impurity) ? normaliseFeatureImportance(o.impurity) : undefined) ??
      (Array.isArray(o.permutation) ? normaliseFeatureImportance(o.permutation) : undefined)
    );
  }
  if (Array.isArray(raw)) {
    const features: string[] = [];
    const importances: number[] = [];
    for (const item of raw) {
      if (typeof item !== 'object' || item === null) return undefined;
      const o = item as Record<string, unknown>;
      const name = o.name ?? o.feature;
      const value = o.importance ?? o.value;
      if (typeof name !== 'string' || typeof value !== 'number' || !Number.isFinite(value)) return undefined;
      features.push(name);
      importances.push(value);
    }
    return features.length ? { features, importances } : undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const o = raw as Record<string, unknown>;
  if (isStringArray(o.features) && isNumberArray(o.importances) && o.features.length === o.importances.length)
    return { features: o.features, importances: o.importances };
  const entries = Object.entries(o);
  if (entries.length && entries.every(([, v]) => typeof v === 'number' && Number.isFinite(v))) {
    return { features: entries.map(([k]) => k), importances: entries.map(([, v]) => v as number) };
  }
  return undefined;
}

export async function readConfusionMatrix(store: TrackingStore, runId: string): Promise<ConfusionMatrix | undefined> {
  return normaliseConfusionMatrix(await readJson(store, runId, CONFUSION_MATRIX_PATHS));
}

export async function readFeatureImportance(store: TrackingStore, runId: string): Promise<FeatureImportance | undefined> {
  return normaliseFeatureImportance(await readJson(store, runId, FEATURE_IMPORTANCE_PATHS));
}

/** SVG plots the trainer logs under `plots/`, in this order; others are ignored. */
export const PLOT_NAMES = ['confusion_matrix', 'feature_importance', 'roc', 'residuals'];
const MAX_PLOT_BYTES = 1_000_000;

export async function readPlotImages(store: TrackingStore, runId: string): Promise<PlotImage[]> {
  let listed;
  try {
    listed = await store.listArtifacts(runId, 'plots');
  } catch {
    return [];
  }
  const out: PlotImage[] = [];
  for (const name of PLOT_NAMES) {
    const entry = listed.find((a) => !a.isDir && a.path === `plots/${name}.svg`);
    if (!entry || (entry.fileSize ?? 0) > MAX_PLOT_BYTES) continue;
    try {
      const bytes = readFileSync(await store.artifactLocalPath(runId, entry.path));
      if (bytes.length <= MAX_PLOT_BYTES) out.push({ name, dataUri: `data:image/svg+xml;base64,${bytes.toString('base64')}` });
    } catch {
      // unreadable: leave it out
    }
  }
  return out;
}
