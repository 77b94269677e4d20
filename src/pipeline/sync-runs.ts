import { posix } from 'node:path';
import { ModelOpsError } from '../core/errors';
import { isInternalExperiment } from '../core/internal-experiments';
import type { Experiment, Run, Tag } from '../core/tracking';
import { logBatchChunked } from '../store/batch-chunks';
import type { TrackingStore } from '../store/tracking-store';
import { allPages } from '../core/paging';

/**
 * `modelops sync`'s runs: every active experiment (by name) and its runs, with params, every metric's history, tags,
 * dataset inputs and artifacts. A copy carries `modelops.sync.origin` (the run it copies, or that run's own origin,
 * so a run copied there and back is never copied again) and, once whole, `modelops.sync.complete`: a second sync
 * copies nothing, and one interrupted mid-run finds its half copy, deletes it and copies that run again.
 */
export const ORIGIN_TAG = 'modelops.sync.origin';
export const COMPLETE_TAG = 'modelops.sync.complete';
const PARENT_TAG = 'mlflow.parentRunId';

export interface SyncCounts {
  experiments: number;
  runs: number;
  skipped: number;
  artifacts: number;
  models: number;
  versions: number;
  audit: number;
  reports: number;
}

export interface SyncContext {
  from: { tracking: TrackingStore };
  to: { tracking: TrackingStore };
  counts: SyncCounts;
  /** Source run id → target run id (runs copied now or before, and runs that are the same on both sides). */
  runMap: Map<string, string>;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

const tagOf = (run: Run, key: string): string | undefined => run.data.tags.find((t) => t.key === key)?.value;
export const originOf = (run: Run): string => tagOf(run, ORIGIN_TAG) ?? run.info.runId;

export function checkCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ModelOpsError('CANCELLED', 'sync cancelled: run it again to carry on where it stopped');
}

export async function allRuns(store: TrackingStore, experimentId: string): Promise<Run[]> {
  return allPages((t) =>
    store.searchRuns({ experimentIds: [experimentId], maxResults: 1000, orderBy: ['attributes.start_time ASC'], ...(t ? { pageToken: t } : {}) }),
  );
}

/** Runs without a parent first (a child needs its parent's new id), then by start time. */
function parentsFirst(runs: Run[]): Run[] {
  const depth = new Map<string, number>();
  const byId = new Map(runs.map((r) => [r.info.runId, r]));
  const depthOf = (r: Run, seen = 0): number => {
    const parent = tagOf(r, PARENT_TAG);
    const p = parent ? byId.get(parent) : undefined;
    if (!p || seen > 50) return 0;
    return depth.get(r.info.runId) ?? 1 + depthOf(p, seen + 1);
  };
  for (const r of runs) depth.set(r.info.runId, depthOf(r));
  return [...runs].sort((a, b) => depth.get(a.info.runId)! - depth.get(b.info.runId)! || a.info.startTime - b.info.startTime);
}

export async function syncExperiments(ctx: SyncContext): Promise<void> {
  const experiments = await allPages<Experiment>((t) => ctx.from.tracking.searchExperiments({ maxResults: 1000, ...(t ? { pageToken: t } : {}) }));
  for (const exp of experiments) {
    // The registry's audit ledger on a server is copied as the trail (sync-registry.ts), not as an experiment.
    if (isInternalExperiment(exp)) continue;
    checkCancelled(ctx.signal);
    let target = await ctx.to.tracking.getExperimentByName(exp.name);
    if (!target) {
      const id = await ctx.to.tracking.createExperiment(
        exp.name,
        exp.tags.filter((t) => !t.key.startsWith('mlflow.')),
      );
      target = await ctx.to.tracking.getExperiment(id);
      ctx.counts.experiments++;
    }
    await syncRunsOf(ctx, exp, target);
  }
}

async function syncRunsOf(ctx: SyncContext, from: Experiment, to: Experiment): Promise<void> {
  const existing = await allRuns(ctx.to.tracking, to.experimentId);
  const byOrigin = new Map<string, Run>();
  for (const r of existing) byOrigin.set(originOf(r), r);
  for (const run of parentsFirst(await allRuns(ctx.from.tracking, from.experimentId))) {
    checkCancelled(ctx.signal);
    const origin = originOf(run);
    const there = byOrigin.get(origin);
    if (there && (there.info.runId === origin || tagOf(there, COMPLETE_TAG) === 'true')) {
      ctx.runMap.set(run.info.runId, there.info.runId);
      ctx.counts.skipped++;
      continue;
    }
    // A half copy an interrupted sync left: it goes, and the run is copied again whole.
    if (there) await ctx.to.tracking.deleteRun(there.info.runId);
    const copy = await copyRun(ctx, run, to.experimentId, origin);
    ctx.runMap.set(run.info.runId, copy);
    ctx.counts.runs++;
    ctx.onProgress?.(`copied run ${run.info.runName} (${run.info.runId} → ${copy})`);
  }
}

async function copyRun(ctx: SyncContext, run: Run, experimentId: string, origin: string): Promise<string> {
  const to = ctx.to.tracking;
  const parent = tagOf(run, PARENT_TAG);
  const tags: Tag[] = run.data.tags.filter((t) => t.key !== PARENT_TAG && t.key !== ORIGIN_TAG && t.key !== COMPLETE_TAG);
  const created = await to.createRun({
    experimentId,
    runName: run.info.runName,
    userId: run.info.userId,
    startTime: run.info.startTime,
    tags: [{ key: ORIGIN_TAG, value: origin }],
    ...(parent && ctx.runMap.has(parent) ? { parentRunId: ctx.runMap.get(parent)! } : {}),
  });
  const id = created.info.runId;
  const metrics = [];
  for (const key of new Set(run.data.metrics.map((m) => m.key))) metrics.push(...(await ctx.from.tracking.getMetricHistory(run.info.runId, key)));
  await logBatchChunked(to, id, { params: run.data.params, tags, metrics }, ctx.signal);
  if (run.inputs.length > 0) await to.logInputs(id, run.inputs);
  await copyArtifacts(ctx, run.info.runId, id, undefined);
  await to.updateRun(id, { status: run.info.status, ...(run.info.endTime !== null ? { endTime: run.info.endTime } : {}) });
  // Last: only a whole copy is marked so.
  await to.logBatch(id, { tags: [{ key: COMPLETE_TAG, value: 'true' }] });
  return id;
}

async function copyArtifacts(ctx: SyncContext, from: string, to: string, path: string | undefined): Promise<void> {
  for (const entry of await ctx.from.tracking.listArtifacts(from, path)) {
    checkCancelled(ctx.signal);
    if (entry.isDir) {
      await copyArtifacts(ctx, from, to, entry.path);
      continue;
    }
    const local = await ctx.from.tracking.artifactLocalPath(from, entry.path);
    const dir = posix.dirname(entry.path);
    await ctx.to.tracking.logArtifact(to, local, dir === '.' ? undefined : dir);
    ctx.counts.artifacts++;
  }
}
