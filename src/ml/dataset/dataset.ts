import { basename } from 'node:path';
import { dict } from '../../core/dict';
import { ModelOpsError } from '../../core/errors';
import type { Cell, Column } from './columns';
import { cellAt, CodedBuilder, Float32Builder, ownCopy, sliceColumn, takeColumn } from './columns';
import type { CsvOptions, RawTable } from './csv';
import { parseCsv } from './csv';
import type { RowSink } from './csv-tokenizer';
import { readCsvHeader, streamCsvFile } from './csv-stream';
import type { DecimalDecision } from './decimal';
import { applyDecision, DecimalLooks } from './decimal';
import type { DatasetProfile } from './profile';
import { ContentHash, contentSha256, DatasetProfiler } from './profile';
import type { InferredSchema, SchemaOptions, Task } from './schema';
import { ColumnStats, isMissing, parseNumber, schemaFromSummary, targetColumn } from './schema';

export type { Cell, Column } from './columns';
/** Raw cell values by column name: what a CSV row or a JSON record holds. */
export type Row = Record<string, Cell>;

/**
 * Columns of the same length. Requests and CSV rows bring raw cells; a loaded dataset keeps numeric
 * features as float32 and text and boolean ones as codes (columns.ts).
 */
export interface Frame {
  nRows: number;
  columns: Record<string, Column>;
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

/** The fraction of the file's reading done (all passes). */
export type LoadProgress = (fraction: number) => void;

/**
 * Loads a CSV file as a dataset, streamed: a pass that checks and summarises every column (and can
 * refuse the file at its header or at the first bad row, holding nothing), then a pass that fills
 * typed columns. Memory is that of the columns, not of the text (a 200 MB file no longer needs a
 * gigabyte). `maxRows` does not apply: nothing but the columns is kept.
 */
export function loadDataset(path: string, options: LoadOptions, progress?: LoadProgress): Dataset {
  return buildDataset(new FileRows(path, options, progress), options);
}

export function datasetFromText(text: string, source: string, options: LoadOptions): Dataset {
  return datasetFromTable(parseCsv(text, source, options), options);
}

export function datasetFromTable(table: RawTable, options: SchemaOptions): Dataset {
  return buildDataset(new TableRows(table), options);
}

/** Rows a dataset is built from, gone over more than once: a file read again, or a table in memory. */
interface RowSource {
  readonly source: string;
  readonly header: readonly string[];
  /** One pass over the data rows, decimal marks applied. */
  each(sink: RowSink): void;
  /** The content's sha256, known once a pass is done. */
  sha256(): string;
  /** What reading noticed (a decimal comma read as such); known once a pass is done. */
  warnings(): readonly string[];
}

class TableRows implements RowSource {
  readonly source: string;
  readonly header: readonly string[];

  constructor(private readonly table: RawTable) {
    this.source = table.source;
    this.header = table.header;
  }

  each(sink: RowSink): void {
    const { rows, lines } = this.table;
    for (let r = 0; r < rows.length; r++) sink(rows[r]!, lines[r]!);
  }

  sha256(): string {
    return contentSha256(this.table.text);
  }

  warnings(): readonly string[] {
    return this.table.warnings ?? [];
  }
}

class FileRows implements RowSource {
  readonly header: readonly string[];
  private readonly delimiter: string;
  private decision: DecimalDecision | undefined;
  private hash: string | undefined;
  private passes = 0;
  private readonly expectedPasses: number;

  constructor(
    readonly source: string,
    private readonly options: LoadOptions,
    private readonly progress?: LoadProgress,
  ) {
    const { header, delimiter } = readCsvHeader(source, options.delimiter);
    targetColumn(header, source, options.target); // refused from the header, nothing else read
    this.header = header;
    this.delimiter = delimiter;
    // A decimal comma must be known before any cell is read as a number: one more pass finds it.
    const commaPossible = options.decimal === ',' || (options.decimal === undefined && delimiter !== ',');
    this.expectedPasses = commaPossible ? 3 : 2;
    if (commaPossible) this.each(() => undefined);
  }

  each(sink: RowSink): void {
    const hash = this.hash === undefined ? new ContentHash() : undefined;
    const looks = this.decision === undefined ? new DecimalLooks(this.header.length) : undefined;
    const decision = this.decision;
    const pass = this.passes++;
    streamCsvFile(this.source, this.delimiter, {
      text: hash && ((chunk) => hash.update(chunk)),
      row: (fields, line) => {
        looks?.add(fields, line);
        if (decision) applyDecision(fields, decision);
        sink(fields, line);
      },
      progress: this.progress && ((read, size) => this.progress!(Math.min(1, (pass + read / Math.max(1, size)) / this.expectedPasses))),
    });
    if (hash) this.hash = hash.hex();
    if (looks) this.decision = looks.decide(this.header, this.source, this.delimiter, this.options.decimal);
  }

  sha256(): string {
    return this.hash!;
  }

  warnings(): readonly string[] {
    return this.decision?.warnings ?? [];
  }
}

function buildDataset(src: RowSource, options: SchemaOptions): Dataset {
  const t = targetColumn(src.header, src.source, options.target);
  const { stats, n } = summarize(src, t, options.target);
  const schema = schemaFromSummary({ source: src.source, header: src.header, nRows: n, stats, warnings: src.warnings() }, options);
  if (schema.task === 'regression') checkRegressionTarget(stats[t]!, src.source, t, schema.target);
  const features = schema.features.map((f) => ({
    name: f.name,
    c: src.header.indexOf(f.name),
    builder: f.kind === 'numeric' ? new Float32Builder(n) : new CodedBuilder(n),
  }));
  const byColumn = src.header.map((_, c) => features.find((f) => f.c === c)?.builder);
  const target = new TargetBuilder(schema.task, n);
  const profiler = new DatasetProfiler(src.header, schema);
  src.each((fields) => {
    for (let c = 0; c < fields.length; c++) {
      const v = fields[c]!;
      const b = byColumn[c];
      if (b instanceof Float32Builder) {
        const x = isMissing(v) ? NaN : parseNumber(v); // parsed once, for the column and its profile
        b.push(x);
        profiler.number(c, x);
        continue;
      }
      b?.push(isMissing(v) ? undefined : v);
      profiler.cell(c, v);
    }
    profiler.endRow();
    target.push(fields[t]!);
  });
  const columns = dict<Column>();
  for (const f of features) columns[f.name] = f.builder.done();
  return {
    source: src.source,
    name: basename(src.source).replace(/\.[^.]*$/, ''),
    schema,
    frame: { nRows: n, columns },
    target: target.done(schema.target, src.source, t),
    digest: src.sha256().slice(0, 8),
    profile: profiler.finish(src.sha256()),
  };
}

/** The first pass: every column summarised for the schema; a row without a target is refused where it is. */
function summarize(src: RowSource, t: number, name: string): { stats: ColumnStats[]; n: number } {
  const stats = src.header.map(() => new ColumnStats());
  let n = 0;
  src.each((fields, line) => {
    if (isMissing(fields[t]!)) {
      const where = `${src.source}:${line}:${t + 1}`;
      throw new ModelOpsError('DATA_INVALID', `${where}: the target '${name}' is missing on this row`, { location: where });
    }
    for (let c = 0; c < stats.length; c++) stats[c]!.add(fields[c]!, line);
    n++;
  });
  return { stats, n };
}

function checkRegressionTarget(s: ColumnStats, source: string, t: number, name: string): void {
  if (s.firstNonNumeric === undefined) return;
  const where = `${source}:${s.firstNonNumeric.line}:${t + 1}`;
  throw new ModelOpsError('DATA_INVALID', `${where}: regression target '${name}' is not a number ('${s.firstNonNumeric.text}')`, { location: where });
}

/** Labels interned (one string per class, whatever the rows) or regression values. */
class TargetBuilder {
  private readonly labels: string[] = [];
  private readonly interned = new Map<string, string>();
  private readonly values: Float64Array;
  private n = 0;

  constructor(
    private readonly task: Task,
    capacity: number,
  ) {
    this.values = new Float64Array(task === 'regression' ? capacity : 0);
  }

  push(v: string): void {
    if (this.task === 'regression') {
      this.values[this.n++] = parseNumber(v);
      return;
    }
    const k = v.trim();
    let label = this.interned.get(k);
    if (label === undefined) {
      label = ownCopy(k);
      this.interned.set(label, label);
    }
    this.labels.push(label);
  }

  done(name: string, source: string, t: number): Target {
    if (this.task === 'regression') return { name, task: this.task, values: this.values };
    if (this.interned.size < 2) {
      throw new ModelOpsError('DATA_INVALID', `${source}: the target '${name}' has a single class ('${this.labels[0]}'); nothing to learn`, {
        location: `${source}:1:${t + 1}`,
      });
    }
    return { name, task: this.task, labels: this.labels };
  }
}

/** The rows of a frame selected by index (for splits). Every row in order is the frame itself: frames are never changed, and the final fit on all rows then holds no second copy. */
export function takeRows(frame: Frame, index: ArrayLike<number>): Frame {
  if (isIdentity(index, frame.nRows)) return frame;
  const columns = dict<Column>();
  for (const [name, col] of Object.entries(frame.columns)) columns[name] = takeColumn(col, index);
  return { nRows: index.length, columns };
}

function isIdentity(index: ArrayLike<number>, n: number): boolean {
  if (index.length !== n) return false;
  for (let i = 0; i < n; i++) if (index[i] !== i) return false;
  return true;
}

/** Rows `from` to `to` of a frame (for slices scored on threads). */
export function sliceRows(frame: Frame, from: number, to: number): Frame {
  const columns = dict<Column>();
  for (const [name, col] of Object.entries(frame.columns)) columns[name] = sliceColumn(col, from, to);
  return { nRows: to - from, columns };
}

/** Raw records to a frame, keeping only the named columns (absent keys become missing). */
export function frameFromRows(rows: readonly Row[], names: readonly string[]): Frame {
  const columns = dict<Column>();
  for (const name of names) columns[name] = rows.map((r) => r[name]);
  return { nRows: rows.length, columns };
}

export function frameToRows(frame: Frame, limit = frame.nRows): Row[] {
  const out: Row[] = [];
  for (let i = 0; i < Math.min(limit, frame.nRows); i++) {
    const row: Row = dict<Cell>();
    for (const [name, col] of Object.entries(frame.columns)) row[name] = cellAt(col, i);
    out.push(row);
  }
  return out;
}
