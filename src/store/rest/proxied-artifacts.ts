import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix, resolve } from 'node:path';
import { PROXY_ROUTE, proxiedAuthority, proxiedPath } from '../../core/artifact-uri';
import { ModelOpsError } from '../../core/errors';
import type { ArtifactInfo } from '../../core/tracking';
import { safeRelative } from '../sqlite/artifacts';
import type { MlflowClient } from './mlflow-client';

/**
 * A run's artifacts behind an MLflow tracking server's artifact proxy (`mlflow-artifacts:` URIs, MLflow ≥ 2.0's
 * default): uploaded with `PUT /api/2.0/mlflow-artifacts/artifacts/<path>`, listed with `GET …/artifacts?path=`,
 * downloaded with `GET …/artifacts/<path>` into a local cache folder, as MLflow's own client does.
 */
export class ProxiedArtifacts {
  constructor(
    private readonly client: MlflowClient,
    /** The run's `mlflow-artifacts:` URI. */
    private readonly runUri: string,
    private readonly runId: string,
  ) {}

  /** `mlflow-artifacts://host:port/…` names its server; `mlflow-artifacts:/…` the one in use. */
  private base(): string {
    const authority = proxiedAuthority(this.runUri);
    return authority ? `${/^https:/i.test(this.client.baseUrl) ? 'https' : 'http'}://${authority}` : this.client.baseUrl;
  }

  private url(rel: string): string {
    const parts = [proxiedPath(this.runUri), ...rel.split('/')].filter((p) => p !== '');
    return `${this.base()}${PROXY_ROUTE}/${parts.map(encodeURIComponent).join('/')}`;
  }

  /** Uploads a file, or a folder's files, to `<artifactPath>/<basename>`. */
  async log(localPath: string, artifactPath?: string): Promise<void> {
    let st;
    try {
      st = statSync(localPath);
    } catch (e) {
      throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${localPath}: no such file or directory to log as an artifact`, { location: localPath, cause: e });
    }
    const target = posix.join(safeRelative(artifactPath), basename(resolve(localPath)));
    if (!st.isDirectory()) return this.client.putBytes(this.url(target), readFileSync(localPath));
    const walk = async (dir: string, rel: string): Promise<void> => {
      for (const d of readdirSync(dir, { withFileTypes: true })) {
        if (d.isDirectory()) await walk(join(dir, d.name), posix.join(rel, d.name));
        else await this.client.putBytes(this.url(posix.join(rel, d.name)), readFileSync(join(dir, d.name)));
      }
    };
    await walk(localPath, target);
  }

  async list(path?: string): Promise<ArtifactInfo[]> {
    const rel = safeRelative(path);
    const query = posix.join(proxiedPath(this.runUri), rel);
    const r = await this.client.getJson(`${this.base()}${PROXY_ROUTE}?path=${encodeURIComponent(query)}`);
    const files = Array.isArray(r.files) ? (r.files as { path?: unknown; is_dir?: unknown; file_size?: unknown }[]) : [];
    return files.map((f) => {
      const p = rel ? `${rel}/${String(f.path)}` : String(f.path);
      return f.is_dir === true ? { path: p, isDir: true } : { path: p, isDir: false, fileSize: Number(f.file_size ?? 0) };
    });
  }

  /** Downloads `path` (a file, or a folder recursively) into the cache and returns where it is. */
  async localPath(path: string): Promise<string> {
    const rel = safeRelative(path);
    const key = createHash('sha256').update(`${this.base()}|${this.runUri}`).digest('hex').slice(0, 16);
    const root = join(tmpdir(), 'modelops-artifacts', `${this.runId}-${key}`);
    const dest = rel ? join(root, ...rel.split('/')) : root;
    const entries = await this.list(rel);
    if (entries.length > 0 || rel === '') {
      mkdirSync(dest, { recursive: true });
      for (const e of entries) {
        if (e.isDir) await this.localPath(e.path);
        else await this.download(e.path, join(root, ...e.path.split('/')));
      }
      return dest;
    }
    // MLflow answers a missing file with a 500, so the file is looked for in its folder's listing first.
    const parent = posix.dirname(rel) === '.' ? '' : posix.dirname(rel);
    if (!(await this.list(parent)).some((e) => e.path === rel && !e.isDir)) throw this.missing(rel);
    await this.download(rel, dest);
    return dest;
  }

  private missing(rel: string): ModelOpsError {
    return new ModelOpsError('RESOURCE_DOES_NOT_EXIST', `run ${this.runId} has no artifact '${rel}' (${this.runUri})`, { location: rel });
  }

  private async download(rel: string, dest: string): Promise<void> {
    const bytes = await this.client.getBytes(this.url(rel));
    if (bytes === undefined) throw this.missing(rel);
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, bytes);
  }
}
