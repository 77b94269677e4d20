import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { dict } from '../core/dict';
import { ModelOpsError } from '../core/errors';
import type { Tag } from '../core/tracking';
import { TAG } from '../core/tracking';
import { collectGarbage } from '../core/collect-garbage';
import { closeAllPools } from '../ml/parallel/pool';
import type { Dataset, LoadOptions, Row } from '../ml/dataset/dataset';
import type { DecimalMark } from '../ml/dataset/decimal';
import { frameToRows, loadDataset } from '../ml/dataset/dataset';
import type { Task } from '../ml/dataset/schema';
import type { Ensemble } from '../ml/ensemble/ensemble';
import { PROFILE_FILE, profileOfDataset } from '../ml/drift/sketch';
import { DATA_FILE, FLAVOR, saveModel } from '../ml/ensemble/model-package';
import { PYFUNC_FLAVOR, pyfuncFlavor } from '../ml/ensemble/pyfunc-flavor';
import type { MemberSpec, MemberType } from '../ml/estimators';
import { childSeed } from '../ml/random';
import type { TrackingStore } from '../store/tracking-store';
import type { FitSettings, Fold } from './cross-validate';
import { checkCancelled, cvFolds, evaluate, fitOnRows, meanMetrics } from './cross-validate';
import type { TrainParamsFile } from './train-options';
import type { HeldOutPlots } from './train-plots';
import { drawHeldOutPlots, logPlots } from './train-plots';
import type { BaselineComparison } from './train-baseline';
import { BASELINE_PREFIX, BASELINE_TAG, baselineFoldMetrics, chooseBaselineMetric, compareWithBaseline } from './train-baseline';
import { readParamsFile, resolveMembers } from './train-options';
import { logDatasetInput, logRunParams, modelRunParams, resolveExperiment, runTags } from './run-logging';

export interface TrainProgress {
  stage: 'load' | 'cv' | 'fit' | 'log' | 'baseline' | 'done';
  message: string;
  /** 0..1 over the whole job. */
  fraction: number;
}

/**
 * Below this many cells (rows × features; 16 MB as float32) a phase's garbage is too small to be
 * worth a full collection, which in the editor is one of the whole extension host.
 */
const COLLECT_FROM_CELLS = 4_000_000;

/** A full garbage collection when the data is large enough for a phase's leftovers to matter. */
function collectLargeGarbage(ds: Dataset): void {
  if (ds.frame.nRows * ds.schema.features.length >= COLLECT_FROM_CELLS) collectGarbage();
}

export interface TrainOptions {
  data: string;
  target: string;
  experiment?: string;
  /** `rf,knn` (default) or a list. */
  models?: string | MemberType[];
  /** Folds of cross-validation (default 5; 0 or 1 = no CV, a held-out 20% test split instead). */
  cv?: number;
  seed?: number;
  /** Path of a params JSON file, or the parsed object. */
  params?: string | TrainParamsFile;
  /** Also log a majority-class / mean baseline run. */
  baseline?: boolean;
  runName?: string;
  parentRunId?: string;
  tags?: Tag[];
  task?: Task;
  delimiter?: string;
  /** Decimal mark of the CSV's numbers (default: detected). */
  decimal?: DecimalMark;
  strict?: boolean;
  exclude?: string[];
  threads?: number;
  /** Folder whose git commit is recorded (default: the data file's folder). */
  workspace?: string;
  /** Fields added to the logged dataset input's profile (the retraining pipeline adds the drift it measured). */
  profileExtras?: Record<string, unknown>;
  signal?: AbortSignal;
  onProgress?: (p: TrainProgress) => void;
}

export interface TrainResult {
  runId: string;
  experimentId: string;
  task: Task;
  /** Mean over folds (or the test split). */
  metrics: Record<string, number>;
  foldMetrics: Record<string, number>[];
  classes: string[];
  warnings: string[];
  baseline?: { runId: string; metrics: Record<string, number> };
  /** The majority-class / mean baseline's mean metrics on the same folds (logged as `baseline_<metric>`). */
  baselineMetrics: Record<string, number>;
  /** The model against that baseline, on the metric chosen for the target (undefined when it cannot be computed). */
  baselineComparison?: BaselineComparison;
}

function gitCommit(dir: string): string | undefined {
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 })
      .toString()
      .trim();
    return /^[0-9a-f]{40}$/.test(out) ? out : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Trains and logs one run: cross-validated metrics per fold (step = fold) and their means, the
 * dataset input with digest, schema and profile, the model directory (`model/`) and plots.
 * Usable from the CLI and the extension: progress through a callback, cancellation through an
 * AbortSignal, no console output.
 */
export async function train(store: TrackingStore, options: TrainOptions): Promise<TrainResult> {
  const progress = (stage: TrainProgress['stage'], message: string, fraction: number): void =>
    options.onProgress?.({ stage, message, fraction: Math.min(1, Math.max(0, fraction)) });
  const seed = options.seed ?? 42;
  // Messages name the setting (`seed`, `cv`), as the CLI's flag and the training form's field do.
  if (!Number.isInteger(seed)) throw new ModelOpsError('INVALID_PARAMETER_VALUE', `seed must be an integer (got ${seed})`, { location: 'seed' });
  const cv = options.cv ?? 5;
  if (!Number.isInteger(cv) || cv < 0 || cv > 100)
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `cv (cross-validation folds) must be an integer from 0 to 100 (got ${cv})`, { location: 'cv' });
  const paramsFile: TrainParamsFile = typeof options.params === 'string' ? readParamsFile(options.params) : (options.params ?? {});
  const members = resolveMembers(options.models, paramsFile, typeof options.params === 'string' ? options.params : undefined);
  const weights = paramsFile.weights ?? 'equal';

  progress('load', `loading ${options.data}`, 0);
  const loadOptions: LoadOptions = {
    target: options.target,
    task: options.task,
    strict: options.strict,
    exclude: options.exclude,
    delimiter: options.delimiter,
    decimal: options.decimal,
  };
  // Loading precedes the run, so it reports a count within its own stage ("(40/100)") and no share of the whole.
  const ds = loadDataset(options.data, loadOptions, (f) => progress('load', `loading ${options.data} (${Math.round(f * 100)}/100)`, 0));
  // Everything that can be refused is refused before the run exists: no FAILED run for a wrong choice.
  checkTarget(ds);
  // The parser's garbage (a large file's row texts) goes now, before the folds' fits add theirs:
  // V8 would keep it resident through the first fit's peak (docs/training.md, bench/dataset).
  collectLargeGarbage(ds);
  const folds = cvFolds(ds, cv, seed);
  checkCancelled(options.signal);

  const experimentId = await resolveExperiment(store, options.experiment);
  const tags = runTags('modelops train', [{ key: 'modelops.task', value: ds.target.task }, ...(options.tags ?? [])], true);
  const commit = gitCommit(options.workspace ?? dirname(resolve(options.data)));
  if (commit) tags.push({ key: TAG.gitCommit, value: commit });
  const run = await store.createRun({ experimentId, runName: options.runName, tags, parentRunId: options.parentRunId });
  const runId = run.info.runId;
  const work = mkdtempSync(join(tmpdir(), 'modelops-train-'));
  try {
    const result = await trainInRun(store, runId, ds, members, weights, { cv, folds }, seed, options, work, progress);
    await store.updateRun(runId, { status: 'FINISHED', endTime: Date.now() });
    let baseline: TrainResult['baseline'];
    if (options.baseline) {
      progress('baseline', 'baseline run', 0.97);
      const b = await train(store, {
        ...options,
        models: ['dummy'],
        params: {},
        baseline: false,
        runName: `${run.info.runName}-baseline`,
        tags: [...(options.tags ?? []), { key: 'modelops.baseline_for', value: runId }],
        onProgress: undefined,
      });
      baseline = { runId: b.runId, metrics: b.metrics };
    }
    progress('done', `run ${runId} finished`, 1);
    return { runId, experimentId, task: ds.target.task, ...result, warnings: ds.schema.warnings, ...(baseline ? { baseline } : {}) };
  } catch (e) {
    const cancelled = e instanceof ModelOpsError && e.code === 'CANCELLED';
    await store.updateRun(runId, { status: cancelled ? 'KILLED' : 'FAILED', endTime: Date.now() }).catch(() => undefined);
    // Say what became of the run: the editor and the CLI show this message as it is.
    if (cancelled)
      throw new ModelOpsError('CANCELLED', `Training cancelled: run ${run.info.runName || runId} (${runId.slice(0, 8)}) is marked KILLED.`, {
        location: runId,
        cause: e,
      });
    throw e;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * A classification target with a different value on (almost) every row is an id, not something to
 * predict: refused before anything runs, naming the target (the CLI's --target, the form's Target).
 */
export function checkTarget(ds: Dataset): void {
  const labels = ds.target.labels;
  if (!labels) return;
  const distinct = new Set(labels).size;
  if (labels.length >= 20 && distinct > 0.5 * labels.length) {
    throw new ModelOpsError(
      'DATA_INVALID',
      `target '${ds.target.name}' has ${distinct.toLocaleString('en-US')} different values in ${labels.length.toLocaleString('en-US')} rows, like an id: pick the column to predict (a class label, or a number for regression)`,
      { location: 'target' },
    );
  }
}

/** What cross-validation leaves: each fold's metrics (the model's and the baseline's), the out-of-fold outputs, and the last fold's model. */
interface CvOutcome {
  foldMetrics: Record<string, number>[];
  baselineFolds: Record<string, number>[];
  /** Out-of-fold outputs: class probabilities (row-major, K per row) or predictions. */
  oof: Float64Array;
  /** 1 for the rows some fold tested. */
  tested: Uint8Array;
  lastFold?: { model: Ensemble; test: Int32Array };
}

type Fit = (index: Int32Array, foldSeed: number, label: string, base: number, span: number) => Promise<Ensemble>;

/** Share of the progress bar the fits take (the folds and the final fit, equally). */
const FIT_WEIGHT = 0.85;

/** Cross-validation (or one held-out split when cv < 2); the baseline is scored on the same folds; each fold's metrics logged at its step. */
async function crossValidate(
  store: TrackingStore,
  runId: string,
  ds: Dataset,
  folds: Fold[],
  classes: string[],
  seed: number,
  fit: Fit,
  signal?: AbortSignal,
): Promise<CvOutcome> {
  const n = ds.frame.nRows;
  const V = ds.target.task === 'classification' ? classes.length : 1;
  const out: CvOutcome = { foldMetrics: [], baselineFolds: [], oof: new Float64Array(n * V), tested: new Uint8Array(n) };
  const span = FIT_WEIGHT / (folds.length + 1);
  for (let f = 0; f < folds.length; f++) {
    checkCancelled(signal);
    const fold = folds[f];
    const model = await fit(fold.train, childSeed(seed, f + 1), `fold ${f + 1}/${folds.length}`, f * span, span);
    if (f === folds.length - 1) out.lastFold = { model, test: fold.test };
    const ev = evaluate(model, ds, fold.test, classes);
    out.foldMetrics.push(ev.metrics);
    out.baselineFolds.push(baselineFoldMetrics(ds, fold.train, fold.test, classes));
    fold.test.forEach((row, j) => {
      out.tested[row] = 1;
      for (let k = 0; k < V; k++) out.oof[row * V + k] = ev.output[j * V + k];
    });
    const now = Date.now();
    await store.logBatch(runId, { metrics: Object.entries(ev.metrics).map(([key, value]) => ({ key: `cv_${key}`, value, step: f, timestamp: now })) });
  }
  return out;
}

/** What the model directory keeps of the training rows, taken before the final fit lets them go. */
interface ModelRows {
  /** The sketch of the training data that the drift of later data is measured against (ml/drift/sketch.ts). */
  sketch: ReturnType<typeof profileOfDataset>;
  example: Row[];
}

/**
 * Cross-validation and the plots drawn from its held-out outputs. Only the metrics and the plots
 * are returned: the out-of-fold outputs and the last fold's model are let go before the final fit.
 */
async function crossValidateAndDraw(
  store: TrackingStore,
  runId: string,
  ds: Dataset,
  cv: { folds: Fold[]; classes: string[]; seed: number; fit: Fit },
  signal?: AbortSignal,
): Promise<{ foldMetrics: Record<string, number>[]; baselineFolds: Record<string, number>[]; heldOut: HeldOutPlots }> {
  const out = await crossValidate(store, runId, ds, cv.folds, cv.classes, cv.seed, cv.fit, signal);
  // Scoring the folds' test rows left its chunks and outputs behind; the plots allocate next.
  collectLargeGarbage(ds);
  const heldOut = drawHeldOutPlots({ ds, classes: cv.classes, seed: cv.seed, oof: out.oof, tested: out.tested, lastFold: out.lastFold });
  return { foldMetrics: out.foldMetrics, baselineFolds: out.baselineFolds, heldOut };
}

/** The model directory (`model/`, with the training data's drift sketch) and MLflow's logged-models tag. */
async function logModel(store: TrackingStore, runId: string, rows: ModelRows, model: Ensemble, work: string): Promise<void> {
  const modelDir = join(work, 'model');
  mkdirSync(modelDir, { recursive: true });
  writeFileSync(join(modelDir, PROFILE_FILE), `${JSON.stringify(rows.sketch)}\n`);
  const info = saveModel(modelDir, model, { runId, inputExample: rows.example });
  await store.logArtifact(runId, modelDir);
  await store.logBatch(runId, {
    tags: [
      {
        key: TAG.loggedModels,
        value: JSON.stringify([
          {
            run_id: runId,
            artifact_path: 'model',
            utc_time_created: info.utcTimeCreated,
            flavors: { [FLAVOR]: { format: 'modelops.ensemble/1' }, [PYFUNC_FLAVOR]: pyfuncFlavor(DATA_FILE) },
            model_uuid: info.modelUuid,
          },
        ]),
      },
    ],
  });
}

async function trainInRun(
  store: TrackingStore,
  runId: string,
  ds: Dataset,
  members: MemberSpec[],
  weights: TrainParamsFile['weights'],
  split: { cv: number; folds: Fold[] },
  seed: number,
  options: TrainOptions,
  work: string,
  progress: (stage: TrainProgress['stage'], message: string, fraction: number) => void,
): Promise<Omit<TrainResult, 'runId' | 'experimentId' | 'task' | 'warnings' | 'baseline'>> {
  const { cv, folds } = split;
  const classes = ds.target.task === 'classification' ? [...new Set(ds.target.labels)].sort() : [];
  await logRunParams(store, runId, modelRunParams(ds, { cv, seed, weights, members }));
  await logDatasetInput(store, runId, ds, 'training', options.profileExtras);

  const settings: FitSettings = { members, weights, threads: options.threads, signal: options.signal };
  const fit: Fit = async (index, foldSeed, label, base, span) => {
    const model = await fitOnRows(ds, index, foldSeed, settings, (message, f) => progress('cv', `${label}: ${message}`, base + span * f));
    // The fit's bins and row buffers (tens of MB on a large file) are garbage now; scoring the fold comes next.
    collectLargeGarbage(ds);
    return model;
  };
  // Everything that reads the rows comes before the final fit, which takes the frame's columns and
  // lets each go once binned: its trees then grow with no copy of the data beside the bins.
  const cvOut = await crossValidateAndDraw(store, runId, ds, { folds, classes, seed, fit }, options.signal);
  // Likewise the folds' models, outputs and plots, let go by now, before the profile and the final
  // fit add theirs; the folds' prediction workers end too rather than idle beside them.
  closeAllPools();
  collectLargeGarbage(ds);
  const metrics = meanMetrics(cvOut.foldMetrics);
  const baselineMetrics = Object.fromEntries(Object.entries(meanMetrics(cvOut.baselineFolds)).filter(([k]) => !k.endsWith('_std')));
  const choice = chooseBaselineMetric(ds.target.labels);
  const baselineComparison = compareWithBaseline(choice, metrics, baselineMetrics);

  const rowsOut: ModelRows = { sketch: profileOfDataset(ds), example: typedExample(ds) };
  checkCancelled(options.signal);
  const base = FIT_WEIGHT * (folds.length / (folds.length + 1));
  const model = await fitOnRows(ds, undefined, seed, { ...settings, releaseFrame: true }, (message, f) =>
    progress('fit', `final: ${message}`, base + (FIT_WEIGHT / (folds.length + 1)) * f),
  );
  checkCancelled(options.signal);
  progress('log', 'saving the model and plots', 0.9);
  await logModel(store, runId, rowsOut, model, work);
  await logPlots(store, runId, cvOut.heldOut, model, work);
  const now = Date.now();
  const list = [...Object.entries(metrics), ...Object.entries(baselineMetrics).map(([k, v]) => [`${BASELINE_PREFIX}${k}`, v] as const)].map(([key, value]) => ({
    key,
    value,
    step: 0,
    timestamp: now,
  }));
  const baselineTags = [
    { key: BASELINE_TAG.metric, value: choice.metric },
    { key: BASELINE_TAG.reason, value: choice.reason },
    ...(baselineComparison ? [{ key: BASELINE_TAG.beats, value: String(baselineComparison.beats) }] : []),
  ];
  await store.logBatch(runId, { metrics: list, tags: baselineTags });
  return { metrics, foldMetrics: cvOut.foldMetrics, classes, baselineMetrics, ...(baselineComparison ? { baselineComparison } : {}) };
}

/** The first rows as the model sees them: numbers for numeric columns (MLflow's input_example). */
function typedExample(ds: Dataset): Row[] {
  const kinds = new Map(ds.schema.features.map((f) => [f.name, f.kind]));
  return frameToRows(ds.frame, 5).map((r) => {
    const out: Row = dict();
    for (const [k, v] of Object.entries(r)) {
      const x = typeof v === 'string' && kinds.get(k) === 'numeric' && v.trim() !== '' ? Number(v) : v;
      out[k] = typeof x === 'number' && !Number.isFinite(x) ? null : typeof v === 'string' && v.trim() === '' ? null : x;
    }
    return out;
  });
}
