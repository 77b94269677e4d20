/**
 * Assembles the run page from the stores: the run, its parent and children, dataset inputs with
 * their schema and profile, the versions registered from it, metric histories and artifact
 * listings. No vscode import: unit-tested against a real store.
 */
import { ModelOpsError } from '../../core/errors';
import type { DatasetInput, Run } from '../../core/tracking';
import { TAG } from '../../core/tracking';
import type { ArtifactEntry, DatasetView, MetricHistoryPoints, ProfileColumn, RunPage, VersionLink } from '../../shared/run-protocol';
import type { RegistryStore } from '../../store/registry-store';
import type { TrackingStore } from '../../store/tracking-store';
import { runLabel } from '../views/run-format';

export interface RunPageStores {
  tracking: TrackingStore;
  registry: RegistryStore;
}

function tag(run: Run, key: string): string {
  return run.data.tags.find((t) => t.key === key)?.value ?? '';
}

function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

function parseJson(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** One column of a dataset profile (ours: numeric min/max/mean/std, categorical counts); unknown keys ignored. */
function profileColumn(raw: unknown): ProfileColumn | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const o = raw as Record<string, unknown>;
  if (typeof o.name !== 'string') return undefined;
  const col: ProfileColumn = { name: o.name, type: typeof o.type === 'string' ? o.type : '' };
  for (const k of ['missing', 'min', 'max', 'mean', 'std', 'distinct'] as const) {
    const v = num(o[k]);
    if (v !== undefined) col[k] = v;
  }
  if (typeof o.counts === 'object' && o.counts !== null) {
    const counts = Object.entries(o.counts as Record<string, unknown>).filter((e): e is [string, number] => typeof e[1] === 'number');
    counts.sort((a, b) => b[1] - a[1]);
    col.top = counts
      .slice(0, 5)
      .map(([k, n]) => `${k} (${n})`)
      .join(', ');
    if (col.distinct === undefined) col.distinct = counts.length;
  }
  return col;
}

export function datasetView(d: DatasetInput): DatasetView {
  const view: DatasetView = {
    name: d.name,
    digest: d.digest,
    sourceType: d.sourceType,
    source: d.source,
    context: d.tags?.find((t) => t.key === 'mlflow.data.context')?.value ?? '',
  };
  const source = parseJson(d.source) as { uri?: unknown; path?: unknown } | undefined;
  if (source && typeof source === 'object' && typeof (source.uri ?? source.path) === 'string') view.source = String(source.uri ?? source.path);
  const schema = parseJson(d.schema) as { mlflow_colspec?: unknown } | undefined;
  if (schema && Array.isArray(schema.mlflow_colspec)) {
    view.schema = schema.mlflow_colspec
      .filter((c): c is { name?: unknown; type?: unknown } => typeof c === 'object' && c !== null)
      .map((c, i) => ({ name: typeof c.name === 'string' ? c.name : `[${i}]`, type: String(c.type ?? '') }));
  }
  const profile = parseJson(d.profile) as { num_rows?: unknown; columns?: unknown } | undefined;
  if (profile && typeof profile === 'object') {
    const rows = num(profile.num_rows);
    if (rows !== undefined) view.rows = rows;
    const columns = Array.isArray(profile.columns) ? profile.columns.map(profileColumn).filter((c): c is ProfileColumn => c !== undefined) : [];
    if (columns.length) view.profileColumns = columns;
    else view.profileText = JSON.stringify(profile, null, 2);
  } else if (d.profile) {
    view.profileText = d.profile;
  }
  return view;
}

async function childrenOf(tracking: TrackingStore, run: Run): Promise<{ runId: string; runName: string }[]> {
  const out: { runId: string; runName: string }[] = [];
  let token: string | undefined;
  do {
    const page = await tracking.searchRuns({
      experimentIds: [run.info.experimentId],
      filter: `tags.\`${TAG.parentRunId}\` = '${run.info.runId}'`,
      maxResults: 1000,
      orderBy: ['attributes.start_time DESC'],
      pageToken: token,
    });
    out.push(...page.items.map((r) => ({ runId: r.info.runId, runName: runLabel(r) })));
    token = page.nextPageToken;
  } while (token !== undefined);
  return out;
}

async function versionsFrom(registry: RegistryStore, runId: string): Promise<VersionLink[]> {
  try {
    const found = await registry.searchModelVersions({ filter: `run_id = '${runId}'`, maxResults: 1000 });
    return found.items.map((v) => ({ name: v.name, version: v.version, stage: v.currentStage, aliases: v.aliases }));
  } catch {
    // A server without the model registry (a tracking-only MLflow server) has no versions to link.
    return [];
  }
}

export async function loadRunPage(stores: RunPageStores, runId: string): Promise<RunPage> {
  const { tracking } = stores;
  const run = await tracking.getRun(runId);
  const experimentName = await tracking.getExperiment(run.info.experimentId).then(
    (e) => e.name,
    () => run.info.experimentId,
  );
  const parentId = tag(run, TAG.parentRunId);
  const parent = parentId
    ? await tracking.getRun(parentId).then(
        (p) => ({ runId: p.info.runId, runName: runLabel(p) }),
        () => ({ runId: parentId, runName: parentId.slice(0, 8) }),
      )
    : null;
  const [children, versions] = await Promise.all([childrenOf(tracking, run), versionsFrom(stores.registry, runId)]);
  const byKey = <T extends { key: string }>(a: T, b: T) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  return {
    runId,
    runName: runLabel(run),
    experimentId: run.info.experimentId,
    experimentName,
    status: run.info.status,
    lifecycleStage: run.info.lifecycleStage,
    startTime: run.info.startTime,
    endTime: run.info.endTime,
    userId: run.info.userId || tag(run, TAG.user),
    source: tag(run, TAG.source),
    sourceType: tag(run, TAG.sourceType),
    gitCommit: tag(run, TAG.gitCommit),
    artifactUri: run.info.artifactUri,
    parent,
    children,
    note: tag(run, TAG.note),
    tags: run.data.tags
      .filter((t) => t.key !== TAG.note)
      .map((t) => ({ key: t.key, value: t.value }))
      .sort(byKey),
    params: run.data.params.map((p) => ({ key: p.key, value: p.value })).sort(byKey),
    metrics: run.data.metrics.map((m) => ({ key: m.key, value: finite(m.value), step: m.step, timestamp: m.timestamp })).sort(byKey),
    datasets: run.inputs.map(datasetView),
    versions,
  };
}

/** Histories of some metrics of one run, sorted by step then time, NaN as null. */
export async function loadHistories(tracking: TrackingStore, runId: string, keys: readonly string[]): Promise<MetricHistoryPoints[]> {
  return Promise.all(
    keys.map(async (key) => {
      const points = (await tracking.getMetricHistory(runId, key)).slice().sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
      return { key, steps: points.map((p) => p.step), timestamps: points.map((p) => p.timestamp), values: points.map((p) => finite(p.value)) };
    }),
  );
}

export async function listArtifactEntries(tracking: TrackingStore, runId: string, path: string): Promise<ArtifactEntry[]> {
  try {
    return (await tracking.listArtifacts(runId, path || undefined)).map((a) => ({ path: a.path, isDir: a.isDir, size: a.fileSize ?? null }));
  } catch (e) {
    if (e instanceof ModelOpsError && e.code === 'INVALID_PARAMETER_VALUE') throw e;
    // A run whose artifact folder is not local or not there has nothing to list.
    return [];
  }
}
