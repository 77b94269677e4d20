import type { ModelVersion, RegisteredModel } from './registry';
import type { Stage } from './stages';
import { isStage } from './stages';
import type { DatasetInput, Experiment, LifecycleStage, Metric, Run, RunInfo, RunStatus, Tag } from './tracking';

/**
 * Domain objects in MLflow 2.10.2's REST JSON (protobuf JSON: snake_case, empty lists and unset
 * fields left out, int64 as numbers, NaN and infinities as strings), as recorded in
 * test/fixtures/mlflow/mlflow-2.10.2/transcripts/ (copied from MLflow 2.10.2).
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function nonEmpty<T>(key: string, list: readonly T[], map: (x: T) => Json): Record<string, Json> {
  return list.length > 0 ? { [key]: list.map(map) } : {};
}

/** A double as protobuf JSON writes it. */
export function doubleJson(v: number): Json {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}

export function experimentJson(e: Experiment): Json {
  return {
    experiment_id: e.experimentId,
    name: e.name,
    artifact_location: e.artifactLocation,
    lifecycle_stage: e.lifecycleStage,
    last_update_time: e.lastUpdateTime,
    creation_time: e.creationTime,
    ...nonEmpty('tags', e.tags, (t) => ({ key: t.key, value: t.value })),
  };
}

export function metricJson(m: Metric): Json {
  return { key: m.key, value: doubleJson(m.value), timestamp: m.timestamp, step: m.step };
}

export function runInfoJson(i: RunInfo): Json {
  return {
    run_uuid: i.runId,
    experiment_id: i.experimentId,
    run_name: i.runName,
    user_id: i.userId,
    status: i.status,
    start_time: i.startTime,
    ...(i.endTime === null ? {} : { end_time: i.endTime }),
    artifact_uri: i.artifactUri,
    lifecycle_stage: i.lifecycleStage,
    run_id: i.runId,
  };
}

/** `inputs` is written even when empty (runs/get and runs/search do; runs/create does not). */
export function runJson(r: Run, withInputs = true): Json {
  return {
    info: runInfoJson(r.info),
    data: {
      ...nonEmpty('metrics', r.data.metrics, metricJson),
      ...nonEmpty('params', r.data.params, (p) => ({ key: p.key, value: p.value })),
      ...nonEmpty('tags', r.data.tags, (t) => ({ key: t.key, value: t.value })),
    },
    ...(withInputs ? { inputs: nonEmpty('dataset_inputs', r.inputs, datasetInputJson) } : {}),
  };
}

// ---- the other direction: MLflow REST JSON → domain objects (the REST store reads these) -------

type Obj = Record<string, unknown>;

const asObj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const text = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
/** int64 arrive as numbers or (protobuf JSON allows it) strings. */
const int = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : 0);

export function doubleFromJson(v: unknown): number {
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return typeof v === 'number' ? v : Number(v);
}

function tagsFromJson(v: unknown): Tag[] {
  return asList(v).map((t) => ({ key: text(asObj(t).key), value: text(asObj(t).value) }));
}

export function experimentFromJson(v: unknown): Experiment {
  const o = asObj(v);
  return {
    experimentId: text(o.experiment_id),
    name: text(o.name),
    artifactLocation: text(o.artifact_location),
    lifecycleStage: (text(o.lifecycle_stage) || 'active') as LifecycleStage,
    creationTime: int(o.creation_time),
    lastUpdateTime: int(o.last_update_time),
    tags: tagsFromJson(o.tags),
  };
}

export function metricFromJson(v: unknown): Metric {
  const o = asObj(v);
  return { key: text(o.key), value: doubleFromJson(o.value), timestamp: int(o.timestamp), step: int(o.step) };
}

export function runInfoFromJson(v: unknown): RunInfo {
  const o = asObj(v);
  return {
    runId: text(o.run_id ?? o.run_uuid),
    runName: text(o.run_name),
    experimentId: text(o.experiment_id),
    userId: text(o.user_id),
    status: (text(o.status) || 'RUNNING') as RunStatus,
    startTime: int(o.start_time),
    endTime: o.end_time === undefined || o.end_time === null ? null : int(o.end_time),
    artifactUri: text(o.artifact_uri),
    lifecycleStage: (text(o.lifecycle_stage) || 'active') as LifecycleStage,
  };
}

function datasetInputFromJson(v: unknown): DatasetInput {
  const o = asObj(v);
  const d = asObj(o.dataset);
  return {
    name: text(d.name),
    digest: text(d.digest),
    sourceType: text(d.source_type),
    source: text(d.source),
    ...(d.schema !== undefined ? { schema: text(d.schema) } : {}),
    ...(d.profile !== undefined ? { profile: text(d.profile) } : {}),
    ...(o.tags !== undefined ? { tags: tagsFromJson(o.tags) } : {}),
  };
}

export function runFromJson(v: unknown): Run {
  const o = asObj(v);
  const data = asObj(o.data);
  return {
    info: runInfoFromJson(o.info),
    data: {
      metrics: asList(data.metrics).map(metricFromJson),
      params: asList(data.params).map((p) => ({ key: text(asObj(p).key), value: text(asObj(p).value) })),
      tags: tagsFromJson(data.tags),
    },
    inputs: asList(asObj(o.inputs).dataset_inputs).map(datasetInputFromJson),
  };
}

export function datasetInputJson(d: DatasetInput): Json {
  return {
    ...nonEmpty('tags', d.tags ?? [], (t) => ({ key: t.key, value: t.value })),
    dataset: {
      name: d.name,
      digest: d.digest,
      source_type: d.sourceType,
      source: d.source,
      ...(d.schema !== undefined ? { schema: d.schema } : {}),
      ...(d.profile !== undefined ? { profile: d.profile } : {}),
    },
  };
}

// ---- model registry ------------------------------------------------------------------------------

/** A model version as MLflow writes it; `aliases` only where MLflow lists them (not in latest_versions). */
export function modelVersionJson(v: ModelVersion, withAliases = true): Json {
  return {
    name: v.name,
    version: v.version,
    creation_timestamp: v.creationTimestamp,
    last_updated_timestamp: v.lastUpdatedTimestamp,
    ...(v.userId ? { user_id: v.userId } : {}),
    current_stage: v.currentStage,
    description: v.description,
    source: v.source,
    run_id: v.runId,
    status: v.status,
    ...(v.statusMessage ? { status_message: v.statusMessage } : {}),
    ...nonEmpty('tags', v.tags, (t) => ({ key: t.key, value: t.value })),
    run_link: v.runLink,
    ...(withAliases ? nonEmpty('aliases', v.aliases, (a) => a) : {}),
  };
}

export function registeredModelJson(m: RegisteredModel): Json {
  return {
    name: m.name,
    creation_timestamp: m.creationTimestamp,
    last_updated_timestamp: m.lastUpdatedTimestamp,
    ...(m.description ? { description: m.description } : {}),
    ...nonEmpty('latest_versions', m.latestVersions, (v) => modelVersionJson(v, false)),
    ...nonEmpty('tags', m.tags, (t) => ({ key: t.key, value: t.value })),
    ...nonEmpty('aliases', m.aliases, (a) => ({ alias: a.alias, version: a.version })),
  };
}

export function modelVersionFromJson(v: unknown): ModelVersion {
  const o = asObj(v);
  const stage = text(o.current_stage);
  return {
    name: text(o.name),
    version: text(o.version),
    creationTimestamp: int(o.creation_timestamp),
    lastUpdatedTimestamp: int(o.last_updated_timestamp),
    currentStage: (isStage(stage) ? stage : 'None') as Stage,
    description: text(o.description),
    userId: text(o.user_id),
    source: text(o.source),
    runId: text(o.run_id),
    status: (text(o.status) || 'READY') as ModelVersion['status'],
    statusMessage: text(o.status_message),
    runLink: text(o.run_link),
    tags: tagsFromJson(o.tags).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    aliases: asList(o.aliases).map(text).sort(),
  };
}

export function registeredModelFromJson(v: unknown): RegisteredModel {
  const o = asObj(v);
  return {
    name: text(o.name),
    creationTimestamp: int(o.creation_timestamp),
    lastUpdatedTimestamp: int(o.last_updated_timestamp),
    description: text(o.description),
    latestVersions: asList(o.latest_versions).map(modelVersionFromJson),
    tags: tagsFromJson(o.tags).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    aliases: asList(o.aliases)
      .map((a) => ({ alias: text(asObj(a).alias), version: text(asObj(a).version) }))
      .sort((a, b) => (a.alias < b.alias ? -1 : a.alias > b.alias ? 1 : 0)),
  };
}
