import { ModelOpsError } from '../core/errors';
import type { Task } from './dataset/schema';
import type { Estimator, EstimatorJSON, FitContext, Matrix } from './estimator';
import { argmaxRows, countClasses } from './estimator';
import type { ForestParams } from './forest/random-forest';
import { RandomForest } from './forest/random-forest';

/** Predicts the training class frequencies (classification) or the training mean (regression). */
export class Dummy implements Estimator {
  readonly kind = 'dummy';
  nClasses = 0;
  private prior: number[] = [];
  private nFeatures = -1;

  constructor(readonly task: Task) {}

  async fit(X: Matrix, y: Float64Array, ctx: FitContext = {}): Promise<void> {
    if (y.length === 0) throw new ModelOpsError('DATA_INVALID', 'dummy: no training rows');
    this.nFeatures = X.nCols;
    if (this.task === 'classification') {
      this.nClasses = countClasses(y, ctx.nClasses);
      const counts = new Array<number>(this.nClasses).fill(0);
      for (const v of y) counts[v]++;
      this.prior = counts.map((c) => c / y.length);
    } else {
      let s = 0;
      for (const v of y) s += v;
      this.prior = [s / y.length];
    }
  }

  predictProba(X: Matrix): Float64Array {
    const K = this.nClasses;
    const out = new Float64Array(X.nRows * K);
    for (let i = 0; i < X.nRows; i++) for (let k = 0; k < K; k++) out[i * K + k] = this.prior[k];
    return out;
  }

  predict(X: Matrix): Float64Array {
    if (this.prior.length === 0) throw new ModelOpsError('INVALID_STATE', 'dummy: predict called before fit');
    if (this.task === 'classification') return argmaxRows(this.predictProba(X), X.nRows, this.nClasses);
    return new Float64Array(X.nRows).fill(this.prior[0]);
  }

  featureImportances(): undefined {
    return undefined;
  }

  toJSON(): EstimatorJSON {
    return { kind: this.kind, task: this.task, nClasses: this.nClasses, nFeatures: this.nFeatures, prior: this.prior };
  }

  static fromJSON(json: EstimatorJSON): Dummy {
    const d = new Dummy(json.task === 'regression' ? 'regression' : 'classification');
    if (!Array.isArray(json.prior) || !json.prior.every((v) => typeof v === 'number'))
      throw new ModelOpsError('MODEL_INVALID', 'dummy payload: prior is missing');
    d.prior = json.prior as number[];
    d.nClasses = Number(json.nClasses);
    d.nFeatures = Number(json.nFeatures);
    return d;
  }
}

/** One CART tree on every feature without bootstrap: the forest's grower with one tree. */
export class DecisionTree implements Estimator {
  readonly kind = 'decision-tree';
  private inner: RandomForest;

  constructor(
    readonly task: Task,
    params: Partial<Pick<ForestParams, 'maxDepth' | 'minSamplesLeaf' | 'minSamplesSplit' | 'seed'>> = {},
  ) {
    this.inner = new RandomForest(task, { ...params, nEstimators: 1, bootstrap: false, maxFeatures: null });
  }

  get nClasses(): number {
    return this.inner.nClasses;
  }

  fit(X: Matrix, y: Float64Array, ctx: FitContext = {}): Promise<void> {
    return this.inner.fit(X, y, { ...ctx, threads: 1 });
  }

  predict(X: Matrix): Float64Array {
    return this.inner.predict(X);
  }

  predictProba(X: Matrix): Float64Array {
    return this.inner.predictProba(X);
  }

  featureImportances(): Float64Array | undefined {
    return this.inner.featureImportances();
  }

  toJSON(): EstimatorJSON {
    return { kind: this.kind, task: this.task, tree: this.inner.toJSON() };
  }

  static fromJSON(json: EstimatorJSON): DecisionTree {
    const t = new DecisionTree(json.task === 'regression' ? 'regression' : 'classification');
    const tree = json.tree as EstimatorJSON | undefined;
    if (!tree || tree.kind !== 'random-forest') throw new ModelOpsError('MODEL_INVALID', 'decision tree payload: tree is missing');
    t.inner = RandomForest.fromJSON(tree);
    return t;
  }
}
