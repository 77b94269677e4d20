import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ModelOpsError } from '../../../src/core/errors';
import { sourceDir } from '../../../src/pipeline/model-resolve';
import { registerModel } from '../../../src/pipeline/register';
import { VERSION_HEADER } from '../../../src/serve/scoring-server';
import { ModelFollower } from '../../../src/serve/served-model';
import { repoRoot } from '../../repo-paths';
import type { TestWorkspace } from '../pipeline/workspace';
import { GOOD, openWorkspace } from '../pipeline/workspace';
import type { Answer } from './http';
import { destroyAgent, postJson } from './http';

const ROW = { plan: 'basic', tenure_months: 12, support_tickets: 4, monthly_charges: 55.5 };

/** `modelops serve` as a user starts it: its own process, reading the store another process writes. */
function startCli(ws: TestWorkspace, model: string): Promise<{ child: ChildProcess; url: string; err: () => string }> {
  const main = join(repoRoot(), 'out', 'src', 'cli', 'main.js');
  const child = spawn(process.execPath, [main, '--store', ws.db.file!.path, 'serve', '--model', model, '--port', '0', '--json', '--quiet'], {
    cwd: ws.dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((started, failed) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"url": "([^"]+)"/.exec(out);
      if (m) started({ child, url: m[1]!, err: () => err });
    });
    child.once('exit', (code) => failed(new Error(`modelops serve exited with ${code}: ${err}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', (code) => r(code))));
}

/** Rewrites a version's model.json, keeping it valid JSON (the pin is what catches it). */
function tamper(dir: string): void {
  const file = join(dir, 'model.json');
  writeFileSync(file, readFileSync(file, 'utf8').replace('"weight":1', '"weight":0.5'));
}

describe('modelops serve follows the registry', () => {
  let ws: TestWorkspace;
  before(async () => {
    ws = await openWorkspace();
    for (const seed of [1, 2, 3]) {
      const runId = await ws.trainRun(GOOD, { seed });
      await registerModel(ws.stores, { runId, name: 'churn', actor: 'alice', validate: false });
    }
    await ws.stores.registry.setRegisteredModelAlias('churn', 'champion', '1');
  });
  after(async () => {
    destroyAgent();
    await ws.close();
  });

  test('moving @champion to another version switches the server under load, and no request fails', async () => {
    const { child, url, err } = await startCli(ws, 'models:/churn@champion');
    const answers: Answer[] = [];
    let moved = false;
    let stop = false;
    const servedBy = (a: Answer): unknown => a.headers[VERSION_HEADER.toLowerCase()];
    const deadline = Date.now() + 120_000;
    const client = async (): Promise<void> => {
      while (!stop && Date.now() < deadline) {
        answers.push(await postJson(url, { dataframe_records: [ROW] }));
        if (!moved && answers.length >= 40) {
          moved = true;
          await ws.stores.registry.setRegisteredModelAlias('churn', 'champion', '2');
        }
        // Carry on until the new version has answered a good number of requests.
        if (answers.filter((a) => servedBy(a) === 'models:/churn/2').length >= 50) stop = true;
      }
    };
    await Promise.all(Array.from({ length: 8 }, client));
    child.kill('SIGTERM');
    assert.equal(await exited(child), 0, err());
    const failed = answers.filter((a) => a.status !== 200);
    assert.deepEqual(
      failed.map((a) => a.body),
      [],
      'every request answered',
    );
    const versions = new Set(answers.map(servedBy));
    assert.deepEqual([...versions].sort(), ['models:/churn/1', 'models:/churn/2'], `served by ${[...versions].join(', ')}`);
    // Once version 2 answered, version 1 never answers again.
    const first2 = answers.findIndex((a) => servedBy(a) === 'models:/churn/2');
    assert.ok(answers.slice(first2 + 8).every((a) => servedBy(a) === 'models:/churn/2'));
  });

  test('a version whose bytes changed after registration is refused: not served, and not switched to', async () => {
    const v3 = await ws.stores.registry.getModelVersion('churn', '3');
    tamper((await sourceDir(ws.stores.tracking, v3.source)).dir);
    const refused = (e: unknown): boolean => e instanceof ModelOpsError && /models:\/churn\/3: .*model\.json was changed/.test(e.message);
    await assert.rejects(ModelFollower.open(ws.stores, 'models:/churn/3', { cwd: ws.dir }), refused);

    const lines: string[] = [];
    const follower = await ModelFollower.open(ws.stores, 'models:/churn@champion', { cwd: ws.dir, log: (l) => lines.push(l) });
    assert.equal(follower.current().servedBy, 'models:/churn/2');
    await ws.stores.registry.setRegisteredModelAlias('churn', 'champion', '3');
    await follower.refresh();
    assert.equal(follower.current().servedBy, 'models:/churn/2', 'still the last good version');
    assert.match(lines.join('\n'), /still serving models:\/churn\/2; the registry's new version was refused: models:\/churn\/3: .*model\.json was changed/);
    follower.dispose();
  });
});
