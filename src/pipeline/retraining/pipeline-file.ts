import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import type { Node, Pair } from 'yaml';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import { dict } from '../../core/dict';
import { ModelOpsError } from '../../core/errors';
import type { JsonPath, SchemaProblem } from '../../shared/validate';
import { formatPath, SchemaChecker } from '../../shared/validate';
import { checkNesting, parseJsonText } from '../../core/json-text';
import type { MemberType } from '../../ml/estimators';
import type { GateSpec } from '../../registry/gates/gate-list';
import { parseGateSpec } from '../../registry/gates-config';
import type { TrainParamsFile } from '../train-options';
import type { PrunerName, SamplerName } from '../../tuning/catalogue';
import { PIPELINE_SCHEMA } from './pipeline-schema';

/** The pipeline a run follows: the file's content with defaults filled in and paths made absolute. */
export interface PipelineSpec {
  /** The pipeline file (absolute), or undefined for `modelops retrain --name … --data …`. */
  file?: string;
  /** `file:line:column` of some fields (`dataset`, `training.params`, …), for errors found while running. */
  locations: Record<string, string>;
  model: string;
  /** The new training data (absolute path). */
  dataset: string;
  target?: string;
  experiment?: string;
  expectations: Expectations;
  drift: DriftPolicy;
  training: TrainingSpec;
  gates?: { path: string } | { inline: Partial<GateSpec> };
  inferenceTest: InferenceTestSpec;
}

export type ColumnType = 'numeric' | 'categorical' | 'boolean';

export interface ColumnExpectation {
  type?: ColumnType;
  required?: boolean;
  allowed?: string[];
  min?: number;
  max?: number;
  maxMissing?: number;
}

export interface Expectations {
  minRows?: number;
  maxMissing?: number;
  newCategories: 'fail' | 'warn';
  /** Largest share of values outside the training range; false: not checked. */
  outOfRange: number | false;
  extraColumns: 'allow' | 'fail';
  columns: Record<string, ColumnExpectation>;
  classBalance?: { minShare?: number; maxShare?: number; classes?: string[] };
}

export type DriftAction = 'stop' | 'warn';

export interface DriftPolicy {
  onDrift: DriftAction;
  share: number;
  columns: Record<string, { threshold?: number; onDrift?: DriftAction; ignore?: boolean }>;
}

export interface TuneSpec {
  trials: number;
  timeoutS?: number;
  study?: string;
  /** A path (absolute) or the space itself. */
  space?: string | Record<string, unknown>;
  sampler?: SamplerName;
  pruner?: PrunerName;
  metric?: string;
  cv?: number;
  /** The pruner's parameters by Optuna's names. */
  prunerOptions?: Record<string, number>;
  nJobs?: number;
}

export type ParamsSource =
  { kind: 'best_run' } | { kind: 'study'; study: string } | { kind: 'fixed'; params: TrainParamsFile | string } | { kind: 'tune'; tune: TuneSpec };

export interface TrainingSpec {
  params: ParamsSource;
  models?: MemberType[];
  cv?: number;
  seed?: number;
}

export interface InferenceTestSpec {
  /** Absolute path; default the dataset. */
  data?: string;
  rows: number;
  classes?: string[];
  min?: number;
  max?: number;
}

/** The file names `modelops pipeline run` looks for when none is given, in this order. */
export const PIPELINE_FILE_NAMES = ['modelops.pipeline.json', 'modelops.pipeline.yaml', 'modelops.pipeline.yml'] as const;
export const DEFAULT_OUT_OF_RANGE = 0.1;
export const DEFAULT_INFERENCE_ROWS = 1000;
const MAX_FILE_BYTES = 1024 * 1024;

const checker = new SchemaChecker(PIPELINE_SCHEMA);

/** The pipeline file of a folder: the first of PIPELINE_FILE_NAMES that exists. */
export function findPipelineFile(dir: string): string | undefined {
  return PIPELINE_FILE_NAMES.map((n) => join(dir, n)).find((f) => existsSync(f));
}

function bad(where: string, message: string): ModelOpsError {
  return new ModelOpsError('INVALID_PARAMETER_VALUE', `${where}: ${message}`, { location: where });
}

/** Reads, parses and checks a pipeline file; every problem names the file, line, column and field. */
export function readPipelineFile(path: string): PipelineSpec {
  const file = resolve(path);
  let text: string;
  try {
    if (statSync(file).size > MAX_FILE_BYTES) throw bad(file, `larger than ${MAX_FILE_BYTES / 1024 / 1024} MB; a pipeline file is a few lines`);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof ModelOpsError) throw e;
    throw bad(file, `cannot read the pipeline file (${(e as Error).message})`);
  }
  return parsePipelineText(text, file);
}

export function parsePipelineText(text: string, file: string): PipelineSpec {
  const yamlFile = /\.ya?ml$/i.test(extname(file));
  checkNesting(text, file);
  const lines = new LineCounter();
  // One parser for the positions of both formats (JSON is YAML's flow syntax); JSON files are parsed strictly too.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  let value: unknown;
  if (yamlFile) {
    const error = doc.errors[0];
    if (error) {
      const at = lines.linePos(error.pos[0]);
      throw bad(`${file}:${at.line}:${at.col}`, `not valid YAML (${error.message.split('\n')[0]})`);
    }
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      // yaml refuses an alias bomb (and anything else it cannot build) here, after parsing: point at the first alias.
      let offset: number | undefined;
      visit(doc, {
        Alias(_, node) {
          offset = node.range?.[0];
          return visit.BREAK;
        },
      });
      const at = offset === undefined ? file : `${file}:${lines.linePos(offset).line}:${lines.linePos(offset).col}`;
      throw bad(at, `cannot be read as YAML (${(e as Error).message})`);
    }
  } else {
    value = parseJsonText(text, file);
  }
  const problems = checker.check(value);
  const root = doc.errors.length === 0 ? doc.contents : null;
  if (problems.length > 0) throw schemaError(problems, file, root, lines);
  const spec = toSpec(value as Record<string, unknown>, file);
  // Where the fields the run itself may refuse are, so those errors name the line too.
  for (const field of LOCATED_FIELDS) {
    const offset = root ? nodeOffset(root, field.split('.'), false) : undefined;
    if (offset !== undefined) spec.locations[field] = `${file}:${lines.linePos(offset).line}:${lines.linePos(offset).col}`;
  }
  return spec;
}

const LOCATED_FIELDS = ['model', 'dataset', 'target', 'training.params', 'gates', 'inference_test.data'];

function schemaError(problems: SchemaProblem[], file: string, root: Node | null, lines: LineCounter): ModelOpsError {
  const first = problems[0]!;
  const offset = root ? nodeOffset(root, first.path, first.atKey === true) : undefined;
  const at = offset === undefined ? file : `${file}:${lines.linePos(offset).line}:${lines.linePos(offset).col}`;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  return bad(at, `${formatPath(first.path)}: ${first.message}${more}`);
}

/** Where a path's value (or its key) starts in the text; the nearest existing parent when it is absent. */
function nodeOffset(root: Node, path: JsonPath, atKey: boolean): number | undefined {
  let node: Node = root;
  let keyStart: number | undefined;
  for (const step of path) {
    let next: Node | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p: Pair) => isScalar(p.key) && String(p.key.value) === String(step));
      if (pair) {
        keyStart = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
        next = (pair.value as Node | null) ?? undefined;
        if (!next) return keyStart;
      }
    } else if (isSeq(node) && typeof step === 'number') {
      const item = node.items[step];
      next = item && !isPair(item) ? (item as Node) : undefined;
      keyStart = undefined;
    }
    if (!next) return node.range?.[0];
    node = next;
  }
  return atKey && keyStart !== undefined ? keyStart : node.range?.[0];
}

function record<T>(value: unknown, map: (v: Record<string, unknown>) => T): Record<string, T> {
  const out = dict<T>();
  for (const [k, v] of Object.entries((value ?? {}) as Record<string, unknown>)) out[k] = map(v as Record<string, unknown>);
  return out;
}

type Obj = Record<string, unknown>;
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function toExpectations(e: Obj | undefined): Expectations {
  const out: Expectations = {
    newCategories: e?.new_categories === 'warn' ? 'warn' : 'fail',
    outOfRange: e?.out_of_range === false ? false : (num((e?.out_of_range as Obj | undefined)?.max_share) ?? DEFAULT_OUT_OF_RANGE),
    extraColumns: e?.extra_columns === 'fail' ? 'fail' : 'allow',
    columns: record(e?.columns, (c) => ({
      ...(c.type !== undefined ? { type: c.type as ColumnType } : {}),
      ...(typeof c.required === 'boolean' ? { required: c.required } : {}),
      ...(Array.isArray(c.allowed) ? { allowed: c.allowed as string[] } : {}),
      ...(num(c.min) !== undefined ? { min: num(c.min) } : {}),
      ...(num(c.max) !== undefined ? { max: num(c.max) } : {}),
      ...(num(c.max_missing) !== undefined ? { maxMissing: num(c.max_missing) } : {}),
    })),
  };
  if (num(e?.min_rows) !== undefined) out.minRows = num(e?.min_rows);
  if (num(e?.max_missing) !== undefined) out.maxMissing = num(e?.max_missing);
  const cb = e?.class_balance as Obj | undefined;
  if (cb) {
    out.classBalance = {
      ...(num(cb.min_share) !== undefined ? { minShare: num(cb.min_share) } : {}),
      ...(num(cb.max_share) !== undefined ? { maxShare: num(cb.max_share) } : {}),
      ...(Array.isArray(cb.classes) ? { classes: cb.classes as string[] } : {}),
    };
  }
  return out;
}

function toDrift(d: Obj | undefined): DriftPolicy {
  return {
    onDrift: d?.on_drift === 'warn' ? 'warn' : 'stop',
    share: num(d?.share) ?? 0.5,
    columns: record(d?.columns, (c) => ({
      ...(num(c.threshold) !== undefined ? { threshold: num(c.threshold) } : {}),
      ...(c.on_drift === 'stop' || c.on_drift === 'warn' ? { onDrift: c.on_drift } : {}),
      ...(c.ignore === true ? { ignore: true } : {}),
    })),
  };
}

function toParams(p: unknown, base: string): ParamsSource {
  if (p === undefined || p === 'best_run') return { kind: 'best_run' };
  const o = p as Obj;
  if (typeof o.study === 'string') return { kind: 'study', study: o.study };
  if (o.fixed !== undefined) return { kind: 'fixed', params: typeof o.fixed === 'string' ? resolve(base, o.fixed) : (o.fixed as TrainParamsFile) };
  const t = o.tune as Obj;
  const space = t.space;
  return {
    kind: 'tune',
    tune: {
      trials: num(t.trials) ?? 20,
      ...(num(t.timeout_s) !== undefined ? { timeoutS: num(t.timeout_s) } : {}),
      ...(str(t.study) ? { study: str(t.study) } : {}),
      ...(space !== undefined ? { space: typeof space === 'string' ? resolve(base, space) : (space as Record<string, unknown>) } : {}),
      ...(str(t.sampler) ? { sampler: t.sampler as TuneSpec['sampler'] } : {}),
      ...(str(t.pruner) ? { pruner: t.pruner as TuneSpec['pruner'] } : {}),
      ...(str(t.metric) ? { metric: str(t.metric) } : {}),
      ...(num(t.cv) !== undefined ? { cv: num(t.cv) } : {}),
      ...(t.pruner_options !== undefined ? { prunerOptions: t.pruner_options as Record<string, number> } : {}),
      ...(num(t.n_jobs) !== undefined ? { nJobs: num(t.n_jobs) } : {}),
    },
  };
}

function toSpec(v: Obj, file: string): PipelineSpec {
  const base = dirname(file);
  const training = (v.training ?? {}) as Obj;
  const it = (v.inference_test ?? {}) as Obj;
  const spec: PipelineSpec = {
    file,
    locations: dict<string>(),
    model: v.model as string,
    dataset: resolve(base, v.dataset as string),
    expectations: toExpectations(v.expectations as Obj | undefined),
    drift: toDrift(v.drift as Obj | undefined),
    training: {
      params: toParams(training.params, base),
      ...(Array.isArray(training.models) ? { models: training.models as MemberType[] } : {}),
      ...(num(training.cv) !== undefined ? { cv: num(training.cv) } : {}),
      ...(num(training.seed) !== undefined ? { seed: num(training.seed) } : {}),
    },
    inferenceTest: {
      rows: num(it.rows) ?? DEFAULT_INFERENCE_ROWS,
      ...(str(it.data) ? { data: resolve(base, it.data as string) } : {}),
      ...(Array.isArray(it.classes) ? { classes: it.classes as string[] } : {}),
      ...(num(it.min) !== undefined ? { min: num(it.min) } : {}),
      ...(num(it.max) !== undefined ? { max: num(it.max) } : {}),
    },
  };
  if (str(v.target)) spec.target = v.target as string;
  if (str(v.experiment)) spec.experiment = v.experiment as string;
  if (typeof v.gates === 'string') spec.gates = { path: resolve(base, v.gates) };
  else if (v.gates !== undefined) {
    const inline = parseGateSpec(v.gates, file, 'gates');
    // Paths in the pipeline file are relative to it (a gates file's are relative to the workspace).
    spec.gates = { inline: inline.data ? { ...inline, data: resolve(base, inline.data) } : inline };
  }
  return spec;
}

/** An error about a field of the pipeline (or of `modelops retrain`'s options, when there is no file). */
export function fieldError(spec: PipelineSpec, field: string, message: string): ModelOpsError {
  const where = spec.locations[field] ?? spec.file ?? 'modelops retrain';
  return new ModelOpsError('INVALID_PARAMETER_VALUE', `${where}: ${field}: ${message}`, { location: where });
}

/** The pipeline `modelops retrain --name m --data f.csv` runs: every default, drift stops. */
export function defaultPipeline(o: { model: string; dataset: string; target?: string; holdout?: string; onDrift?: DriftAction }): PipelineSpec {
  return {
    locations: dict<string>(),
    model: o.model,
    dataset: resolve(o.dataset),
    ...(o.target ? { target: o.target } : {}),
    expectations: toExpectations(undefined),
    drift: { ...toDrift(undefined), ...(o.onDrift ? { onDrift: o.onDrift } : {}) },
    training: { params: { kind: 'best_run' } },
    ...(o.holdout ? { gates: { inline: { data: resolve(o.holdout) } } } : {}),
    inferenceTest: { rows: DEFAULT_INFERENCE_ROWS },
  };
}
