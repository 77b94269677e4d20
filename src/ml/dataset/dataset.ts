import { dict } from '../../core/dict';
import { basename } from 'node:path';
import { ModelOpsError } from '../../core/errors';
import type { CsvOptions, RawTable } from './csv';
import { parseCsv, readCsvFile } from './csv';
import { computeDigest, profileDataset } from './profile';
import type { DatasetProfile } from './profile';
import type { InferredSchema, SchemaOptions, Task } from './schema';
import { inferSchema, isMissing, parseNumber } from './schema';

/** Raw cell values by column name: what a CSV row or a JSON record holds. */
export type Cell = string | number | boolean | null | undefined;
export type Row = Record<string, Cell>;

/** Columns of raw cells, all of the same length. */
export interface Frame {
  nRows: number;
  columns: Record<string, Cell[]>;
}

export interface Target {
  name: string;
  task: Task;
  /** Classification: the label of each row as text. */
  labels?: string[];
  /** Regression: the value of each row. */
  values?: Float64Array;
}

export interface Dataset {
  source: string;
  name: string;
  schema: InferredSchema;
  frame: Frame;
  target: Target;
  /** MLflow-style short digest (8 hex characters of a sha256 of the content). */
  digest: string;
  profile: DatasetProfile;
}

export interface LoadOptions extends SchemaOptions, CsvOptions {}

export function loadDataset(path: string, options: LoadOptions): Dataset {
  return datasetFromTable(readCsvFile(path, options), options);
}

export function datasetFromText(text: string, source: string, options: LoadOptions): Dataset {
  return datasetFromTable(parseCsv(text, source, options), options);
}

export function datasetFromTable(table: RawTable, options: SchemaOptions): Dataset {
  const schema = inferSchema(table, options);
  const t = table.header.indexOf(schema.target);
  const n = table.rows.length;
  for (let r = 0; r < n; r++) {
    if (isMissing(table.rows[r][t])) {
      const where = `${table.source}:${table.lines[r]}:${t + 1}`;
      throw new ModelOpsError('DATA_INVALID', `${where}: the target '${schema.target}' is missing on this row`, { location: where });
    }
  }
  const target: Target = { name: schema.target, task: schema.task };
  if (schema.task === 'classification') {
    target.labels = table.rows.map((row) => row[t].trim());
    const classes = new Set(target.labels);
    if (classes.size < 2) {
      throw new ModelOpsError('DATA_INVALID', `${table.source}: the target '${schema.target}' has a single class ('${target.labels[0]}'); nothing to learn`, {
        location: `${table.source}:1:${t + 1}`,
      });
    }
  } else {
    const values = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      values[r] = parseNumber(table.rows[r][t]);
      if (Number.isNaN(values[r])) {
        const where = `${table.source}:${table.lines[r]}:${t + 1}`;
        throw new ModelOpsError('DATA_INVALID', `${where}: regression target '${schema.target}' is not a number ('${table.rows[r][t]}')`, { location: where });
      }
    }
    target.values = values;
  }
  const columns = dict<Cell[]>();
  for (const f of schema.features) {
    const c = table.header.indexOf(f.name);
    columns[f.name] = table.rows.map((row) => row[c]);
  }
  const frame: Frame = { nRows: n, columns };
  return {
    source: table.source,
    name: basename(table.source).replace(/\.[^.]*$/, ''),
    schema,
    frame,
    target,
    digest: computeDigest(table.text),
    profile: profileDataset(table, schema),
  };
}

/** The rows of a frame selected by index (for splits). */
export function takeRows(frame: Frame, index: ArrayLike<number>): Frame {
  const columns = dict<Cell[]>();
  for (const [name, col] of Object.entries(frame.columns)) {
    const out = new Array<Cell>(index.length);
    for (let i = 0; i < index.length; i++) out[i] = col[index[i]];
    columns[name] = out;
  }
  return { nRows: index.length, columns };
}

/** Raw records to a frame, keeping only the named columns (absent keys become missing). */
export function frameFromRows(rows: readonly Row[], names: readonly string[]): Frame {
  const columns = dict<Cell[]>();
  for (const name of names) columns[name] = rows.map((r) => r[name]);
  return { nRows: rows.length, columns };
}

export function frameToRows(frame: Frame, limit = frame.nRows): Row[] {
  const out: Row[] = [];
  for (let i = 0; i < Math.min(limit, frame.nRows); i++) {
    const row: Row = dict<Cell>();
    for (const [name, col] of Object.entries(frame.columns)) row[name] = col[i];
    out.push(row);
  }
  return out;
}
