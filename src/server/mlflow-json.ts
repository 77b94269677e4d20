import type { DatasetInput, Experiment, Metric, Run, RunInfo } from '../core/tracking';

/**
 * Domain objects in MLflow 2.10.2's REST JSON (protobuf JSON: snake_case, empty lists and unset
 * fields left out, int64 as numbers, NaN and infinities as strings), as recorded in
 * ../shared/reference/mlflow-2.10.2/transcripts/.
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

function datasetInputJson(d: DatasetInput): Json {
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
