import { resolve } from 'node:path';
import { ModelOpsError } from '../core/errors';
import type { ModelUri } from '../core/model-uri';
import { parseModelUri } from '../core/model-uri';
import { readCsvFile } from '../ml/dataset/csv';
import type { DecimalMark } from '../ml/dataset/decimal';
import { writeCsvAtomic } from './csv-output';
import type { Protected } from './output-path';
import { checkOutputPath } from './output-path';
import type { ResolvedModel, Stores } from './model-resolve';
import { resolveModel } from './model-resolve';
import type { InputIssue } from './predict-input';
import { checkInput } from './predict-input';
import { scoreRows } from './parallel-score';
import { openScoringModel } from './scoring';

export interface PredictOptions {
  /** Model URI (`models:/churn/Production`, `models:/churn@champion`, `runs:/<id>/model`, a directory). */
  model: ModelUri | string;
  /** CSV file to score. */
  data: string;
  /** Output CSV: the input rows plus prediction (and probability) columns, written atomically. */
  out?: string;
  /** What `out` must never replace (the store, its folder): checked before anything is read or scored. */
  protect?: Protected;
  /** Decimal mark of the CSV's numbers (default: detected). */
  decimal?: DecimalMark;
  /** Add one probability column per class (classification). */
  proba?: boolean;
  cwd?: string;
  /** Worker threads for large inputs (default 1: score in the calling thread). */
  threads?: number;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

export interface PredictSummary {
  rows: number;
  task: string;
  /** Classification: rows per predicted class. */
  classCounts?: Record<string, number>;
  /** Regression: range of the predicted values. */
  range?: { min: number; mean: number; max: number };
  milliseconds: number;
  rowsPerSecond: number;
}

export interface PredictResult {
  model: { uri: string; dir: string; name?: string; version?: string; stage?: string; runId?: string };
  /** The column the predictions were written to. */
  predictionColumn: string;
  predictions: (string | number)[];
  /** Class probabilities per row (classification), in `classes` order. */
  probabilities?: number[][];
  classes: string[];
  notes: InputIssue[];
  outPath?: string;
  summary: PredictSummary;
}

/**
 * Scores a CSV file with a model. The input is checked against the model's signature first; when
 * it cannot be scored (missing columns, values of the wrong type) nothing is written and the error
 * lists every problem with its line and column.
 */
export async function predict(stores: Stores | null, options: PredictOptions): Promise<PredictResult> {
  const cwd = options.cwd ?? process.cwd();
  const dataPath = resolve(cwd, options.data);
  const outPath =
    options.out === undefined
      ? undefined
      : checkOutputPath(resolve(cwd, options.out), '--out', { ...options.protect, inputs: [dataPath, ...(options.protect?.inputs ?? [])] }, options.out);
  const uri = typeof options.model === 'string' ? parseModelUri(options.model) : options.model;
  let resolved: ResolvedModel;
  if (stores) resolved = await resolveModel(stores, uri, cwd);
  else if (uri.kind === 'path') resolved = { uri: uri.path, dir: resolve(cwd, uri.path) };
  else throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${options.model}: resolving this model URI needs a store`, { location: 'model' });
  options.onProgress?.(`loading ${resolved.uri}`);
  const m = openScoringModel(resolved.dir);
  options.onProgress?.(`reading ${dataPath}`);
  const table = readCsvFile(dataPath, options.decimal ? { decimal: options.decimal } : {});
  const checked = checkInput(table, m.inputs);
  if (checked.errors.length > 0) {
    const lines = checked.errors.map((e) => `  ${e.message}`);
    throw new ModelOpsError(
      'DATA_INVALID',
      `${dataPath}: the input does not fit the model's signature (${resolved.uri}); nothing was written:\n${lines.join('\n')}`,
      { location: checked.errors[0]!.location },
    );
  }
  if (options.signal?.aborted) throw new ModelOpsError('CANCELLED', 'prediction was cancelled');
  options.onProgress?.(`scoring ${table.rows.length} rows`);
  const started = performance.now();
  const out = await scoreRows(m, checked.frame, {
    ...(options.threads ? { threads: options.threads } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const milliseconds = performance.now() - started;
  const classification = m.model.task === 'classification';
  const predictionColumn = uniqueColumn(table.header, 'prediction');
  const probaColumns = classification && options.proba ? m.model.classes.map((c) => uniqueColumn(table.header, `probability_${c}`)) : [];
  if (outPath) {
    const header = [...table.header, predictionColumn, ...probaColumns];
    const probs = out.probabilities;
    writeCsvAtomic(
      outPath,
      header,
      (function* () {
        for (let r = 0; r < table.rows.length; r++) {
          const row = [...table.rows[r]!, String(out.predictions[r])];
          if (probaColumns.length && probs) for (const p of probs[r]!) row.push(String(Math.round(p * 1e6) / 1e6));
          yield row;
        }
      })(),
    );
  }
  const summary = summarize(m.model, out.predictions, milliseconds);
  return {
    model: {
      uri: resolved.uri,
      dir: resolved.dir,
      ...(resolved.version ? { name: resolved.version.name, version: resolved.version.version, stage: resolved.version.currentStage } : {}),
      ...(resolved.runId ? { runId: resolved.runId } : {}),
    },
    predictionColumn,
    predictions: out.predictions,
    ...(classification && options.proba && out.probabilities ? { probabilities: out.probabilities } : {}),
    classes: m.model.classes,
    notes: checked.notes,
    ...(outPath ? { outPath } : {}),
    summary,
  };
}

/** Rows, speed, and the class counts (classification) or the range of the predictions (regression). */
function summarize(
  model: { task: PredictSummary['task']; classes: string[] },
  predictions: readonly (string | number)[],
  milliseconds: number,
): PredictSummary {
  const rows = predictions.length;
  const summary: PredictSummary = { rows, task: model.task, milliseconds, rowsPerSecond: milliseconds > 0 ? rows / (milliseconds / 1000) : rows };
  if (model.task === 'classification') {
    summary.classCounts = Object.fromEntries(model.classes.map((c) => [c, 0]));
    for (const p of predictions) summary.classCounts[String(p)] = (summary.classCounts[String(p)] ?? 0) + 1;
  } else if (rows > 0) {
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (const p of predictions) {
      const x = Number(p);
      if (x < min) min = x;
      if (x > max) max = x;
      sum += x;
    }
    summary.range = { min, mean: sum / rows, max };
  }
  return summary;
}

function uniqueColumn(header: readonly string[], base: string): string {
  let name = base;
  for (let i = 1; header.includes(name); i++) name = `${base}_${i}`;
  return name;
}
