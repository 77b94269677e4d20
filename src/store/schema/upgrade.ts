import { realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ModelOpsError } from '../../core/errors';
import type { SqlDatabase } from '../sql/sql-database';
import type { StoreFile } from '../sql/store-file';
import { headDdl } from './create';
import { sameShape, tableShape } from './describe';
import { HEAD_SCHEMAS } from './mlflow-ddl.generated';
import type { MlflowHead } from './mlflow-heads';
import { MLFLOW_HEADS, chainPosition } from './mlflow-heads';

/**
 * `modelops db upgrade`: moves a store to a newer MLflow head with the same DDL MLflow's
 * migrations leave (the target head's own statements), the way alembic's batch mode does on
 * SQLite — a table whose shape changed is rebuilt and its rows copied by column name; missing
 * tables, indexes and triggers are created, stale MLflow indexes dropped, the rows migrations
 * insert added, the alembic head stamped. It runs inside one transaction with foreign keys off
 * (StoreFile.migrate), so a kill leaves the old store or the new one, never a mix. The product's
 * `modelops_*` tables are left as they are, as MLflow's own upgrade leaves them.
 */

const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;

interface Named {
  type: 'table' | 'index' | 'trigger';
  name: string;
  table: string;
  sql: string;
}

function parse(sql: string): Named {
  let m = /^CREATE TABLE\s+(?:"([^"]+)"|(\w+))/i.exec(sql);
  if (m) return { type: 'table', name: m[1] ?? m[2]!, table: m[1] ?? m[2]!, sql };
  m = /^CREATE (?:UNIQUE )?INDEX\s+(?:"([^"]+)"|(\w+))\s+ON\s+(?:"([^"]+)"|(\w+))/i.exec(sql);
  if (m) return { type: 'index', name: m[1] ?? m[2]!, table: m[3] ?? m[4]!, sql };
  m = /^CREATE TRIGGER\s+(?:"([^"]+)"|(\w+))\s+(?:BEFORE|AFTER|INSTEAD OF)\s+\w+(?:\s+OF\s+[\w, ]+)?\s+ON\s+(?:"([^"]+)"|(\w+))/i.exec(sql);
  if (m) return { type: 'trigger', name: m[1] ?? m[2]!, table: m[3] ?? m[4]!, sql };
  throw new ModelOpsError('INTERNAL_ERROR', `cannot read a DDL statement of the target schema: ${sql.slice(0, 60)}`);
}

const normal = (sql: string): string => sql.replace(/\s+/g, ' ').trim();

/** The heads a store at `revision` can be upgraded to (newer ones only). */
export function upgradeTargets(revision: string): MlflowHead[] {
  const from = chainPosition(revision);
  if (from === undefined) return [];
  return MLFLOW_HEADS.filter((h) => (chainPosition(h.revision) ?? -1) > from);
}

export interface UpgradePlan {
  from: string;
  to: MlflowHead;
  /** Tables created, rebuilt (shape changed), indexes and triggers (re)made: for the report. */
  created: string[];
  rebuilt: string[];
  indexes: string[];
}

/** Checks the move is one this version can make; throws a ModelOpsError saying what to do otherwise. */
export function checkUpgrade(revision: string, to: MlflowHead): void {
  const from = chainPosition(revision);
  if (from === undefined) {
    throw new ModelOpsError(
      'STORE_UNSUPPORTED_SCHEMA',
      `the store is at MLflow schema revision ${revision}, which this version does not know; upgrade it with MLflow itself (mlflow db upgrade)`,
      { location: 'schema' },
    );
  }
  const target = chainPosition(to.revision)!;
  if (target === from)
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `the store is already at MLflow ${to.label}'s schema (revision ${to.revision})`, { location: 'to' });
  if (target < from)
    throw new ModelOpsError(
      'INVALID_PARAMETER_VALUE',
      `the store (revision ${revision}) is newer than MLflow ${to.label}'s schema: MLflow has no downgrade that keeps its data, and neither does ModelOps`,
      { location: 'to' },
    );
}

/** Applies the upgrade to `db` (inside the caller's migration transaction, foreign keys off). */
export function applyUpgrade(db: SqlDatabase, to: MlflowHead): UpgradePlan {
  const from = String(db.get('SELECT version_num FROM alembic_version')?.version_num);
  checkUpgrade(from, to);
  const target = headDdl(to).map(parse);
  const plan: UpgradePlan = { from, to, created: [], rebuilt: [], indexes: [] };
  const mlflowTables = new Set(target.filter((t) => t.type === 'table').map((t) => t.name));
  const existing = new Map(
    db
      .all('SELECT type, name, tbl_name, sql FROM main.sqlite_master WHERE sql IS NOT NULL')
      .map((r) => [String(r.name), { type: String(r.type), table: String(r.tbl_name), sql: String(r.sql) }]),
  );
  for (const t of target.filter((x) => x.type === 'table')) {
    if (!existing.has(t.name)) {
      db.exec(t.sql);
      plan.created.push(t.name);
    } else if (!sameShape(tableShape(db, t.name, 'main', false), scratchShape(db, t))) {
      rebuild(db, t);
      plan.rebuilt.push(t.name);
    }
  }
  // Indexes and triggers of MLflow's tables: what the target has, as the target has it.
  const now = new Map(
    db
      .all("SELECT type, name, tbl_name, sql FROM main.sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL")
      .map((r) => [String(r.name), { type: String(r.type), table: String(r.tbl_name), sql: String(r.sql) }]),
  );
  const wanted = new Map(target.filter((x) => x.type !== 'table').map((x) => [x.name, x]));
  for (const [name, o] of now) {
    if (!mlflowTables.has(o.table)) continue;
    const w = wanted.get(name);
    if (!w || normal(w.sql) !== normal(o.sql)) db.exec(`DROP ${o.type === 'index' ? 'INDEX' : 'TRIGGER'} ${q(name)}`);
  }
  for (const w of wanted.values()) {
    const o = now.get(w.name);
    if (o && normal(o.sql) === normal(w.sql)) continue;
    db.exec(w.sql);
    plan.indexes.push(w.name);
  }
  for (const row of HEAD_SCHEMAS[to.revision]!.seed) db.exec(row.replace(/^INSERT INTO/, 'INSERT OR IGNORE INTO'));
  db.run('UPDATE alembic_version SET version_num = ?', [to.revision]);
  return plan;
}

/** The shape the target gives a table: made as a temporary table under a scratch name, read, dropped. */
function scratchShape(db: SqlDatabase, t: Named): ReturnType<typeof tableShape> {
  const scratch = `_modelops_shape_${t.name}`;
  db.exec(t.sql.replace(/^CREATE TABLE\s+(?:"[^"]+"|\w+)/i, `CREATE TEMP TABLE ${q(scratch)}`));
  try {
    return tableShape(db, scratch, 'temp', false);
  } finally {
    db.exec(`DROP TABLE temp.${q(scratch)}`);
  }
}

/** SQLite's way to change a table: a new one with the target DDL, the rows copied by column name, swapped in. */
function rebuild(db: SqlDatabase, t: Named): void {
  const fresh = `_modelops_new_${t.name}`;
  db.exec(t.sql.replace(/^CREATE TABLE\s+(?:"[^"]+"|\w+)/i, `CREATE TABLE ${q(fresh)}`));
  const had = new Set(db.all(`PRAGMA main.table_info(${q(t.name)})`).map((c) => String(c.name)));
  const common = db
    .all(`PRAGMA main.table_info(${q(fresh)})`)
    .map((c) => String(c.name))
    .filter((c) => had.has(c))
    .map(q)
    .join(', ');
  db.exec(`INSERT INTO ${q(fresh)} (${common}) SELECT ${common} FROM ${q(t.name)}`);
  db.exec(`DROP TABLE ${q(t.name)}`);
  db.exec(`ALTER TABLE ${q(fresh)} RENAME TO ${q(t.name)}`);
}

/** Row counts of every table (what an upgrade must keep). */
export function rowCounts(db: SqlDatabase): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of db.all("SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")) {
    out[String(r.name)] = Number(db.get(`SELECT count(*) AS n FROM ${q(String(r.name))}`)?.n);
  }
  return out;
}

export interface UpgradeResult extends UpgradePlan {
  backup: string;
  /** Rows per table before and after (every table that existed keeps every row). */
  rows: Record<string, { before: number; after: number }>;
}

/** `modelops db upgrade`: a verified backup beside the file, then the upgrade in one transaction. */
export async function upgradeStore(file: StoreFile, to: MlflowHead, now: Date = new Date()): Promise<UpgradeResult> {
  checkUpgrade(file.schema.revision, to);
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const backup = join(dirname(realPathOf(file.path)), `${basename(file.path)}.backup-${file.schema.revision}-${stamp}`);
  return file.migrate(backup, (db) => {
    const before = rowCounts(db);
    const plan = applyUpgrade(db, to);
    const after = rowCounts(db);
    const rows: UpgradeResult['rows'] = {};
    for (const [table, n] of Object.entries(before)) {
      rows[table] = { before: n, after: after[table] ?? 0 };
      if ((after[table] ?? 0) !== n) {
        throw new ModelOpsError('INTERNAL_ERROR', `${file.path}: the upgrade would leave ${after[table] ?? 0} of ${n} rows in ${table}; nothing was changed`, {
          location: file.path,
        });
      }
    }
    return { ...plan, backup, rows };
  });
}

function realPathOf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
