/** Messages of the run comparison panel ("ModelOps: Compare Runs"). */
import type { Infer } from './validate';
import { arr, bool, literal, matching, num, numbers, numbersOrNull, numOrNull, nullable, obj, str } from './validate';
import { emptyParams, okResult, readyParams, READY } from './protocol';

const keyValue = obj({ key: str, value: str });
const keyNumber = obj({ key: str, value: numOrNull });

/** `confusion_matrix.json` artifact: rows are true labels, columns predicted labels. */
export const confusionMatrixCheck = obj({ labels: arr(str, 1000), matrix: arr(arr(num, 1000), 1000) });
/** `feature_importance.json` artifact, normalised to parallel arrays. */
export const featureImportanceCheck = obj({ features: arr(str, 10_000), importances: arr(num, 10_000) });

/**
 * A plot the trainer logged as SVG (plots/*.svg), sent as a base64 data URI and shown in an
 * <img>: an SVG image can neither run script nor load anything, and CSP allows only data: images.
 */
export const plotImageCheck = obj({ name: str, dataUri: matching(/^data:image\/svg\+xml;base64,[A-Za-z0-9+/]+=*$/, 'a base64 SVG data URI', 2_000_000) });

/** A run's per-fold values of a `cv_*` metric (step = fold), when the comparison is small enough to send them. */
export const foldValuesCheck = obj({ key: str, values: numbersOrNull(1000) });

/** The run against its majority-class / mean baseline, on the metric its training chose (run tag `modelops.baseline.metric`). */
export const baselineVerdictCheck = obj({ metric: str, model: num, baseline: num, beats: bool }, { reason: str });

export const compareRunCheck = obj(
  {
    runId: str,
    runName: str,
    experimentId: str,
    status: str,
    startTime: num,
    endTime: nullable(num),
    params: arr(keyValue, 10_000),
    /** Latest value of each metric; null stands for NaN. */
    metrics: arr(keyNumber, 10_000),
    /** Whether the run logged a model (an `MLmodel` under some artifact folder). */
    hasModel: bool,
  },
  {
    experimentName: str,
    confusionMatrix: confusionMatrixCheck,
    featureImportance: featureImportanceCheck,
    plots: arr(plotImageCheck, 20),
    folds: arr(foldValuesCheck, 1000),
    baseline: baselineVerdictCheck,
  },
);

export const compareStateCheck = obj(
  {
    status: literal('loading', 'ready', 'error'),
    runs: arr(compareRunCheck, 5000),
  },
  { message: str },
);

export const metricHistoryCheck = obj({ runId: str, steps: numbers(), values: numbersOrNull() });

export const compareContract = {
  requests: {
    'compare/metricHistory': {
      params: obj({ key: str, runIds: arr(str, 5000) }),
      result: obj({ key: str, histories: arr(metricHistoryCheck, 5000) }),
    },
    'compare/openArtifacts': { params: obj({ runId: str }), result: okResult },
    'compare/registerModel': { params: obj({ runId: str }), result: okResult },
    'clipboard/write': { params: obj({ text: str }), result: okResult },
  },
  toWebview: {
    'compare/state': compareStateCheck,
  },
  toHost: {
    [READY]: readyParams,
    'compare/refresh': emptyParams,
  },
} as const;

export type CompareContract = typeof compareContract;
export type CompareRun = Infer<typeof compareRunCheck>;
export type CompareState = Infer<typeof compareStateCheck>;
export type MetricHistory = Infer<typeof metricHistoryCheck>;
export type ConfusionMatrix = Infer<typeof confusionMatrixCheck>;
export type FeatureImportance = Infer<typeof featureImportanceCheck>;
export type PlotImage = Infer<typeof plotImageCheck>;
export type FoldValues = Infer<typeof foldValuesCheck>;
export type BaselineVerdict = Infer<typeof baselineVerdictCheck>;

/** What the host persists for the serializer so a reloaded window reopens the same comparison. */
export const compareSavedStateCheck = obj({ runIds: arr(str, 5000) });
export type CompareSavedState = Infer<typeof compareSavedStateCheck>;
