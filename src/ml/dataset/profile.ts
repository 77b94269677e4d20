import { createHash } from 'node:crypto';
import { ownCopy } from './columns';
import type { RawTable } from './csv';
import type { InferredSchema } from './schema';
import { isMissing, parseBoolean, parseNumber } from './schema';

export interface ColumnProfile {
  name: string;
  type: 'numeric' | 'categorical' | 'boolean' | 'excluded' | 'target';
  missing: number;
  missingRate: number;
  min?: number;
  max?: number;
  mean?: number;
  std?: number;
  /** Most frequent values first, at most 20. */
  counts?: Record<string, number>;
  distinct?: number;
  /** More distinct values than were counted: `distinct` is a lower bound. */
  distinctAtLeast?: boolean;
}

export interface DatasetProfile {
  num_rows: number;
  num_elements: number;
  sha256: string;
  columns: ColumnProfile[];
}

/** Distinct values counted per column; past this a column's `distinct` is a lower bound. */
const MAX_COUNTED = 100_000;

/** MLflow's digests are short hex strings; ours are the first 8 hex characters of the content's sha256. */
export function computeDigest(text: string): string {
  return contentSha256(text).slice(0, 8);
}

export function contentSha256(text: string): string {
  const h = new ContentHash();
  h.update(text);
  return h.hex();
}

/**
 * The sha256 of a file's text fed in chunks. Line endings are normalised so the same data checked
 * out on Windows keeps its digest; a CR or half a surrogate pair at a chunk's end waits for the next.
 */
export class ContentHash {
  private readonly hash = createHash('sha256');
  private carry = '';

  update(chunk: string): void {
    let t = this.carry + chunk;
    this.carry = '';
    const last = t.charCodeAt(t.length - 1);
    if (last === 13 || (last >= 0xd800 && last <= 0xdbff)) {
      this.carry = t.slice(-1);
      t = t.slice(0, -1);
    }
    this.hash.update(t.replace(/\r\n?/g, '\n'));
  }

  hex(): string {
    if (this.carry !== '') this.hash.update(this.carry.replace(/\r/g, '\n'));
    this.carry = '';
    return this.hash.digest('hex');
  }
}

class ColumnProfiler {
  private missing = 0;
  private count = 0;
  private mean = 0;
  private m2 = 0;
  private min = Infinity;
  private max = -Infinity;
  private readonly counts = new Map<string, number>();
  private capped = false;

  constructor(
    private readonly name: string,
    private readonly type: ColumnProfile['type'],
    private readonly numeric: boolean,
  ) {}

  add(v: string): void {
    if (isMissing(v)) {
      this.missing++;
      return;
    }
    if (!this.numeric) {
      const k = v.trim();
      const n = this.counts.get(k);
      if (n !== undefined) this.counts.set(k, n + 1);
      else if (this.counts.size < MAX_COUNTED) this.counts.set(ownCopy(k), 1);
      else this.capped = true;
      return;
    }
    this.addNumber(this.type === 'boolean' ? parseBoolean(v) : parseNumber(v));
  }

  /** A numeric column's value already parsed (NaN: missing). */
  addNumber(x: number): void {
    if (Number.isNaN(x)) {
      this.missing++;
      return;
    }
    this.count++;
    const d = x - this.mean;
    this.mean += d / this.count;
    this.m2 += d * (x - this.mean);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
  }

  finish(n: number): ColumnProfile {
    const profile: ColumnProfile = { name: this.name, type: this.type, missing: this.missing, missingRate: n === 0 ? 0 : this.missing / n };
    if (this.numeric) {
      if (this.count > 0)
        Object.assign(profile, { min: this.min, max: this.max, mean: this.mean, std: this.count > 1 ? Math.sqrt(this.m2 / (this.count - 1)) : 0 });
      return profile;
    }
    const top = [...this.counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 20);
    profile.counts = Object.fromEntries(top);
    profile.distinct = this.counts.size;
    if (this.capped) profile.distinctAtLeast = true;
    return profile;
  }
}

/** A dataset's profile gathered row by row (a table, or a file streamed). */
export class DatasetProfiler {
  private readonly columns: ColumnProfiler[];
  private n = 0;

  constructor(header: readonly string[], schema: InferredSchema) {
    const kinds = new Map<string, ColumnProfile['type']>();
    for (const f of schema.features) kinds.set(f.name, f.kind);
    kinds.set(schema.target, 'target');
    this.columns = header.map((name) => {
      const type = kinds.get(name) ?? 'excluded';
      const numeric = type === 'numeric' || (type === 'target' && schema.task === 'regression') || type === 'boolean';
      return new ColumnProfiler(name, type, numeric);
    });
  }

  add(fields: readonly string[]): void {
    this.n++;
    for (let c = 0; c < this.columns.length; c++) this.columns[c]!.add(fields[c]!);
  }

  /** A row cell by cell: `cell` for text, `number` for a numeric column's parsed value; then `endRow`. */
  cell(c: number, v: string): void {
    this.columns[c]!.add(v);
  }

  number(c: number, x: number): void {
    this.columns[c]!.addNumber(x);
  }

  endRow(): void {
    this.n++;
  }

  finish(sha: string): DatasetProfile {
    const n = this.n;
    return { num_rows: n, num_elements: n * this.columns.length, sha256: sha, columns: this.columns.map((c) => c.finish(n)) };
  }
}

export function profileDataset(table: RawTable, schema: InferredSchema): DatasetProfile {
  const profiler = new DatasetProfiler(table.header, schema);
  for (const row of table.rows) profiler.add(row);
  return profiler.finish(contentSha256(table.text));
}

/** The dataset schema as MLflow writes it for a dataset input (`{"mlflow_colspec": [...]}`). */
export function datasetSchemaJson(schema: InferredSchema): string {
  const spec = schema.features.map((f) => ({
    type: f.kind === 'categorical' ? 'string' : f.kind === 'boolean' ? 'boolean' : 'double',
    name: f.name,
    required: true,
  }));
  spec.push({ type: schema.task === 'regression' ? 'double' : 'string', name: schema.target, required: true });
  return JSON.stringify({ mlflow_colspec: spec });
}
