import { ModelOpsError } from '../core/errors';
import { DecisionTree, Dummy } from './baselines';
import type { Task } from './dataset/schema';
import type { Estimator, EstimatorJSON } from './estimator';
import type { ForestParams } from './forest/random-forest';
import { RandomForest } from './forest/random-forest';
import type { KnnParams } from './knn/knn';
import { Knn } from './knn/knn';
import { MljsKnn, MljsRandomForest } from './mljs/mljs-estimators';

export type MemberType = 'rf' | 'knn' | 'tree' | 'dummy';
export type Engine = 'modelops' | 'mljs';
export const MEMBER_TYPES: readonly MemberType[] = ['rf', 'knn', 'tree', 'dummy'];

/** A member of the ensemble as the user configures it (`--models rf,knn`, `--params file.json`). */
export interface MemberSpec {
  type: MemberType;
  engine?: Engine;
  /** Estimator parameters, camelCase as in ForestParams / KnnParams. */
  params?: Record<string, unknown>;
}

export function createEstimator(spec: MemberSpec, task: Task, seed: number): Estimator {
  const engine = spec.engine ?? 'modelops';
  const params = { ...(spec.params ?? {}) };
  if (engine !== 'modelops' && engine !== 'mljs')
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `unknown engine '${String(engine)}' (use modelops or mljs)`, { location: 'engine' });
  switch (spec.type) {
    case 'rf':
      if (engine === 'mljs') return new MljsRandomForest(task, { seed, ...params });
      return new RandomForest(task, { seed, ...(params as Partial<ForestParams>) });
    case 'knn':
      if (engine === 'mljs') return new MljsKnn(task, { nNeighbors: Number(params.nNeighbors ?? 5) });
      return new Knn(task, params as Partial<KnnParams>);
    case 'tree':
      return new DecisionTree(task, { seed, ...params });
    case 'dummy':
      return new Dummy(task);
    default:
      throw new ModelOpsError('INVALID_PARAMETER_VALUE', `unknown model type '${String(spec.type)}' (use ${MEMBER_TYPES.join(', ')})`, { location: 'models' });
  }
}

/** Reads back any estimator written by `toJSON`; the kind picks the class, nothing is evaluated. */
export function estimatorFromJSON(json: EstimatorJSON): Estimator {
  switch (json.kind) {
    case 'random-forest':
      return RandomForest.fromJSON(json);
    case 'knn':
      return Knn.fromJSON(json);
    case 'decision-tree':
      return DecisionTree.fromJSON(json);
    case 'dummy':
      return Dummy.fromJSON(json);
    case 'mljs-random-forest':
      return MljsRandomForest.fromJSON(json);
    case 'mljs-knn':
      return MljsKnn.fromJSON(json);
    default:
      throw new ModelOpsError('MODEL_INVALID', `unknown estimator kind '${String(json.kind)}'`);
  }
}
