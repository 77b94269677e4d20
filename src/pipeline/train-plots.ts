import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '../ml/dataset/dataset';
import type { Ensemble } from '../ml/ensemble/ensemble';
import { classificationMetrics, confusionMatrix, rocCurve } from '../ml/metrics/classification';
import { confusionMatrixSvg, importanceSvg, residualsSvg, rocSvg } from '../ml/plots/svg';
import type { TrackingStore } from '../store/tracking-store';
import { permutationImportanceOnRows } from './train-importance';

/** What the plots of a training run are drawn from. */
export interface PlotInputs {
  ds: Dataset;
  classes: string[];
  seed: number;
  /** Out-of-fold outputs: class probabilities (K per row) or predictions. */
  oof: Float64Array;
  /** 1 for the rows some fold tested. */
  tested: Uint8Array;
  /** The model fitted on every row (its impurity importances). */
  model: Ensemble;
  /** The last fold's model and test rows (permutation importance needs rows the model has not seen). */
  lastFold?: { model: Ensemble; test: Int32Array };
}

/**
 * A training run's plots (`plots/*.svg`: confusion matrix and ROC, or residuals; feature and
 * permutation importance) and the numbers behind them (`confusion_matrix.json`, `feature_importance.json`).
 */
export async function logPlots(store: TrackingStore, runId: string, p: PlotInputs, work: string): Promise<void> {
  const { ds, classes, seed, oof, tested, model, lastFold } = p;
  const n = ds.frame.nRows;
  const task = ds.target.task;
  const K = classes.length;
  const plots = join(work, 'plots');
  const svgs: [string, string][] = [];
  const rows = Array.from({ length: n }, (_, i) => i).filter((i) => tested[i]);
  if (task === 'classification') {
    const index = new Map(classes.map((c, i) => [c, i]));
    const y = rows.map((i) => index.get((ds.target.labels as string[])[i]) as number);
    const pred = rows.map((i) => {
      let best = 0;
      for (let k = 1; k < K; k++) if (oof[i * K + k] > oof[i * K + best]) best = k;
      return best;
    });
    const cm = confusionMatrix(y, pred, K);
    svgs.push(['confusion_matrix.svg', confusionMatrixSvg(cm, classes, 'Confusion matrix (out-of-fold)')]);
    // The numbers too, for tools that read them (rows: true label, columns: predicted).
    writeFileSync(join(work, 'confusion_matrix.json'), `${JSON.stringify({ labels: classes, matrix: cm })}\n`);
    await store.logArtifact(runId, join(work, 'confusion_matrix.json'));
    const curves = (K === 2 ? [1] : classes.map((_, k) => k)).map((k) => {
      const pos = y.map((v) => v === k);
      const score = rows.map((i) => oof[i * K + k]);
      const c = rocCurve(pos, score);
      return {
        label: classes[k],
        ...c,
        auc: classificationMetrics(
          Int32Array.from(pos, (p) => (p ? 1 : 0)),
          Float64Array.from(score.flatMap((s) => [1 - s, s])),
          2,
        ).roc_auc,
      };
    });
    svgs.push(['roc.svg', rocSvg(curves)]);
  } else {
    svgs.push([
      'residuals.svg',
      residualsSvg(
        rows.map((i) => oof[i]),
        rows.map((i) => (ds.target.values as Float64Array)[i]),
        'Residuals (out-of-fold)',
      ),
    ]);
  }
  const imp = model.featureImportances();
  if (imp) svgs.push(['feature_importance.svg', importanceSvg(imp)]);
  // Permutation importance needs rows the model has not seen: the last fold's model on its test rows.
  if (lastFold) {
    const perm = permutationImportanceOnRows(lastFold.model, ds, lastFold.test, classes, seed);
    svgs.push([
      'permutation_importance.svg',
      importanceSvg(perm, `Permutation importance (drop of ${task === 'classification' ? 'accuracy' : 'R²'}, held-out rows)`),
    ]);
    writeFileSync(join(work, 'feature_importance.json'), `${JSON.stringify({ impurity: imp ?? null, permutation: perm }, null, 2)}\n`);
    await store.logArtifact(runId, join(work, 'feature_importance.json'));
  }
  mkdirSync(plots, { recursive: true });
  for (const [name, svg] of svgs) {
    const file = join(plots, name);
    writeFileSync(file, svg);
    await store.logArtifact(runId, file, 'plots');
  }
}
