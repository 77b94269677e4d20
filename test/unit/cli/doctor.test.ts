import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ENGINES, ENGINE_NAME } from '../store/helpers/engines';
import { runCliCaptured } from './run-cli';

const dir = mkdtempSync(join(tmpdir(), 'modelops-doctor-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('doctor names the engine a store would open with and whether it is safe beside MLflow, and creates nothing', async () => {
  const r = await runCliCaptured(dir, ['doctor', '--json']);
  assert.equal(r.code, 0, r.err);
  const report = JSON.parse(r.out) as Record<string, string>;
  const native = ENGINES.includes('sqlite');
  assert.equal(report['store engine'], native ? 'node:sqlite' : `sql.js (Node ${process.versions.node} has no node:sqlite (it needs Node 22.13 or newer))`);
  assert.match(report['beside MLflow']!, native ? /^safe/ : /^NOT safe beside other SQLite writers/);
  assert.equal(report['store file'], 'not created yet (the first command that writes creates it)');
});

for (const engine of ENGINES) {
  test(`doctor on an existing store reports its schema revision and MLflow releases (${ENGINE_NAME[engine]})`, async () => {
    const env = { MODELOPS_STORE_ENGINE: engine };
    assert.equal((await runCliCaptured(dir, ['experiments', 'create', `doctor-${engine}`, '--store', `${engine}.db`], env)).code, 0);
    const r = await runCliCaptured(dir, ['doctor', '--store', `${engine}.db`], env);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`store engine\\s+${engine === 'sqlite' ? 'node:sqlite' : 'sql\\.js \\(chosen'}`));
    assert.match(r.out, /mlflow schema\s+revision da6fb0208061 \(MLflow 3\.13\.0–3\.13\.x\)/);
  });
}

test('a forced engine the runtime lacks is reported, not thrown', { skip: ENGINES.includes('sqlite') && 'this Node has node:sqlite' }, async () => {
  const r = await runCliCaptured(dir, ['doctor'], { MODELOPS_STORE_ENGINE: 'sqlite' });
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /store engine\s+error: the store engine 'sqlite' was asked for, but Node .* has no node:sqlite/);
});
