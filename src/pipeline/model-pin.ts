import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelOpsError } from '../core/errors';
import type { ModelVersion } from '../core/registry';
import type { Tag } from '../core/tracking';
import { DATA_FILE } from '../ml/ensemble/model-package';
import { record, str } from '../shared/validate';

/**
 * Pinned approvals: at registration the version records the digest of its payload (`model.json`)
 * and of every file of its model directory, as model-version tags (MLflow keeps them, `mlflow ui`
 * shows them). Every load of the version checks them, so bytes changed after registration — even
 * with their checksums recomputed — are refused instead of served, validated or approved.
 */
export const PAYLOAD_DIGEST_TAG = 'modelops.payload_sha256';
export const FILES_DIGEST_TAG = 'modelops.files_sha256';

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** sha256 of every file under `dir` by relative path, sorted; Python's bytecode caches (written when MLflow imports code/) are left out. */
export function modelFileDigests(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (sub: string): void => {
    for (const entry of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (entry.name !== '__pycache__') walk(rel);
      } else if (!entry.name.endsWith('.pyc')) out[rel] = sha256(readFileSync(join(dir, rel)));
    }
  };
  walk('');
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The tags that pin a model directory's bytes to a new version. */
export function pinTags(dir: string): Tag[] {
  const files = modelFileDigests(dir);
  const tags: Tag[] = [];
  if (files[DATA_FILE]) tags.push({ key: PAYLOAD_DIGEST_TAG, value: files[DATA_FILE] });
  tags.push({ key: FILES_DIGEST_TAG, value: JSON.stringify(files) });
  return tags;
}

export interface PinCheck {
  /** False for a version registered before pinning (or by another MLflow client): nothing to check. */
  pinned: boolean;
  /** The payload digest the version was registered with. */
  payloadSha256?: string;
}

function tampered(version: ModelVersion, dir: string, what: string): ModelOpsError {
  const uri = `models:/${version.name}/${version.version}`;
  return new ModelOpsError(
    'MODEL_INVALID',
    `${uri}: ${what} after version ${version.version} of '${version.name}' was registered; these are not the approved bytes, so the version is not loaded — register the model again if the change is intended`,
    { location: dir },
  );
}

/** Refuses a registry version whose model directory no longer holds the bytes it was registered with. */
export function verifyPinned(version: ModelVersion, dir: string): PinCheck {
  const tag = (key: string): string | undefined => version.tags.find((t) => t.key === key)?.value;
  const payload = tag(PAYLOAD_DIGEST_TAG);
  const filesTag = tag(FILES_DIGEST_TAG);
  if (payload === undefined && filesTag === undefined) return { pinned: false };
  if (payload !== undefined) {
    const file = join(dir, DATA_FILE);
    if (!existsSync(file)) throw tampered(version, dir, `${DATA_FILE} was removed`);
    const now = sha256(readFileSync(file));
    if (now !== payload) throw tampered(version, dir, `${file} was changed (sha256 ${now.slice(0, 12)}…, approved ${payload.slice(0, 12)}…)`);
  }
  if (filesTag !== undefined) {
    let pinned: Record<string, string>;
    try {
      pinned = record(str)(JSON.parse(filesTag), FILES_DIGEST_TAG);
    } catch {
      throw new ModelOpsError(
        'MODEL_INVALID',
        `models:/${version.name}/${version.version}: its tag ${FILES_DIGEST_TAG} is not JSON of file digests; the pin cannot be checked`,
        { location: FILES_DIGEST_TAG },
      );
    }
    const now = modelFileDigests(dir);
    const changed = Object.keys(pinned).filter((f) => now[f] !== undefined && now[f] !== pinned[f]);
    const removed = Object.keys(pinned).filter((f) => now[f] === undefined);
    const added = Object.keys(now).filter((f) => pinned[f] === undefined);
    const parts = [
      ...changed.map((f) => `${join(dir, f)} was changed`),
      ...removed.map((f) => `${join(dir, f)} was removed`),
      ...added.map((f) => `${join(dir, f)} was added`),
    ];
    if (parts.length > 0) throw tampered(version, dir, parts.join(', '));
  }
  return { pinned: true, ...(payload ? { payloadSha256: payload } : {}) };
}
