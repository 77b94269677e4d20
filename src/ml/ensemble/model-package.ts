import { checkNesting } from '../../core/json-text';
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ModelOpsError } from '../../core/errors';
import { writeFileAtomic } from '../../core/atomic-file';
import { VERSION } from '../../core/version';
import type { Row } from '../dataset/dataset';
import type { EnsembleJSON } from './ensemble';
import { Ensemble } from './ensemble';
import { MLFLOW_VERSION, PYFUNC_FLAVOR, pyfuncFlavor, writePyfuncCode, writePyfuncEnv } from './pyfunc-flavor';
import type { YamlValue } from './pyyaml';
import { dumpYaml } from './pyyaml';
import type { ModelSignature } from './signature';
import { colSpecJson, PARAMS_JSON, parseColSpecJson, signatureFor } from './signature';

export const MODEL_FORMAT = 'modelops.ensemble/1';
export const FLAVOR = 'modelops_ensemble';
export const DATA_FILE = 'model.json';

export interface ModelMeta {
  runId?: string;
  /** Where the model sits in the run's artifacts (MLflow's `artifact_path`), default `model`. */
  artifactPath?: string;
  /** Up to a few raw rows saved as `input_example.json`. */
  inputExample?: Row[];
  modelUuid?: string;
  createdAt?: Date;
}

export interface ModelInfo {
  modelUuid: string;
  runId: string | null;
  artifactPath: string;
  utcTimeCreated: string;
  signature: ModelSignature;
  task: string;
  target: string;
  classes: string[];
}

function sha256(s: string | Buffer): string {
  return createHash('sha256').update(s).digest('hex');
}

/** MLflow's `utc_time_created` format: `YYYY-MM-DD HH:MM:SS.ffffff`. */
function mlflowTime(d: Date): string {
  return `${d.toISOString().replace('T', ' ').replace('Z', '')}000`;
}

/** Bytes of every file under `dir` (MLflow's `model_size_bytes`: what is there before MLmodel and the env files). */
function filesSize(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const s = statSync(join(dir, name));
    total += s.isDirectory() ? filesSize(join(dir, name)) : s.size;
  }
  return total;
}

/**
 * Writes the model directory in MLflow's layout: model.json (versioned envelope), input_example.json,
 * the `python_function` flavor's code/ and environment files, and MLmodel last (a directory with an
 * MLmodel file is complete), in the shape MLflow 2.10.2 writes it.
 */
export function saveModel(dir: string, model: Ensemble, meta: ModelMeta = {}): ModelInfo {
  mkdirSync(dir, { recursive: true });
  const payload = model.toJSON();
  const payloadText = JSON.stringify(payload);
  const envelope = `{"format":${JSON.stringify(MODEL_FORMAT)},"modelops_version":${JSON.stringify(VERSION)},"payload_sha256":"${sha256(payloadText)}","payload":${payloadText}}\n`;
  writeFileAtomic(join(dir, DATA_FILE), envelope);
  const signature = signatureFor(model.features, model.target, model.task);
  const info: ModelInfo = {
    modelUuid: meta.modelUuid ?? randomUUID().replace(/-/g, ''),
    runId: meta.runId ?? null,
    artifactPath: meta.artifactPath ?? 'model',
    utcTimeCreated: mlflowTime(meta.createdAt ?? new Date()),
    signature,
    task: model.task,
    target: model.target,
    classes: model.classes,
  };
  const mlmodel: Record<string, YamlValue> = {
    artifact_path: info.artifactPath,
    flavors: {
      [FLAVOR]: {
        data: DATA_FILE,
        data_sha256: sha256(envelope),
        format: MODEL_FORMAT,
        modelops_version: VERSION,
        task: model.task,
        target: model.target,
        classes: model.classes,
        members: model.members.map((m) => ({ type: m.spec.type, engine: m.spec.engine ?? 'modelops', weight: m.weight })),
      },
      [PYFUNC_FLAVOR]: pyfuncFlavor(DATA_FILE),
    },
    mlflow_version: MLFLOW_VERSION,
    model_uuid: info.modelUuid,
    run_id: info.runId,
    signature: { inputs: colSpecJson(signature.inputs), outputs: colSpecJson(signature.outputs), params: PARAMS_JSON },
    utc_time_created: info.utcTimeCreated,
  };
  const example = (meta.inputExample ?? []).slice(0, 5);
  if (example.length > 0) {
    const columns = model.inputNames;
    const data = example.map((r) => columns.map((c) => (r[c] === undefined ? null : r[c])));
    writeFileAtomic(join(dir, 'input_example.json'), `${JSON.stringify({ columns, data })}\n`);
    mlmodel.saved_input_example_info = { artifact_path: 'input_example.json', pandas_orient: 'split', type: 'dataframe' };
  }
  writePyfuncCode(dir);
  mlmodel.model_size_bytes = filesSize(dir);
  writePyfuncEnv(dir);
  writeFileAtomic(join(dir, 'MLmodel'), dumpYaml(mlmodel));
  return info;
}

function invalid(file: string, why: string, cause?: unknown): ModelOpsError {
  return new ModelOpsError('MODEL_INVALID', `${file}: ${why}`, { location: file, cause });
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw invalid(file, code === 'ENOENT' ? 'not found; is this a ModelOps model directory?' : `cannot read (${(e as Error).message})`, e);
  }
}

/** Reads MLmodel without loading the payload (for the registry and signature checks). */
export function readModelInfo(dir: string): ModelInfo & { flavor: Record<string, unknown> } {
  const file = join(dir, 'MLmodel');
  let doc: unknown;
  const text = readText(file);
  checkNesting(text, file, 'MODEL_INVALID');
  try {
    doc = parseYaml(text);
  } catch (e) {
    if (e instanceof ModelOpsError) throw e;
    // The YAML parser's message carries a code excerpt over several lines: its first line says where.
    throw invalid(file, `not valid YAML (${(e as Error).message.split('\n')[0]!.replace(/:$/, '')})`, e);
  }
  if (typeof doc !== 'object' || doc === null) throw invalid(file, 'not an MLmodel document');
  const m = doc as Record<string, unknown>;
  const flavors = m.flavors as Record<string, unknown> | undefined;
  const flavor = flavors?.[FLAVOR] as Record<string, unknown> | undefined;
  if (!flavor) throw invalid(file, `no '${FLAVOR}' flavor (flavors: ${Object.keys(flavors ?? {}).join(', ') || 'none'})`);
  if (flavor.format !== MODEL_FORMAT) throw invalid(file, `unsupported model format '${String(flavor.format)}' (this version reads ${MODEL_FORMAT})`);
  const sig = m.signature as Record<string, unknown> | undefined;
  const inputs = parseColSpecJson(sig?.inputs);
  const outputs = parseColSpecJson(sig?.outputs);
  if (!inputs || !outputs) throw invalid(file, 'signature is missing or malformed');
  return {
    modelUuid: String(m.model_uuid ?? ''),
    runId: typeof m.run_id === 'string' ? m.run_id : null,
    artifactPath: String(m.artifact_path ?? 'model'),
    utcTimeCreated: String(m.utc_time_created ?? ''),
    signature: { inputs, outputs },
    task: String(flavor.task),
    target: String(flavor.target),
    classes: Array.isArray(flavor.classes) ? flavor.classes.map(String) : [],
    flavor,
  };
}

/**
 * Loads a model directory. Checks the MLmodel flavor, the payload file's sha256, the envelope's
 * format and checksum; only JSON is parsed, nothing is evaluated.
 */
export function loadModel(dir: string): { model: Ensemble; info: ModelInfo } {
  const { flavor, ...info } = readModelInfo(dir);
  const dataName = String(flavor.data ?? DATA_FILE);
  if (dataName.includes('/') || dataName.includes('\\') || dataName.startsWith('.'))
    throw invalid(join(dir, 'MLmodel'), `data file '${dataName}' must be a plain file name`);
  const file = join(dir, dataName);
  const text = readText(file);
  if (typeof flavor.data_sha256 === 'string' && sha256(text) !== flavor.data_sha256) {
    throw invalid(file, 'checksum mismatch: the file was modified or truncated after the model was saved');
  }
  let env: { format?: unknown; payload_sha256?: unknown; payload?: unknown };
  checkNesting(text, file, 'MODEL_INVALID');
  try {
    env = JSON.parse(text) as typeof env;
  } catch (e) {
    throw invalid(file, `truncated or not JSON (${(e as Error).message})`, e);
  }
  if (env.format !== MODEL_FORMAT) throw invalid(file, `unsupported format '${String(env.format)}' (expected ${MODEL_FORMAT})`);
  if (typeof env.payload !== 'object' || env.payload === null) throw invalid(file, 'payload is missing');
  if (sha256(JSON.stringify(env.payload)) !== env.payload_sha256) throw invalid(file, 'payload checksum mismatch: the model was modified after it was saved');
  try {
    return { model: Ensemble.fromJSON(env.payload as EnsembleJSON), info };
  } catch (e) {
    if (e instanceof ModelOpsError) throw invalid(file, e.message, e);
    throw invalid(file, `unreadable payload (${(e as Error).message})`, e);
  }
}
