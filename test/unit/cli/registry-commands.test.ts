import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkspace } from '../pipeline/workspace';
import type { CliResult } from './run-cli';
import { runCliCaptured } from './run-cli';
import { GOOD, churnCsv, openWorkspace, writeGates } from '../pipeline/workspace';

function cli(cwd: string, ...argv: string[]): Promise<CliResult> {
  return runCliCaptured(cwd, argv, { MODELOPS_ACTOR: 'ci-bot' });
}

describe('registry commands', () => {
  let ws: TestWorkspace;
  let runId: string;
  before(async () => {
    ws = await openWorkspace();
    writeGates(ws, { models: { churn: { data: 'holdout.csv', metrics: { accuracy: { threshold: 0.6, greater_is_better: true } } } } });
    runId = await ws.trainRun(GOOD);
  });
  after(() => ws.close());

  test('register validates at once and prints the gates; promote needs --approve and --comment', async () => {
    const reg = await cli(ws.dir, 'register', '--run', runId, '--name', 'churn');
    assert.equal(reg.code, 0, reg.err);
    assert.match(reg.out, /validation of churn version 1: PASSED — None → Staging/);
    const refused = await cli(ws.dir, 'promote', '--name', 'churn', '--version', '1', '--to', 'Production');
    assert.equal(refused.code, 1);
    assert.match(refused.err, /needs an explicit approval: add --approve/);
    const ok = await cli(ws.dir, 'promote', '--name', 'churn', '--version', '1', '--to', 'Production', '--approve', '--comment', 'ship it');
    assert.equal(ok.code, 0, ok.err);
    const history = await cli(ws.dir, 'models', 'history', 'churn');
    assert.match(history.out, /ci-bot\s+approve\s+1\s+Staging → Production\s+ship it/);
  });

  test('predict --stage Production shorthand writes predictions; a file with bad rows exits 1 and writes nothing', async () => {
    writeFileSync(join(ws.dir, 'in.csv'), churnCsv(15, 3));
    const ok = await cli(ws.dir, 'predict', '--name', 'churn', '--stage', 'Production', '--data', 'in.csv', '--out', 'out.csv', '--proba');
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /15 rows scored with churn version 1 \(Production\)/);
    assert.equal(readFileSync(join(ws.dir, 'out.csv'), 'utf8').trim().split('\n').length, 16);
    writeFileSync(join(ws.dir, 'bad.csv'), churnCsv(5, 4).replace(/,(\d+),(\d+),(\d+\.\d+),/, ',$1,lots,$3,'));
    const bad = await cli(ws.dir, 'predict', '--model', 'models:/churn/Production', '--data', 'bad.csv', '--out', 'bad-out.csv');
    assert.equal(bad.code, 1);
    assert.match(bad.err, /column 'support_tickets' expects double/);
    assert.equal(existsSync(join(ws.dir, 'bad-out.csv')), false);
  });

  test('validate exits 1 when a gate fails, and models list shows stages and aliases', async () => {
    writeGates(ws, { models: { churn: { data: 'holdout.csv', metrics: { accuracy: { threshold: 0.999, greater_is_better: true } } } } });
    const run2 = await ws.trainRun(GOOD, { seed: 11 });
    const reg = await cli(ws.dir, 'register', '--run', run2, '--name', 'churn', '--no-validate');
    assert.equal(reg.code, 0, reg.err);
    const v = await cli(ws.dir, 'validate', '--name', 'churn');
    assert.equal(v.code, 1);
    assert.match(v.out, /FAILED — None → None/);
    assert.equal((await cli(ws.dir, 'alias', 'set', '--name', 'churn', '--alias', 'challenger', '--version', '2')).code, 0);
    const list = await cli(ws.dir, 'models', 'list');
    assert.match(list.out, /churn\s+Production:v1 None:v2\s+challenger→v2/);
  });
});
