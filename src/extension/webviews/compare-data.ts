/**
 * Assembles what the comparison panel shows from the tracking store. No vscode import, so it is
 * unit-tested against a real sql.js store.
 */
import { ModelOpsError } from '../../core/errors';
import type { Run } from '../../core/tracking';
import { TAG } from '../../core/tracking';
import { isBetter, metricMeaning } from '../../core/metric-meaning';
import { BASELINE_PREFIX, BASELINE_TAG } from '../../pipeline/train-baseline';
import type { BaselineVerdict, CompareRun, CompareState, FoldValues, MetricHistory } from '../../shared/compare-protocol';
import type { TrackingStore } from '../../store/tracking-store';
import { readConfusionMatrix, readFeatureImportance, readPlotImages } from './artifact-data';

/** Comparing more runs than this is refused with a message; the charts are built for ~500. */
export const MAX_COMPARED_RUNS = 1000;
/** Plot images travel inline (tens of kB each): only for comparisons small enough to look at them. */
export const MAX_RUNS_WITH_PLOTS = 24;

function finite(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

async function hasModel(store: TrackingStore, run: Run): Promise<boolean> {
  // Register is not offered on a run that was stopped or failed: registration refuses it.
  if (run.info.status === 'KILLED' || run.info.status === 'FAILED') return false;
  if (run.data.tags.some((t) => t.key === TAG.loggedModels)) return true;
  try {
    const root = await store.listArtifacts(run.info.runId);
    if (!root.some((a) => a.isDir && a.path === 'model')) return false;
    return (await store.listArtifacts(run.info.runId, 'model')).some((a) => a.path.endsWith('MLmodel'));
  } catch {
    return false;
  }
}

/** The run against its baseline, from what training logged: `<metric>`, `baseline_<metric>` and the tag naming the metric. */
export function baselineVerdict(run: Run): BaselineVerdict | undefined {
  const tag = (k: string): string | undefined => run.data.tags.find((t) => t.key === k)?.value;
  const metric = tag(BASELINE_TAG.metric);
  const value = (k: string): number | undefined => run.data.metrics.find((m) => m.key === k)?.value;
  if (!metric) return undefined;
  const model = value(metric);
  const baseline = value(`${BASELINE_PREFIX}${metric}`);
  if (model === undefined || baseline === undefined || !Number.isFinite(model) || !Number.isFinite(baseline)) return undefined;
  const reason = tag(BASELINE_TAG.reason);
  return { metric, model, baseline, beats: isBetter(metric, model, baseline), ...(reason ? { reason } : {}) };
}

/** Per-fold histories of the run's `cv_*` metrics (a handful of steps each). */
async function foldValues(store: TrackingStore, run: Run): Promise<FoldValues[]> {
  const keys = run.data.metrics.map((m) => m.key).filter((k) => metricMeaning(k).kind === 'fold');
  return Promise.all(
    keys.map(async (key) => {
      const points = (await store.getMetricHistory(run.info.runId, key)).slice().sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
      return { key, values: points.slice(0, 1000).map((p) => finite(p.value)) };
    }),
  );
}

export async function compareRun(store: TrackingStore, run: Run, experimentName?: string, withPlots = true): Promise<CompareRun> {
  const [model, confusionMatrix, featureImportance, plots, folds] = await Promise.all([
    hasModel(store, run),
    readConfusionMatrix(store, run.info.runId),
    readFeatureImportance(store, run.info.runId),
    withPlots ? readPlotImages(store, run.info.runId) : Promise.resolve([]),
    // Small comparisons only, as the plots: a query per per-fold metric per run.
    withPlots ? foldValues(store, run).catch(() => []) : Promise.resolve([]),
  ]);
  const out: CompareRun = {
    runId: run.info.runId,
    runName: run.info.runName,
    experimentId: run.info.experimentId,
    status: run.info.status,
    startTime: run.info.startTime,
    endTime: run.info.endTime,
    params: run.data.params.map((p) => ({ key: p.key, value: p.value })),
    metrics: run.data.metrics.map((m) => ({ key: m.key, value: finite(m.value) })),
    hasModel: model,
  };
  if (experimentName !== undefined) out.experimentName = experimentName;
  if (confusionMatrix) out.confusionMatrix = confusionMatrix;
  if (featureImportance) out.featureImportance = featureImportance;
  if (plots.length) out.plots = plots;
  if (folds.length) out.folds = folds;
  const verdict = baselineVerdict(run);
  if (verdict) out.baseline = verdict;
  return out;
}

/**
 * The panel's state for these run ids, in the order given. Runs deleted since the panel opened
 * are left out (the panel follows the store); when none is left the panel shows its empty state.
 */
export async function loadCompareState(store: TrackingStore, runIds: readonly string[]): Promise<CompareState> {
  if (runIds.length > MAX_COMPARED_RUNS) {
    return { status: 'error', runs: [], message: `Compare at most ${MAX_COMPARED_RUNS} runs at once (${runIds.length} selected).` };
  }
  const found = await Promise.all(
    runIds.map((id) =>
      store.getRun(id).catch((e: unknown) => {
        if (e instanceof ModelOpsError && e.code === 'RESOURCE_DOES_NOT_EXIST') return undefined;
        throw e;
      }),
    ),
  );
  const runs = found.filter((r): r is Run => r !== undefined && r.info.lifecycleStage === 'active');
  const names = new Map<string, string>();
  for (const id of new Set(runs.map((r) => r.info.experimentId))) {
    names.set(
      id,
      await store.getExperiment(id).then(
        (e) => e.name,
        () => id,
      ),
    );
  }
  return {
    status: 'ready',
    runs: await Promise.all(runs.map((r) => compareRun(store, r, names.get(r.info.experimentId), runs.length <= MAX_RUNS_WITH_PLOTS))),
  };
}

/** Histories of one metric, NaN as null, sorted by step (then time) as MLflow returns them. */
export async function loadMetricHistories(store: TrackingStore, key: string, runIds: readonly string[]): Promise<MetricHistory[]> {
  return Promise.all(
    runIds.map(async (runId) => {
      const points = (await store.getMetricHistory(runId, key)).slice().sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
      return { runId, steps: points.map((p) => p.step), values: points.map((p) => finite(p.value)) };
    }),
  );
}
