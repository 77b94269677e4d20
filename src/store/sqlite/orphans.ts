import { ORPHAN_TAG, OWNER_TAG, VALIDATION_TAG, ownerGone } from '../run-owner';
import type { Row, SqlDatabase } from '../sql/sql-database';
import type { StoreFile } from '../sql/store-file';
import { ScopedSql } from './scope';

interface Owned {
  id: string;
  version?: number;
  why: string;
}

const OWNER_KEYS = [OWNER_TAG.pid, OWNER_TAG.host, OWNER_TAG.started];

/** Rows of (id, version?, key, value) → the owners that are gone, with why. */
function gone(rows: Row[], withVersion: boolean): Owned[] {
  const byOwner = new Map<string, { id: string; version?: number; tags: Map<string, string> }>();
  for (const r of rows) {
    const id = String(r.id);
    const version = withVersion ? Number(r.version) : undefined;
    const k = `${id}\u0000${version ?? ''}`;
    let o = byOwner.get(k);
    if (!o) byOwner.set(k, (o = { id, ...(version === undefined ? {} : { version }), tags: new Map() }));
    o.tags.set(String(r.key), String(r.value));
  }
  const out: Owned[] = [];
  for (const o of byOwner.values()) {
    const why = ownerGone(o.tags);
    if (why) out.push({ id: o.id, ...(o.version === undefined ? {} : { version: o.version }), why });
  }
  return out;
}

function find(db: SqlDatabase): { runs: Owned[]; versions: Owned[] } {
  const runs = db.all(
    `SELECT t.run_uuid AS id, t."key" AS key, t.value AS value FROM tags t JOIN runs r ON r.run_uuid = t.run_uuid
      WHERE r.status = 'RUNNING' AND t."key" IN (?, ?, ?)`,
    OWNER_KEYS,
  );
  const versions = db.all(
    `SELECT t.name AS id, t.version AS version, t."key" AS key, t.value AS value FROM model_version_tags t
      WHERE t."key" IN (?, ?, ?){ws:t.workspace}
        AND EXISTS (SELECT 1 FROM model_version_tags s WHERE s.name = t.name AND s.version = t.version AND s."key" = ? AND s.value = 'running'{ws:s.workspace})`,
    [...OWNER_KEYS, VALIDATION_TAG],
  );
  return { runs: gone(runs, false), versions: gone(versions, true) };
}

function setRunTag(db: SqlDatabase, runId: string, key: string, value: string): void {
  if (db.run('UPDATE tags SET value = ? WHERE "key" = ? AND run_uuid = ?', [value, key, runId]).changes === 0) {
    db.run('INSERT INTO tags ("key", value, run_uuid) VALUES (?, ?, ?)', [key, value, runId]);
  }
}

function setVersionTag(db: SqlDatabase, name: string, version: number, key: string, value: string): void {
  if (db.run('UPDATE model_version_tags SET value = ? WHERE name = ? AND version = ? AND "key" = ?{ws}', [value, name, version, key]).changes === 0) {
    db.run('INSERT INTO model_version_tags ("key", value, name, version{ws,}) VALUES (?, ?, ?, ?{ws?})', [key, value, name, version]);
  }
}

/**
 * Runs left RUNNING, and validations left running, by a process that is gone (killed, crashed,
 * the machine rebooted): the runs end FAILED and the validations `interrupted`, each with the
 * reason in a tag. Reads first; writes only when there is something to end; never in a store this
 * version may only read.
 */
export async function reapOrphans(file: StoreFile, now: number = Date.now()): Promise<{ runs: string[]; versions: string[] }> {
  if (file.schema.readOnly) return { runs: [], versions: [] };
  const found = await file.read((raw) => find(ScopedSql.of(raw, file)));
  if (found.runs.length === 0 && found.versions.length === 0) return { runs: [], versions: [] };
  return file.write((raw) => {
    const db = ScopedSql.of(raw, file);
    const runs: string[] = [];
    const versions: string[] = [];
    for (const r of found.runs) {
      // Still RUNNING now, under the write lock: the owner did not finish it meanwhile.
      if (db.run("UPDATE runs SET status = 'FAILED', end_time = ? WHERE run_uuid = ? AND status = 'RUNNING'", [now, r.id]).changes === 0) continue;
      setRunTag(db, r.id, ORPHAN_TAG, `ended as FAILED when the store next opened: the ${r.why}`);
      runs.push(r.id);
    }
    for (const v of found.versions) {
      if (
        db.run("UPDATE model_version_tags SET value = 'interrupted' WHERE name = ? AND version = ? AND \"key\" = ? AND value = 'running'{ws}", [
          v.id,
          v.version!,
          VALIDATION_TAG,
        ]).changes === 0
      )
        continue;
      setVersionTag(db, v.id, v.version!, ORPHAN_TAG, `validation interrupted: the ${v.why}; validate it again`);
      versions.push(`${v.id}/${v.version}`);
    }
    return { runs, versions };
  });
}
