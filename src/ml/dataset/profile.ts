import { createHash } from 'node:crypto';
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
}

export interface DatasetProfile {
  num_rows: number;
  num_elements: number;
  sha256: string;
  columns: ColumnProfile[];
}

/** MLflow's digests are short hex strings; ours are the first 8 hex characters of the content's sha256. */
export function computeDigest(text: string): string {
  return sha256(text).slice(0, 8);
}

function sha256(text: string): string {
  // Line endings are normalised so the same data checked out on Windows keeps its digest.
  return createHash('sha256').update(text.replace(/\r\n?/g, '\n')).digest('hex');
}

export function profileDataset(table: RawTable, schema: InferredSchema): DatasetProfile {
  const kinds = new Map<string, ColumnProfile['type']>();
  for (const f of schema.features) kinds.set(f.name, f.kind);
  kinds.set(schema.target, 'target');
  const n = table.rows.length;
  const columns = table.header.map((name, c): ColumnProfile => {
    const type = kinds.get(name) ?? 'excluded';
    let missing = 0;
    const profile: ColumnProfile = { name, type, missing: 0, missingRate: 0 };
    const numeric = type === 'numeric' || (type === 'target' && schema.task === 'regression') || type === 'boolean';
    if (numeric) {
      let count = 0, mean = 0, m2 = 0, min = Infinity, max = -Infinity;
      for (let r = 0; r < n; r++) {
        const v = table.rows[r][c];
        const x = isMissing(v) ? NaN : type === 'boolean' ? parseBoolean(v) : parseNumber(v);
        if (Number.isNaN(x)) {
          missing++;
          continue;
        }
        count++;
        const d = x - mean;
        mean += d / count;
        m2 += d * (x - mean);
        if (x < min) min = x;
        if (x > max) max = x;
      }
      if (count > 0) Object.assign(profile, { min, max, mean, std: count > 1 ? Math.sqrt(m2 / (count - 1)) : 0 });
    } else {
      const counts = new Map<string, number>();
      for (let r = 0; r < n; r++) {
        const v = table.rows[r][c];
        if (isMissing(v)) {
          missing++;
          continue;
        }
        const k = v.trim();
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      const top = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 20);
      profile.counts = Object.fromEntries(top);
      profile.distinct = counts.size;
    }
    profile.missing = missing;
    profile.missingRate = n === 0 ? 0 : missing / n;
    return profile;
  });
  return { num_rows: n, num_elements: n * table.header.length, sha256: sha256(table.text), columns };
}

/** The dataset schema as MLflow writes it for a dataset input (`{"mlflow_colspec": [...]}`). */
export function datasetSchemaJson(schema: InferredSchema): string {
  const spec = schema.features.map((f) => ({ type: f.kind === 'categorical' ? 'string' : f.kind === 'boolean' ? 'boolean' : 'double', name: f.name, required: true }));
  spec.push({ type: schema.task === 'regression' ? 'double' : 'string', name: schema.target, required: true });
  return JSON.stringify({ mlflow_colspec: spec });
}
