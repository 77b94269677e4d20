import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../../repo-paths';

test('the generated MLflow DDL module is what the reference stores give (scripts/gen-mlflow-schemas.mjs --check)', () => {
  const r = spawnSync(process.execPath, [join(repoRoot(), 'scripts', 'gen-mlflow-schemas.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});
