import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { checkOutputPath } from '../../../src/pipeline/output-path';
import { runCliCaptured } from '../cli/run-cli';

const dir = mkdtempSync(join(tmpdir(), 'modelops-out-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const store = join(dir, '.modelops', 'mlflow.db');
const data = join(dir, 'new.csv');

describe('where an output file may go', () => {
  test('the store, its journal, lock and backups, anything under its folder, and the input are refused, each naming both paths', () => {
    mkdirSync(join(dir, '.modelops', 'artifacts'), { recursive: true });
    writeFileSync(store, 'x');
    writeFileSync(data, 'a,b\n1,2\n');
    symlinkSync(store, join(dir, 'link-to-store.db'));
    for (const [out, why] of [
      [store, /it is the store itself/],
      [`${store}-journal`, /a file of the store .*mlflow\.db/],
      [`${store}.lock`, /a file of the store/],
      [`${store}.backup-acf3f17fdcc7-20261201T000000Z`, /a file of the store/],
      [join(dir, '.modelops', 'artifacts', '0', 'run', 'artifacts', 'model', 'model.json'), /inside the store's folder/],
      [join(dir, '.modelops', 'preds.csv'), /inside the store's folder/],
      [join(dir, 'link-to-store.db'), /it is the store itself/],
      [data, /it is the input file/],
    ] as const) {
      assert.throws(
        () => checkOutputPath(out, '--out', { inputs: [data], store }),
        (e: Error) => why.test(e.message) && e.message.includes(out) && /nothing was written/.test(e.message),
        out,
      );
    }
    assert.equal(checkOutputPath(join(dir, 'preds.csv'), '--out', { inputs: [data], store }), join(dir, 'preds.csv'));
  });

  test('modelops predict --out .modelops/mlflow.db exits 1 naming both paths, and the store is byte-identical', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'modelops-out-cli-'));
    try {
      assert.equal((await runCliCaptured(ws, ['experiments', 'create', 'e'])).code, 0);
      writeFileSync(join(ws, 'new.csv'), 'a,b\n1,2\n');
      const before = readFileSync(join(ws, '.modelops', 'mlflow.db'));
      for (const out of ['.modelops/mlflow.db', '.modelops/mlflow.db-journal', 'new.csv']) {
        const r = await runCliCaptured(ws, ['predict', '--model', 'models:/churn/Production', '--data', 'new.csv', '--out', out]);
        assert.equal(r.code, 1, out);
        assert.match(r.err, new RegExp(`--out ${out.replace(/[.]/g, '\\.')}.*refusing to write there`));
        assert.deepEqual(readFileSync(join(ws, '.modelops', 'mlflow.db')), before, out);
      }
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  });
});
