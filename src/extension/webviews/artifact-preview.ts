/**
 * What the run page shows of one artifact: text, JSON (pretty-printed), YAML, CSV (as a table),
 * PNG and SVG (as base64 data URIs, drawn by an <img>, which runs no script), and an `MLmodel` with
 * its signature. Anything else, or anything too large, is opened in the editor instead. Reads only
 * files inside the run's artifact folder (symbolic links leading out of it are refused). No vscode
 * import.
 */
import { closeSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { basename, extname, sep } from 'node:path';
import Papa from 'papaparse';
import { parse as parseYaml } from 'yaml';
import { ModelOpsError } from '../../core/errors';
import { parseColSpecJson } from '../../ml/ensemble/signature';
import type { ArtifactKind, ArtifactPreview, MlModelView } from '../../shared/run-protocol';
import type { TrackingStore } from '../../store/tracking-store';

export const MAX_TEXT_BYTES = 1_000_000;
export const MAX_IMAGE_BYTES = 5_000_000;
export const MAX_CSV_ROWS = 500;

const TEXT_EXTENSIONS = new Set([
  '.txt',
  '.md',
  '.log',
  '.py',
  '.r',
  '.sql',
  '.toml',
  '.ini',
  '.cfg',
  '.conf',
  '.sh',
  '.ts',
  '.js',
  '.xml',
  '.html',
  '.htm',
  '.ipynb',
  '.env',
  '.properties',
  '.rst',
  '.tex',
]);

/** The kind a file previews as, from its name; `external` ones are sniffed for text before giving up. */
export function kindFromName(path: string): ArtifactKind {
  const name = basename(path);
  if (name === 'MLmodel') return 'mlmodel';
  const ext = extname(name).toLowerCase();
  if (ext === '.json' || ext === '.jsonl') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (ext === '.csv' || ext === '.tsv') return 'csv';
  if (ext === '.png' || ext === '.svg') return 'image';
  if (TEXT_EXTENSIONS.has(ext) || name === 'requirements.txt' || name === 'conda.yaml' || name === 'LICENSE') return 'text';
  return 'external';
}

function readHead(file: string, bytes: number): Buffer {
  const buf = Buffer.alloc(bytes);
  const fd = openSync(file, 'r');
  try {
    return buf.subarray(0, readSync(fd, buf, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}

/** Text when it decodes as UTF-8 without NUL bytes (what editors call a text file). */
function looksLikeText(bytes: Buffer): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    // A multi-byte character cut at the end of the sample is still text.
    return bytes.length > 4 && looksLikeText(bytes.subarray(0, bytes.length - 4));
  }
}

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The artifact's file on disk, refused when it (or a link in its path) leads out of the run's folder. */
export async function artifactFile(store: TrackingStore, runId: string, path: string): Promise<string> {
  const root = realpathSync(await store.artifactLocalPath(runId, ''));
  const file = realpathSync(await store.artifactLocalPath(runId, path));
  if (file !== root && !file.startsWith(root + sep))
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `artifact '${path}' leads out of the run's artifact folder`, { location: path });
  return file;
}

export function mlmodelView(text: string): MlModelView {
  const doc = parseYaml(text) as Record<string, unknown> | null;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new ModelOpsError('MODEL_INVALID', 'MLmodel: not a YAML mapping', { location: 'MLmodel' });
  const flavors = typeof doc.flavors === 'object' && doc.flavors !== null ? Object.keys(doc.flavors) : [];
  const sig = (typeof doc.signature === 'object' && doc.signature !== null ? doc.signature : {}) as Record<string, unknown>;
  const cols = (s: unknown) => (parseColSpecJson(s) ?? []).map((c, i) => ({ name: c.name ?? `[${i}]`, type: String(c.type), required: c.required !== false }));
  const view: MlModelView = { flavors, inputs: cols(sig.inputs), outputs: cols(sig.outputs) };
  const params = cols(sig.params);
  if (params.length) view.params = params;
  if (typeof doc.run_id === 'string') view.runId = doc.run_id;
  if (typeof doc.model_uuid === 'string') view.modelUuid = doc.model_uuid;
  if (doc.utc_time_created !== undefined) view.created = String(doc.utc_time_created);
  return view;
}

function csvTable(text: string, tsv: boolean): { header: string[]; rows: string[][] } {
  const parsed = Papa.parse<string[]>(text, { delimiter: tsv ? '\t' : '', skipEmptyLines: true, preview: MAX_CSV_ROWS + 1 });
  const [header = [], ...rows] = parsed.data.map((r) => r.map((c) => String(c)));
  return { header, rows };
}

function textPreview(path: string, kind: ArtifactKind, size: number, bytes: Buffer): ArtifactPreview {
  const truncated = size > bytes.length;
  const text = bytes.toString('utf8');
  const base: ArtifactPreview = { path, kind, size, text, truncated };
  if (kind === 'json' && !truncated && extname(path).toLowerCase() === '.json') {
    try {
      return { ...base, text: JSON.stringify(JSON.parse(text) as unknown, null, 2) };
    } catch (e) {
      return { ...base, kind: 'text', message: `Not valid JSON (${e instanceof Error ? e.message : String(e)}): shown as text.` };
    }
  }
  if (kind === 'csv') return { ...base, csv: csvTable(text, extname(path).toLowerCase() === '.tsv'), text: '' };
  if (kind === 'mlmodel') {
    try {
      return { ...base, mlmodel: mlmodelView(text) };
    } catch (e) {
      return { ...base, kind: 'yaml', message: `The MLmodel file could not be read (${e instanceof Error ? e.message : String(e)}): shown as text.` };
    }
  }
  return base;
}

function imagePreview(path: string, size: number, file: string): ArtifactPreview {
  if (size > MAX_IMAGE_BYTES) return { path, kind: 'too-large', size, message: `The image is ${(size / 1e6).toFixed(1)} MB; open it in the editor.` };
  const bytes = readHead(file, size);
  const svg = extname(path).toLowerCase() === '.svg';
  if (svg ? !/<svg[\s>]/i.test(bytes.subarray(0, 4096).toString('utf8')) : !bytes.subarray(0, 8).equals(PNG_MAGIC)) {
    return { path, kind: 'external', size, message: `This is not ${svg ? 'an SVG' : 'a PNG'} image; open it in the editor.` };
  }
  return { path, kind: 'image', size, dataUri: `data:image/${svg ? 'svg+xml' : 'png'};base64,${bytes.toString('base64')}` };
}

export async function previewArtifact(store: TrackingStore, runId: string, path: string): Promise<ArtifactPreview> {
  const file = await artifactFile(store, runId, path);
  const st = statSync(file);
  if (st.isDirectory()) throw new ModelOpsError('INVALID_PARAMETER_VALUE', `artifact '${path}' is a folder`, { location: path });
  let kind = kindFromName(path);
  if (kind === 'image') return imagePreview(path, st.size, file);
  const head = readHead(file, Math.min(st.size, MAX_TEXT_BYTES));
  if (kind === 'external') {
    if (!looksLikeText(head.subarray(0, 8192)))
      return { path, kind: 'external', size: st.size, message: 'This file has no preview here; open it in the editor.' };
    kind = 'text';
  }
  return textPreview(path, kind, st.size, head);
}
