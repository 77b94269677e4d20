import { example } from '../../repo-paths';
import type { Dataset } from '../../../src/ml/dataset/dataset';
import { loadDataset, takeRows } from '../../../src/ml/dataset/dataset';
import { kFold } from '../../../src/ml/dataset/split';
import { Preprocessor } from '../../../src/ml/ensemble/preprocess';
import type { Estimator, Matrix } from '../../../src/ml/estimator';
import { takeMatrixRows } from '../../../src/ml/estimator';

export { example, repoRoot } from '../../repo-paths';

export const TARGETS: Record<string, string> = { iris: 'species', wine: 'cultivar', breast_cancer: 'diagnosis', diabetes: 'progression', churn: 'churned' };

/** A dataset as the estimators see it: float32 matrix and encoded target. */
export function prepared(name: string): { ds: Dataset; X: Matrix; y: Float64Array; classes: string[] } {
  const ds = loadDataset(example(`${name}.csv`), { target: TARGETS[name] });
  const X = Preprocessor.fit(ds.frame, ds.schema.features).transform(ds.frame);
  if (ds.target.labels) {
    const classes = [...new Set(ds.target.labels)].sort();
    return { ds, X, y: Float64Array.from(ds.target.labels, (l) => classes.indexOf(l)), classes };
  }
  return { ds, X, y: ds.target.values as Float64Array, classes: [] };
}

/** Mean 5-fold accuracy (classification) or R² (regression) of fresh estimators. */
export async function cvScore(name: string, make: () => Estimator, seed = 42): Promise<number> {
  const { ds, X, y } = prepared(name);
  const folds = kFold(X.nRows, 5, seed, ds.target.labels);
  let total = 0;
  for (const f of folds) {
    const est = make();
    await est.fit(
      takeMatrixRows(X, f.train),
      Float64Array.from(f.train, (i) => y[i]),
    );
    const p = est.predict(takeMatrixRows(X, f.test));
    if (est.task === 'classification') {
      let c = 0;
      f.test.forEach((i, j) => (c += p[j] === y[i] ? 1 : 0));
      total += c / f.test.length;
    } else {
      let mean = 0;
      f.test.forEach((i) => (mean += y[i] / f.test.length));
      let se = 0;
      let st = 0;
      f.test.forEach((i, j) => {
        se += (y[i] - p[j]) ** 2;
        st += (y[i] - mean) ** 2;
      });
      total += 1 - se / st;
    }
  }
  return total / folds.length;
}

export { takeRows };
