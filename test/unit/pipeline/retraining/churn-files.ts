import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../../../src/ml/random';
import { example } from '../../../repo-paths';

/**
 * examples/churn.csv and files derived from it, for the pipeline's tests: the first half of the
 * customers trains the Production model, the second half is the next batch, and each variant
 * breaks that batch the way real data breaks. Deterministic (seeded).
 */
export interface Table {
  header: string[];
  rows: string[][];
}

export function readChurn(): Table {
  const lines = readFileSync(example('churn.csv'), 'utf8').trim().split(/\r?\n/);
  return { header: lines[0]!.split(','), rows: lines.slice(1).map((l) => l.split(',')) };
}

export function write(dir: string, name: string, t: Table): string {
  const file = join(dir, name);
  writeFileSync(file, `${[t.header, ...t.rows].map((r) => r.join(',')).join('\n')}\n`);
  return file;
}

const col = (t: Table, name: string): number => {
  const c = t.header.indexOf(name);
  if (c < 0) throw new Error(`no column ${name}`);
  return c;
};

function mapColumn(t: Table, name: string, f: (v: string, i: number) => string): Table {
  const c = col(t, name);
  return { header: t.header, rows: t.rows.map((r, i) => r.map((v, j) => (j === c ? f(v, i) : v))) };
}

/** January: the customers the Production model learns from; February: the next batch; a holdout for the gates. */
export function batches(): { january: Table; february: Table; holdout: Table } {
  const t = readChurn();
  const pick = (k: number): Table => ({ header: t.header, rows: t.rows.filter((_, i) => i % 5 === k) });
  const rows = (ks: number[]): Table => ({ header: t.header, rows: t.rows.filter((_, i) => ks.includes(i % 5)) });
  return { january: rows([0, 1]), february: rows([2, 3]), holdout: pick(4) };
}

export const variants = {
  /** `support_tickets` arrives as `tickets`. */
  renamed: (t: Table): Table => ({ header: t.header.map((h) => (h === 'support_tickets' ? 'tickets' : h)), rows: t.rows }),
  /** A plan the model never saw, on one row in six. */
  newCategory: (t: Table): Table => mapColumn(t, 'plan', (v, i) => (i % 6 === 0 ? 'enterprise' : v)),
  /** `age` silently became months. */
  ageInMonths: (t: Table): Table => mapColumn(t, 'age', (v) => (v === '' ? v : String(Number(v) * 12))),
  /** A different population: new, cheap-plan customers, sampled from the batch (every value stays in range). */
  newSegment: (t: Table): Table => {
    const rng = new Rng(11);
    const tenure = col(t, 'tenure_months');
    const charges = col(t, 'monthly_charges');
    const age = col(t, 'age');
    const keep = t.rows.filter((r) => rng.next() < (Number(r[tenure]) < 24 && Number(r[charges]) < 40 && (r[age] === '' || Number(r[age]) < 45) ? 0.95 : 0.15));
    return { header: t.header, rows: keep };
  },
  /** Prices up a fifth: one numeric column shifted, mostly inside its training range. */
  pricier: (t: Table): Table => mapColumn(t, 'monthly_charges', (v) => (Number(v) * 1.2).toFixed(2)),
  /** 60% of `age` missing. */
  mostlyMissing: (t: Table): Table => mapColumn(t, 'age', (v, i) => (i % 5 < 3 ? '' : v)),
};
