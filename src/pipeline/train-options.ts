import { parseJsonText } from '../core/json-text';
import { readFileSync } from 'node:fs';
import { ModelOpsError } from '../core/errors';
import type { Engine, MemberSpec, MemberType } from '../ml/estimators';
import { MEMBER_TYPES } from '../ml/estimators';
import { checkMemberParams } from '../ml/member-params';
import type { Check } from '../shared/validate';
import { declared } from '../shared/validate';

/**
 * The `--params file.json` format: per-member parameters keyed by model type, plus ensemble
 * settings. Example: `{"rf": {"nEstimators": 200}, "knn": {"nNeighbors": 7, "weights": "distance"},
 * "engine": "mljs", "weights": "fit"}`; or an explicit `{"members": [{"type": "rf", "params": {...}}]}`.
 */
export interface TrainParamsFile {
  members?: MemberSpec[];
  engine?: Engine;
  weights?: 'equal' | 'fit' | number[];
  rf?: Record<string, unknown>;
  knn?: Record<string, unknown>;
  tree?: Record<string, unknown>;
  /** Takes no params: any given is refused (it was accepted and ignored). */
  dummy?: Record<string, unknown>;
}

export function readParamsFile(path: string): TrainParamsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${path}: cannot read the params file (${(e as Error).message})`, { location: path, cause: e });
  }
  return TRAIN_PARAMS_FILE(parseJsonText(text, path), path);
}

const PARAMS_KEYS = new Set(['members', 'engine', 'weights', 'rf', 'knn', 'tree', 'dummy']);

/**
 * A params file's top level (the file, a pipeline's `fixed` params, a study's stored `base`); the
 * members' params inside are checked by name and range in resolveMembers, against the members in use.
 */
export const TRAIN_PARAMS_FILE: Check<TrainParamsFile> = declared({ type: 'object', description: 'Training params, as a --params file.' }, (v, path) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${path}: expected a JSON object`, { location: path });
  // `$schema` names the JSON Schema an editor checks the file with (schemas/modelops.params.schema.json).
  for (const k of Object.keys(v))
    if (k !== '$schema' && !PARAMS_KEYS.has(k))
      throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${path}: unknown key '${k}' (known: ${[...PARAMS_KEYS].join(', ')})`, { location: `${path}:${k}` });
  return v as TrainParamsFile;
});

/**
 * `rf,knn` plus the params file → member specs, each member's params checked (names and ranges);
 * `source`, the params file, is named in the errors.
 */
export function resolveMembers(models: string | MemberType[] | undefined, file: TrainParamsFile = {}, source?: string): MemberSpec[] {
  const specs = specsOf(models, file);
  for (const s of specs) checkMemberParams(s, source);
  return specs;
}

function specsOf(models: string | MemberType[] | undefined, file: TrainParamsFile): MemberSpec[] {
  if (file.members) return file.members.map((m) => ({ engine: file.engine, ...m }));
  const list =
    typeof models === 'string'
      ? models
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : (models ?? ['rf', 'knn']);
  if (list.length === 0) throw new ModelOpsError('INVALID_PARAMETER_VALUE', 'models: give at least one member (rf, knn, tree, dummy)', { location: 'models' });
  return list.map((t) => {
    if (!MEMBER_TYPES.includes(t as MemberType))
      throw new ModelOpsError('INVALID_PARAMETER_VALUE', `models: unknown model '${t}' (use ${MEMBER_TYPES.join(', ')})`, { location: 'models' });
    const type = t as MemberType;
    const params = file[type];
    return { type, ...(file.engine ? { engine: file.engine } : {}), ...(params ? { params } : {}) };
  });
}

/** Flat MLflow params: `models`, `rf.nEstimators`, ... (values as strings). */
export function memberParams(members: MemberSpec[]): Record<string, string> {
  const out: Record<string, string> = { models: members.map((m) => m.type).join(',') };
  for (const m of members) {
    if (m.engine) out[`${m.type}.engine`] = m.engine;
    for (const [k, v] of Object.entries(m.params ?? {})) out[`${m.type}.${k}`] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}
