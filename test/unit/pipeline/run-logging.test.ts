import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { TAG } from '../../../src/core/tracking';
import { logRunParams, PARAM_VALUE_MAX, runTags } from '../../../src/pipeline/run-logging';
import { openStores } from '../../../src/store/open';
import { OWNER_TAG } from '../../../src/store/run-owner';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('run logging shared by train, tune and the pipeline', () => {
  test('a param value past MLflow’s limit is cut to it rather than refusing the run; more params than one batch holds are all logged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelops-run-logging-'));
    dirs.push(dir);
    const s = await openStores(join(dir, 'mlflow.db'));
    const run = await s.tracking.createRun({ experimentId: '0', tags: runTags('test') });
    const params: Record<string, string> = { long: 'x'.repeat(PARAM_VALUE_MAX + 10) };
    for (let i = 0; i < 150; i++) params[`p${i}`] = String(i);
    await logRunParams(s.tracking, run.info.runId, params);
    const got = Object.fromEntries((await s.tracking.getRun(run.info.runId)).data.params.map((p) => [p.key, p.value]));
    assert.equal(got.long.length, PARAM_VALUE_MAX);
    assert.equal(Object.keys(got).length, 151);
    assert.equal(got.p149, '149');
    await s.close();
  });

  test('a run starts with its source, user and owner; a top-level run also says it is LOCAL', () => {
    const keys = (tags: { key: string }[]): string[] => tags.map((t) => t.key);
    const nested = keys(runTags('modelops tune', [{ key: 'modelops.study', value: 's' }]));
    assert.ok(nested.includes(TAG.source) && nested.includes(TAG.user) && nested.includes('modelops.study'));
    assert.ok(!nested.includes(TAG.sourceType));
    assert.ok(nested.includes(OWNER_TAG.pid), nested.join(','));
    assert.ok(keys(runTags('modelops train', [], true)).includes(TAG.sourceType));
  });
});
