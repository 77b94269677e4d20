import type { SqlDatabase } from '../sql/sql-database';

/**
 * A table's shape as MLflow's own schema test compares it (tests/db/test_schema.py): columns with
 * type, nullability, default and key position; foreign keys; unique constraints and indexes with
 * their columns. DDL text is not compared: SQLite keeps clauses in the order they were written,
 * which differs between a table MLflow created and one its migrations rebuilt.
 */
export interface TableShape {
  columns: string[];
  foreignKeys: string[];
  indexes: string[];
}

const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** `createdIndexes: false` leaves out indexes made by CREATE INDEX (a table's DDL alone makes none). */
export function tableShape(db: SqlDatabase, table: string, schema = 'main', createdIndexes = true): TableShape {
  const columns = db
    .all(`PRAGMA ${schema}.table_info(${q(table)})`)
    .map(
      (c) =>
        `${String(c.name)} ${String(c.type).toUpperCase()}${Number(c.notnull) ? ' NOT NULL' : ''}${c.dflt_value === null ? '' : ` DEFAULT ${String(c.dflt_value)}`}${Number(c.pk) ? ` PK${String(c.pk)}` : ''}`,
    );
  const fkRows = db.all(`PRAGMA ${schema}.foreign_key_list(${q(table)})`);
  const byId = new Map<number, { table: string; from: string[]; to: string[]; onUpdate: string; onDelete: string }>();
  for (const f of fkRows) {
    const id = Number(f.id);
    const entry = byId.get(id) ?? { table: String(f.table), from: [], to: [], onUpdate: String(f.on_update), onDelete: String(f.on_delete) };
    entry.from.push(String(f.from));
    entry.to.push(String(f.to));
    byId.set(id, entry);
  }
  const foreignKeys = [...byId.values()]
    .map((f) => `(${f.from.join(',')}) -> ${f.table}(${f.to.join(',')}) ON UPDATE ${f.onUpdate} ON DELETE ${f.onDelete}`)
    .sort();
  const indexes = db
    .all(`PRAGMA ${schema}.index_list(${q(table)})`)
    .filter((i) => createdIndexes || String(i.origin) !== 'c')
    .map((i) => {
      const cols = db.all(`PRAGMA ${schema}.index_info(${q(String(i.name))})`).map((c) => String(c.name));
      // Automatic indexes (primary keys, UNIQUE) are named by SQLite: compare them by what they cover.
      const name = String(i.origin) === 'c' ? String(i.name) : String(i.origin);
      return `${name}${Number(i.unique) ? ' UNIQUE' : ''} (${cols.join(',')})`;
    })
    .sort();
  return { columns, foreignKeys, indexes };
}

export function sameShape(a: TableShape, b: TableShape): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Every table's shape (system tables aside), keyed by name, optionally only some tables. */
export function schemaShape(db: SqlDatabase, include: (table: string) => boolean = () => true): Record<string, TableShape> {
  const out: Record<string, TableShape> = {};
  for (const r of db.all("SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")) {
    const name = String(r.name);
    if (include(name)) out[name] = tableShape(db, name);
  }
  return out;
}
