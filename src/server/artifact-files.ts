import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, realpath, rename, rm, stat, unlink } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ModelOpsError } from '../core/errors';
import type { Json } from '../core/mlflow-wire';
import { HttpError } from './respond';

/**
 * The artifact proxy's files: MLflow's `--artifacts-destination` folder, read and written for clients that cannot
 * reach it (mlflow/server/handlers.py `_upload_artifact`, `_download_artifact`, `_list_artifacts_mlflow_artifacts`,
 * `_delete_artifact_mlflow_artifacts`). Every path goes through MLflow's `validate_path_is_safe` (no `..`, no
 * absolute path, after percent-decoding until stable), refuses NUL too, and must stay inside the folder once
 * symlinks are resolved.
 */
function invalidPath(): ModelOpsError {
  return new ModelOpsError('INVALID_PARAMETER_VALUE', 'Invalid path', { location: 'path' });
}

/** MLflow's `validate_path_is_safe`: the relative, `/`-separated path it accepts, or "Invalid path". */
export function safeArtifactPath(raw: string): string {
  let path = raw;
  for (let i = 0; ; i++) {
    if (i === 10) throw new ModelOpsError('INVALID_PARAMETER_VALUE', 'Failed to decode url', { location: 'path' });
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      throw invalidPath();
    }
    if (decoded === path) break;
    path = decoded;
  }
  if (path.startsWith('file:')) path = path.replace(/^file:(\/\/[^/]*)?/, '');
  if (path.includes('#') || path.includes('\0') || path.includes('\\')) throw invalidPath();
  if (path.split('/').includes('..') || path.startsWith('/') || /^[a-zA-Z]:/.test(path)) throw invalidPath();
  return path
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}

/** MLflow's `_guess_mime_type`: text for its text extensions (and MLmodel), else by extension, else binary. */
const TEXT = new Set([
  'txt',
  'log',
  'err',
  'cfg',
  'conf',
  'cnf',
  'cf',
  'ini',
  'properties',
  'prop',
  'hocon',
  'toml',
  'yaml',
  'yml',
  'xml',
  'json',
  'js',
  'py',
  'py3',
  'csv',
  'tsv',
  'md',
  'rst',
  'MLmodel',
  'mlproject',
]);
const MIME: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  pdf: 'application/pdf',
  html: 'text/html',
  htm: 'text/html',
};

export function guessMime(file: string): string {
  const name = basename(file);
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1) : name;
  if (TEXT.has(ext)) return 'text/plain';
  return MIME[ext.toLowerCase()] ?? 'application/octet-stream';
}

export interface ArtifactEntry {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

export class ArtifactFiles {
  constructor(
    /** The destination folder (absolute). */
    readonly root: string,
    readonly maxUploadBytes: number,
  ) {}

  private async realRoot(): Promise<string> {
    await mkdir(this.root, { recursive: true });
    return realpath(this.root);
  }

  /** The absolute path of `rel` (already safe), refused if a symlink takes it outside the folder. */
  async locate(rel: string): Promise<string> {
    const root = await this.realRoot();
    const full = resolve(root, rel);
    let probe = full;
    // The deepest part of the path that exists decides where it really is.
    for (;;) {
      try {
        probe = await realpath(probe);
        break;
      } catch {
        const up = dirname(probe);
        if (up === probe) break;
        probe = up;
      }
    }
    const r = relative(root, probe);
    if (r.startsWith('..') || isAbsolute(r)) throw invalidPath();
    return full;
  }

  /** One level under `rel`: basenames, sorted; nothing for a missing folder or a file. */
  async list(rel: string): Promise<ArtifactEntry[]> {
    const dir = await this.locate(rel);
    const st = await stat(dir).catch(() => undefined);
    if (!st?.isDirectory()) return [];
    const names = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const out: ArtifactEntry[] = [];
    for (const d of names) {
      if (d.isDirectory()) out.push({ path: d.name, is_dir: true });
      else out.push({ path: d.name, is_dir: false, file_size: (await stat(join(dir, d.name))).size });
    }
    return out;
  }

  /** Streams the request body to `rel` (a temporary file first, renamed when complete). */
  async upload(rel: string, req: IncomingMessage): Promise<void> {
    if (rel === '') throw invalidPath();
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > this.maxUploadBytes)
      throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `Artifact larger than ${this.maxUploadBytes} bytes`);
    const target = await this.locate(rel);
    if ((await stat(target).catch(() => undefined))?.isDirectory()) {
      throw new ModelOpsError('INVALID_PARAMETER_VALUE', `'${rel}' is a folder of artifacts; upload files into it`, { location: rel });
    }
    try {
      await mkdir(dirname(target), { recursive: true });
    } catch (e) {
      throw new ModelOpsError('INVALID_PARAMETER_VALUE', `cannot make the folder of '${rel}' (${(e as NodeJS.ErrnoException).code ?? 'error'})`, {
        location: rel,
      });
    }
    await this.locate(rel); // again, now that the folders exist
    const tmp = `${target}.upload-${randomBytes(6).toString('hex')}`;
    let size = 0;
    const max = this.maxUploadBytes;
    try {
      await pipeline(
        req,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            size += chunk.length;
            if (size > max) throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `Artifact larger than ${max} bytes`);
            yield chunk;
          }
        },
        createWriteStream(tmp, { flags: 'wx' }),
      );
      await rename(tmp, target);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
  }

  /** Deletes a file or a folder; a missing path is nothing to do. */
  async delete(rel: string): Promise<void> {
    if (rel === '') throw invalidPath();
    const target = await this.locate(rel);
    if (!(await lstat(target).catch(() => undefined))) return;
    await rm(target, { recursive: true, force: true });
  }
}

/** A file as MLflow sends artifacts: attachment, guessed type, nosniff; a sandbox CSP so nothing in it can run. */
export async function sendFile(res: ServerResponse, file: string, what: string, extra: Record<string, string> = {}): Promise<void> {
  const st = await stat(file).catch(() => undefined);
  if (!st) throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', `No artifact at '${what}'`, { location: what });
  if (st.isDirectory())
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `'${what}' is a folder of artifacts, not a file (list it instead)`, { location: what });
  const name = basename(file);
  // Header values are Latin-1: other names go RFC 6266's way.
  const disposition =
    /^[\x20-\x7e]*$/.test(name) && !/["\\]/.test(name) ? `attachment; filename=${name}` : `attachment; filename*=UTF-8''${encodeURIComponent(name)}`;
  res.writeHead(200, {
    'Content-Type': guessMime(file),
    'Content-Length': st.size,
    'Content-Disposition': disposition,
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; sandbox",
    ...extra,
  });
  await pipeline(createReadStream(file), res);
}

/** `{files: [...]}`, or `{}` when there are none (protobuf JSON leaves empty lists out). */
export function filesJson(entries: ArtifactEntry[]): Json {
  return entries.length ? { files: entries.map((e) => ({ ...e }) as unknown as Json) } : {};
}
