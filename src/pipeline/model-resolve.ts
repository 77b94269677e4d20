import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isProxiedUri, proxiedPath } from '../core/artifact-uri';
import { ModelOpsError } from '../core/errors';
import type { ModelUri } from '../core/model-uri';
import { formatModelUri, parseModelUri } from '../core/model-uri';
import type { ModelVersion } from '../core/registry';
import type { RegistryStore } from '../store/registry-store';
import type { TrackingStore } from '../store/tracking-store';
import { verifyPinned } from './model-pin';

/** The stores a pipeline use case works on. */
export interface Stores {
  tracking: TrackingStore;
  registry: RegistryStore;
}

export interface ResolvedModel {
  /** The URI as given, canonicalized. */
  uri: string;
  /** The model directory on disk (MLflow layout: MLmodel + payload). */
  dir: string;
  /** The registry version, when the URI went through the registry. */
  version?: ModelVersion;
  runId?: string;
}

/** Finds the registry version a `models:/` URI names; clear errors for unknown names, versions, stages, aliases. */
export async function resolveVersion(registry: RegistryStore, uri: ModelUri): Promise<ModelVersion | undefined> {
  switch (uri.kind) {
    case 'version':
      await registry.getRegisteredModel(uri.name); // an unknown name gets its own message, not "version not found"
      return registry.getModelVersion(uri.name, uri.version);
    case 'alias':
      return registry.getModelVersionByAlias(uri.name, uri.alias);
    case 'stage': {
      const [v] = await registry.getLatestVersions(uri.name, [uri.stage]);
      if (!v) {
        const all = await registry.getLatestVersions(uri.name);
        const have = all.length ? all.map((x) => `v${x.version} ${x.currentStage}`).join(', ') : 'no versions yet';
        const hint =
          uri.stage === 'Production'
            ? `promote a Staging version with modelops promote --name ${uri.name} --version <n> --to Production --approve --comment "<why>"`
            : `validate a version with modelops validate --name ${uri.name}`;
        throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', `no version of '${uri.name}' is in ${uri.stage} (latest per stage: ${have}); ${hint}`, {
          location: formatModelUri(uri),
        });
      }
      return v;
    }
    case 'latest': {
      const versions = (
        await registry.searchModelVersions({ filter: `name = '${uri.name.replace(/'/g, "''")}'`, orderBy: ['version_number DESC'], maxResults: 1 })
      ).items;
      if (versions.length === 0) {
        await registry.getRegisteredModel(uri.name); // unknown name → its own clear error
        throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', `'${uri.name}' has no versions yet`, { location: formatModelUri(uri) });
      }
      return versions[0];
    }
    default:
      return undefined;
  }
}

/**
 * An `mlflow-artifacts:/<exp>/<run>/artifacts/<path>` source (what `mlflow.register_model("runs:/…")` sends through a
 * tracking server with the artifact proxy) as the run's artifact `<path>`, when the run's own URI is its prefix.
 */
async function proxiedRunSource(tracking: TrackingStore, source: string): Promise<{ runId: string; path: string } | undefined> {
  const parts = proxiedPath(source).split('/');
  const runId = parts[1];
  if (parts.length < 4 || parts[2] !== 'artifacts' || !runId || !/^[0-9a-zA-Z]+$/.test(runId)) return undefined;
  const run = await tracking.getRun(runId).catch(() => undefined);
  if (!run || proxiedPath(run.info.artifactUri) !== parts.slice(0, 3).join('/')) return undefined;
  return { runId, path: parts.slice(3).join('/') };
}

/** Where a version's source lives on disk: `runs:/<id>/<path>` (or its proxied form) through the tracking store, or a local path. */
export async function sourceDir(tracking: TrackingStore, source: string): Promise<{ dir: string; runId?: string }> {
  if (isProxiedUri(source)) {
    const inRun = await proxiedRunSource(tracking, source);
    if (inRun) return { dir: await tracking.artifactLocalPath(inRun.runId, inRun.path), runId: inRun.runId };
    throw new ModelOpsError('MODEL_INVALID', `model source '${source}' is not in a run's artifacts, so it cannot be read locally`, { location: source });
  }
  const parsed = parseModelUri(source);
  if (parsed.kind === 'run') return { dir: await tracking.artifactLocalPath(parsed.runId, parsed.path), runId: parsed.runId };
  if (parsed.kind === 'path') return { dir: resolve(parsed.path) };
  throw new ModelOpsError('MODEL_INVALID', `model source '${source}' cannot be read locally`, { location: source });
}

/** A registry version's model directory, after checking it still holds the bytes the version was registered with (model-pin.ts). */
export async function versionModelDir(tracking: TrackingStore, version: ModelVersion): Promise<{ dir: string; runId?: string }> {
  const found = await sourceDir(tracking, version.source);
  if (existsSync(found.dir)) verifyPinned(version, found.dir);
  return found;
}

/** Throws only when a version's pinned bytes changed; a source that cannot be found is reported by whoever loads it. */
export async function checkPinnedVersion(tracking: TrackingStore, version: ModelVersion): Promise<void> {
  let dir: string;
  try {
    dir = (await sourceDir(tracking, version.source)).dir;
  } catch {
    return;
  }
  if (existsSync(dir)) verifyPinned(version, dir);
}

/** Resolves any model URI to a model directory that exists and has an MLmodel file (a registry version's pin checked). */
export async function resolveModel(stores: Stores, model: ModelUri | string, cwd: string = process.cwd()): Promise<ResolvedModel> {
  const uri = typeof model === 'string' ? parseModelUri(model) : model;
  const text = formatModelUri(uri);
  let out: ResolvedModel;
  if (uri.kind === 'path') out = { uri: text, dir: resolve(cwd, uri.path) };
  else if (uri.kind === 'run') out = { uri: text, dir: await stores.tracking.artifactLocalPath(uri.runId, uri.path), runId: uri.runId };
  else {
    const version = (await resolveVersion(stores.registry, uri))!;
    const { dir, runId } = await sourceDir(stores.tracking, version.source);
    out = { uri: text, dir, version, ...(runId ? { runId } : {}) };
  }
  if (!existsSync(out.dir) || !statSync(out.dir).isDirectory()) {
    throw new ModelOpsError('MODEL_INVALID', `${text}: no model directory at ${out.dir}`, { location: out.dir });
  }
  if (!existsSync(join(out.dir, 'MLmodel'))) {
    throw new ModelOpsError('MODEL_INVALID', `${text}: ${out.dir} has no MLmodel file; it is not a saved model`, { location: out.dir });
  }
  if (out.version) verifyPinned(out.version, out.dir);
  return out;
}
