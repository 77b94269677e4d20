import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '../ml/dataset/dataset';
import type { Ensemble } from '../ml/ensemble/ensemble';
import { binaryAuc, confusionMatrix, rocCurve } from '../ml/metrics/classification';
import { confusionMatrixSvg, importanceSvg, residualsSvg, rocSvg } from '../ml/plots/svg';
import type { TrackingStore } from '../store/tracking-store';
import type { PermutationImportance } from './train-importance';
import { permutationImportanceOnRows } from './train-importance';

/** What the held-out plots of a training run are drawn from (all known before the final fit). */
export interface PlotInputs {
  ds: Dataset;
  classes: string[];
  seed: number;
  /** Out-of-fold outputs: class probabilities (K per row) or predictions. */
  oof: Float64Array;
  /** 1 for the rows some fold tested. */
  tested: Uint8Array;
  /** The last fold's model and test rows (permutation importance needs rows the model has not seen). */
  lastFold?: { model: Ensemble; test: Int32Array };
}

/** The plots drawn from held-out rows, ready to be logged beside the final model's own. */
export interface HeldOutPlots {
  svgs: [string, string][];
  /** JSON artifacts by file name. */
  json: [string, unknown][];
  permutation?: { values: PermutationImportance[]; svg: string };
}

/**
 * The plots that need the rows (confusion matrix and ROC, or residuals, from the out-of-fold
 * outputs; permutation importance of the last fold's model on its test rows). Drawn before the
 * final fit, so that fit can take the frame's columns and let them go as it bins them.
 */
export function drawHeldOutPlots(p: PlotInputs): HeldOutPlots {
  const { ds, classes, seed, oof, tested, lastFold } = p;
  const task = ds.target.task;
  const K = classes.length;
  const out: HeldOutPlots = { svgs: [], json: [] };
  const svgs = out.svgs;
  // Typed arrays over the tested rows: with five folds that is every row of a large file.
  const rows = testedRows(tested);
  if (task === 'classification') {
    const index = new Map(classes.map((c, i) => [c, i]));
    const labels = ds.target.labels as string[];
    const y = Int32Array.from(rows, (i) => index.get(labels[i]!)!);
    const pred = Int32Array.from(rows, (i) => {
      let best = 0;
      for (let k = 1; k < K; k++) if (oof[i * K + k]! > oof[i * K + best]!) best = k;
      return best;
    });
    const cm = confusionMatrix(y, pred, K);
    svgs.push(['confusion_matrix.svg', confusionMatrixSvg(cm, classes, 'Confusion matrix (out-of-fold)')]);
    // The numbers too, for tools that read them (rows: true label, columns: predicted).
    out.json.push(['confusion_matrix.json', { labels: classes, matrix: cm }]);
    const curves = (K === 2 ? [1] : classes.map((_, k) => k)).map((k) => {
      const pos = Int32Array.from(y, (v) => (v === k ? 1 : 0));
      const score = Float64Array.from(rows, (i) => oof[i * K + k]!);
      // One vs rest: the AUC of P(k) against "is k", as the two-class metrics compute it.
      return { label: classes[k]!, ...rocCurve(pos, score), auc: binaryAuc(pos, score) };
    });
    svgs.push(['roc.svg', rocSvg(curves)]);
  } else {
    const values = ds.target.values as Float64Array;
    svgs.push([
      'residuals.svg',
      residualsSvg(
        Float64Array.from(rows, (i) => oof[i]!),
        Float64Array.from(rows, (i) => values[i]!),
        'Residuals (out-of-fold)',
      ),
    ]);
  }
  // Permutation importance needs rows the model has not seen: the last fold's model on its test rows.
  if (lastFold) {
    const values = permutationImportanceOnRows(lastFold.model, ds, lastFold.test, classes, seed);
    const title = `Permutation importance (drop of ${task === 'classification' ? 'accuracy' : 'R²'}, held-out rows)`;
    out.permutation = { values, svg: importanceSvg(values, title) };
  }
  return out;
}

function testedRows(tested: Uint8Array): Int32Array {
  let m = 0;
  for (const t of tested) if (t) m++;
  const rows = new Int32Array(m);
  let j = 0;
  for (let i = 0; i < tested.length; i++) if (tested[i]) rows[j++] = i;
  return rows;
}

/**
 * A training run's plots (`plots/*.svg`: the held-out ones, and the final model's impurity
 * importance) and the numbers behind them (`confusion_matrix.json`, `feature_importance.json`).
 */
export async function logPlots(store: TrackingStore, runId: string, heldOut: HeldOutPlots, model: Ensemble, work: string): Promise<void> {
  const svgs = [...heldOut.svgs];
  const json = [...heldOut.json];
  const imp = model.featureImportances();
  if (imp) svgs.push(['feature_importance.svg', importanceSvg(imp)]);
  const perm = heldOut.permutation;
  if (perm) {
    svgs.push(['permutation_importance.svg', perm.svg]);
    json.push(['feature_importance.json', { impurity: imp ?? null, permutation: perm.values }]);
  }
  for (const [name, value] of json) {
    const file = join(work, name);
    writeFileSync(file, `${JSON.stringify(value, null, name === 'feature_importance.json' ? 2 : undefined)}\n`);
    await store.logArtifact(runId, file);
  }
  const plots = join(work, 'plots');
  mkdirSync(plots, { recursive: true });
  for (const [name, svg] of svgs) {
    const file = join(plots, name);
    writeFileSync(file, svg);
    await store.logArtifact(runId, file, 'plots');
  }
}
