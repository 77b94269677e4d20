import { strict as assert } from 'node:assert';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import initSqlJs from 'sql.js';
import { mlflowSchemas } from '../../repo-paths';
import { ENGINES, ENGINE_NAME } from '../store/helpers/engines';
import { runCliCaptured } from './run-cli';

const dir = mkdtempSync(join(tmpdir(), 'modelops-db-'));
after(() => rmSync(dir, { recursive: true, force: true }));

for (const engine of ENGINES) {
  const env = { MODELOPS_STORE_ENGINE: engine };
  test(`db info names the revision, its MLflow releases, the engine and the rows; db upgrade moves a 2.10.2 store to 3.13 (${ENGINE_NAME[engine]})`, async () => {
    const store = join(dir, `${engine}.db`);
    copyFileSync(mlflowSchemas('upgrade', 'rich-2.10.2-with-modelops-before.db'), store);
    const info = await runCliCaptured(dir, ['db', 'info', '--store', store, '--json'], env);
    assert.equal(info.code, 0, info.err);
    const i = JSON.parse(info.out) as { revision: string; mlflow: string; engine: string; rows: Record<string, number>; upgrade: string };
    assert.equal(i.revision, 'acf3f17fdcc7');
    assert.equal(i.mlflow, 'MLflow 2.10.0–2.12.2');
    assert.match(i.engine, engine === 'sqlite' ? /^node:sqlite$/ : /^sql\.js/);
    assert.equal(i.rows.metrics, 3);
    assert.match(i.upgrade, /modelops db upgrade --to .*3\.13/);
    const up = await runCliCaptured(dir, ['db', 'upgrade', '--store', store], env);
    assert.equal(up.code, 0, up.err);
    assert.match(up.out, /upgraded\s+acf3f17fdcc7 \(MLflow 2\.10\.0–2\.12\.2\) → da6fb0208061 \(MLflow 3\.13\.0–3\.13\.x\)/);
    assert.match(up.out, /backup\s+.*\.backup-acf3f17fdcc7-\d{8}T\d{6}Z \(verified/);
    const again = await runCliCaptured(dir, ['db', 'upgrade', '--store', store], env);
    assert.equal(again.code, 1);
    assert.match(again.err, /already at MLflow 3\.13's schema/);
  });

  test(`--schema creates a store at an older MLflow's schema, and an unknown release is refused before anything is made (${ENGINE_NAME[engine]})`, async () => {
    const store = join(dir, `old-${engine}.db`);
    const made = await runCliCaptured(dir, ['experiments', 'create', 'pinned', '--store', store, '--schema', '2.17'], env);
    assert.equal(made.code, 0, made.err);
    const info = JSON.parse((await runCliCaptured(dir, ['db', 'info', '--store', store, '--json'], env)).out) as { revision: string };
    assert.equal(info.revision, 'f5a4f2784254');
    const bad = await runCliCaptured(dir, ['experiments', 'create', 'x', '--store', join(dir, `bad-${engine}.db`), '--schema', '1.0'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /unknown MLflow release '1\.0'/);
  });

  test(`a store at a revision newer than any known is said once on stderr and still works (${ENGINE_NAME[engine]})`, async () => {
    const store = join(dir, `newer-${engine}.db`);
    copyFileSync(mlflowSchemas('fresh', 'mlflow-3.13-fresh.db'), store);
    const SQL = await initSqlJs();
    const db = new SQL.Database(readFileSync(store));
    db.run("UPDATE alembic_version SET version_num = 'ffffffffffff'");
    writeFileSync(store, db.export());
    db.close();
    const r = await runCliCaptured(dir, ['experiments', 'create', 'later', '--store', store], env);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err.match(/MLflow schema revision ffffffffffff/g)?.length, 1);
    assert.match(r.err, /opens read-write/);
  });
}
