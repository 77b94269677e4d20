/**
 * Does a run's model belong to a registered model? Its target and input columns must be those of
 * one of the model's versions (the difference is named against the newest): one Enter must not register an iris classifier as the next
 * version of the churn model. The difference is named; `force` registers it anyway.
 */
import { ModelOpsError } from '../core/errors';
import type { ModelVersion } from '../core/registry';
import { readModelInfo } from '../ml/ensemble/model-package';
import type { Stores } from './model-resolve';
import { sourceDir } from './model-resolve';

export interface Mismatch {
  /** The version compared with. */
  version: string;
  target?: { run: string; model: string };
  /** Input columns the run's model takes that the version does not, and the other way round. */
  extra: string[];
  missing: string[];
  text: string;
}

export class RegistrationMismatchError extends ModelOpsError {
  constructor(
    readonly model: string,
    readonly runId: string,
    readonly mismatch: Mismatch,
  ) {
    super(
      'INVALID_PARAMETER_VALUE',
      `run ${runId.slice(0, 8)}'s model does not fit '${model}': ${mismatch.text}. Register it as a new model, or register it anyway (--force on the CLI)`,
      {
        location: `models:/${model}`,
      },
    );
    this.name = 'RegistrationMismatchError';
  }
}

function list(names: string[]): string {
  const shown = names
    .slice(0, 6)
    .map((n) => `'${n}'`)
    .join(', ');
  return names.length > 6 ? `${shown} and ${names.length - 6} more` : shown;
}

interface Shape {
  version: ModelVersion;
  target: string;
  inputs: string[];
}

/** The readable versions of the model, newest first (at most 50 looked at). */
async function readableVersions(stores: Stores, name: string): Promise<Shape[]> {
  let versions: ModelVersion[];
  try {
    versions = (await stores.registry.searchModelVersions({ filter: `name = '${name.replace(/'/g, "''")}'`, orderBy: ['version_number DESC'], maxResults: 50 }))
      .items;
  } catch (e) {
    if (e instanceof ModelOpsError && e.code === 'RESOURCE_DOES_NOT_EXIST') return [];
    throw e;
  }
  const out: Shape[] = [];
  for (const version of versions) {
    try {
      const info = readModelInfo((await sourceDir(stores.tracking, version.source)).dir);
      out.push({ version, target: info.target, inputs: info.signature.inputs.flatMap((c) => (c.name === undefined ? [] : [c.name])) });
    } catch {
      // a version whose model is gone or unreadable says nothing about what the model takes
    }
  }
  return out;
}

/**
 * The difference between the run's model (in `dir`) and the registered model's newest version;
 * undefined when some version has the same target and inputs, or the model has no readable version.
 */
export async function registrationMismatch(stores: Stores, name: string, dir: string): Promise<Mismatch | undefined> {
  const versions = await readableVersions(stores, name);
  const existing = versions[0];
  if (!existing) return undefined;
  let info: ReturnType<typeof readModelInfo>;
  try {
    info = readModelInfo(dir);
  } catch {
    return undefined; // another flavor (an MLflow sklearn model): the signature gate judges it
  }
  const inputs = info.signature.inputs.flatMap((c) => (c.name === undefined ? [] : [c.name]));
  const same = (v: Shape): boolean => v.target === info.target && v.inputs.length === inputs.length && v.inputs.every((c) => inputs.includes(c));
  if (versions.some(same)) return undefined;
  const have = new Set(existing.inputs);
  const extra = inputs.filter((c) => !have.has(c));
  const missing = existing.inputs.filter((c) => !inputs.includes(c));
  const sameTarget = info.target === existing.target;
  if (sameTarget && extra.length === 0 && missing.length === 0) return undefined;
  const v = existing.version.version;
  const parts: string[] = [];
  if (!sameTarget) parts.push(`it predicts '${info.target}', version ${v} predicts '${existing.target}'`);
  if (extra.length > 0) parts.push(`it takes ${list(extra)}, which version ${v} does not`);
  if (missing.length > 0) parts.push(`it lacks ${list(missing)}, which version ${v} takes`);
  return { version: v, ...(sameTarget ? {} : { target: { run: info.target, model: existing.target } }), extra, missing, text: parts.join('; ') };
}
