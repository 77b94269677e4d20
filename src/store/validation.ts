import { posix } from 'node:path';
import { ModelOpsError } from '../core/errors';
import type { LogBatch, Metric, Param, RunStatus, Tag } from '../core/tracking';
import { RUN_STATUSES } from '../core/tracking';

/** MLflow 2.10's limits and name rules (mlflow/utils/validation.py), so both stores agree. */
export const LIMITS = {
  metricsPerBatch: 1000,
  paramsTagsPerBatch: 100,
  entitiesPerBatch: 1000,
  paramValueLength: 6000,
  tagValueLength: 5000,
  entityKeyLength: 250,
  experimentTagKeyLength: 250,
  experimentTagValueLength: 5000,
  experimentNameLength: 500,
  datasetNameLength: 500,
  datasetDigestLength: 36,
  datasetSourceLength: 65535,
  datasetSchemaLength: 1048575,
  datasetProfileLength: 16777215,
  inputTagKeyLength: 255,
  inputTagValueLength: 500,
  searchMaxResults: 50000,
} as const;

const VALID_NAME = /^[/\w.\- ]*$/;
const BAD_CHARACTERS = 'Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/).';

function invalid(message: string, location?: string): ModelOpsError {
  return new ModelOpsError('INVALID_PARAMETER_VALUE', message, location === undefined ? undefined : { location });
}

/** Would the name, used as a file path, resolve to another name? (MLflow's `path_not_unique`.) */
function pathNotUnique(name: string): boolean {
  const norm = posix.normalize(name);
  return norm !== name || norm === '.' || norm.startsWith('..') || norm.startsWith('/');
}

function validateName(kind: 'metric' | 'parameter' | 'tag', name: string | undefined | null): void {
  if (name === undefined || name === null || name === '') {
    const Kind = kind === 'parameter' ? 'Parameter' : kind[0]!.toUpperCase() + kind.slice(1);
    throw invalid(`${Kind} name cannot be empty. A key name must be provided.`);
  }
  if (!VALID_NAME.test(name)) throw invalid(`Invalid ${kind} name: '${name}'. ${BAD_CHARACTERS}`, name);
  if (pathNotUnique(name)) {
    throw invalid(
      `Invalid ${kind} name: '${name}'. Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '${posix.normalize(name)}'`,
      name,
    );
  }
}

export function validateLength(entity: string, limit: number, value: string): void {
  if (value.length > limit) {
    throw invalid(`${entity} '${value.slice(0, 250)}' had length ${value.length}, which exceeded length limit of ${limit}`, entity);
  }
}

/** Metric names already found valid (a training loop logs the same few names a million times). */
const validMetricNames = new Set<string>();

export function validateMetric(m: Metric): void {
  if (!validMetricNames.has(m.key)) {
    validateName('metric', m.key);
    validateLength('Metric name', LIMITS.entityKeyLength, m.key);
    if (validMetricNames.size < 10_000) validMetricNames.add(m.key);
  }
  if (typeof m.value !== 'number') {
    throw invalid(
      `Got invalid value ${String(m.value)} for metric '${m.key}' (timestamp=${m.timestamp}). Please specify value as a valid double (64-bit floating point)`,
    );
  }
  if (typeof m.timestamp !== 'number' || !Number.isInteger(m.timestamp) || m.timestamp < 0) {
    throw invalid(
      `Got invalid timestamp ${String(m.timestamp)} for metric '${m.key}' (value=${m.value}). Timestamp must be a nonnegative long (64-bit integer) `,
    );
  }
  if (typeof m.step !== 'number' || !Number.isInteger(m.step)) {
    throw invalid(`Got invalid step ${String(m.step)} for metric '${m.key}' (value=${m.value}). Step must be a valid long (64-bit integer).`);
  }
}

export function validateParam(p: Param): void {
  validateName('parameter', p.key);
  if (typeof p.value !== 'string') throw invalid(`Param '${p.key}' value must be a string`);
  validateLength('Param key', LIMITS.entityKeyLength, p.key);
  validateLength('Param value', LIMITS.paramValueLength, p.value);
}

/** `valueLimit`: what the store's column takes (MLflow widened run tags to 8000 in 2.17). */
export function validateTag(t: Tag, valueLimit: number = LIMITS.tagValueLength): void {
  validateName('tag', t.key);
  if (typeof t.value !== 'string') throw invalid(`Tag '${t.key}' value must be a string`);
  validateLength('Tag key', LIMITS.entityKeyLength, t.key);
  validateLength('Tag value', valueLimit, t.value);
}

export function validateExperimentTag(t: Tag, valueLimit: number = LIMITS.experimentTagValueLength): void {
  validateName('tag', t.key);
  validateLength('Tag key', LIMITS.experimentTagKeyLength, t.key);
  validateLength('Tag value', valueLimit, t.value);
}

function batchLimit(entity: string, limit: number, length: number): void {
  if (length > limit) {
    throw invalid(
      `A batch logging request can contain at most ${limit} ${entity}. Got ${length} ${entity}. Please split up ${entity} across multiple requests and try again.`,
    );
  }
}

/** Everything MLflow checks before a log-batch touches the database (`tagValueLimit`: as validateTag). */
export function validateBatch(batch: LogBatch, tagValueLimit: number = LIMITS.tagValueLength): void {
  const metrics = batch.metrics ?? [];
  const params = batch.params ?? [];
  const tags = batch.tags ?? [];
  batchLimit('metrics', LIMITS.metricsPerBatch, metrics.length);
  batchLimit('params', LIMITS.paramsTagsPerBatch, params.length);
  batchLimit('tags', LIMITS.paramsTagsPerBatch, tags.length);
  batchLimit('metrics, params, and tags', LIMITS.entitiesPerBatch, metrics.length + params.length + tags.length);
  metrics.forEach(validateMetric);
  params.forEach(validateParam);
  for (const t of tags) validateTag(t, tagValueLimit);
  const seen = new Set<string>();
  const dupes: string[] = [];
  for (const p of params) {
    if (seen.has(p.key)) dupes.push(p.key);
    seen.add(p.key);
  }
  if (dupes.length > 0) {
    throw invalid(
      `Duplicate parameter keys have been submitted: [${dupes.map((d) => `'${d}'`).join(', ')}]. Please ensure the request contains only one param value per param key.`,
    );
  }
}

export function validateExperimentName(name: unknown): asserts name is string {
  if (name === undefined || name === null || name === '') throw invalid(`Invalid experiment name: '${String(name ?? '')}'`);
  if (typeof name !== 'string') throw invalid(`Invalid experiment name: ${String(name)}. Expects a string.`);
  if (name.length > LIMITS.experimentNameLength) {
    throw invalid(`Experiment name exceeds the maximum length of ${LIMITS.experimentNameLength} characters`);
  }
}

export function validateRunStatus(status: string): asserts status is RunStatus {
  if (!(RUN_STATUSES as readonly string[]).includes(status)) {
    throw invalid(`Invalid run status '${status}'; expected one of ${RUN_STATUSES.join(', ')}`);
  }
}

const RUN_ID = /^[a-zA-Z0-9][\w-]{0,255}$/;
const EXPERIMENT_ID = /^[a-zA-Z0-9][\w-]{0,63}$/;

export function validateRunId(runId: string): void {
  if (typeof runId !== 'string' || !RUN_ID.test(runId)) throw invalid(`Invalid run ID: '${String(runId)}'`);
}

export function validateExperimentId(experimentId: string): void {
  if (typeof experimentId !== 'string' || !EXPERIMENT_ID.test(experimentId)) {
    throw invalid(`Invalid experiment ID: '${String(experimentId)}'`);
  }
}

export function validateMaxResults(maxResults: number | undefined, limit: number = LIMITS.searchMaxResults): number {
  if (maxResults === undefined) return 1000;
  if (!Number.isInteger(maxResults) || maxResults <= 0) {
    throw invalid(`Invalid value for max_results. It must be a positive integer, but got ${maxResults}`);
  }
  if (maxResults > limit) {
    throw invalid(`Invalid value for max_results. It must be at most ${limit}, but got value ${maxResults}`);
  }
  return maxResults;
}
