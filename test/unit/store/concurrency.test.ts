import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openStoreFile } from '../../../src/store/engine';
import { openTrackingStore } from '../../../src/store/open';
import { tempDir } from './helpers/temp';
import type { TestEngine } from './helpers/engines';
import { ENGINES, ENGINE_NAME, engineEnv } from './helpers/engines';

const WRITER = join(__dirname, 'fixtures', 'writer.js');
const tmp = tempDir();
after(() => tmp.cleanup());

async function experimentNames(file: string, engine: TestEngine): Promise<Set<string>> {
  const store = await openTrackingStore(file, { create: false, engine });
  const names = new Set<string>();
  let pageToken: string | undefined;
  do {
    const page = await store.searchExperiments({ viewType: 'ALL', maxResults: 1000, pageToken });
    for (const e of page.items) names.add(e.name);
    pageToken = page.nextPageToken;
  } while (pageToken);
  await store.close();
  return names;
}

/** SQLite's own verdict on the file, read with the engine under test. */
async function integrity(file: string, engine: TestEngine): Promise<string> {
  const store = await openStoreFile(file, { create: false, engine });
  try {
    return await store.read((db) => String(db.get('PRAGMA integrity_check')?.integrity_check));
  } finally {
    await store.close();
  }
}

function runWriter(file: string, label: string, count: string, engine: TestEngine): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [WRITER, file, label, count], { stdio: ['ignore', 'pipe', 'pipe'], env: engineEnv(engine) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

for (const engine of ENGINES) {
  describe(`several processes on one store file (${ENGINE_NAME[engine]})`, () => {
    test('4 processes × 250 write transactions: all 1000 are present', async () => {
      const file = join(tmp.dir, `multi-${engine}`, 'mlflow.db');
      await (await openTrackingStore(file, { engine })).close();
      const results = await Promise.all(['p0', 'p1', 'p2', 'p3'].map((label) => runWriter(file, label, '250', engine)));
      for (const r of results) assert.equal(r.code, 0, r.stderr);
      const names = await experimentNames(file, engine);
      assert.equal(await integrity(file, engine), 'ok');
      for (const label of ['p0', 'p1', 'p2', 'p3']) {
        for (let i = 0; i < 250; i++) assert.ok(names.has(`${label}-${i}`), `missing ${label}-${i}`);
      }
      assert.equal(names.size, 1001); // + Default
    });

    test('a writer SIGKILLed at random moments, 30 times: the file always opens and holds every reported commit', async () => {
      const file = join(tmp.dir, `crash-${engine}`, 'mlflow.db');
      await (await openTrackingStore(file, { engine })).close();
      const reported = new Set<string>();
      for (let round = 0; round < 30; round++) {
        const child = spawn(process.execPath, [WRITER, file, `r${round}`, 'forever'], { stdio: ['ignore', 'pipe', 'pipe'], env: engineEnv(engine) });
        let buffered = '';
        let stderr = '';
        let firstCommit: () => void = () => undefined;
        const committedOnce = new Promise<void>((resolve) => (firstCommit = resolve));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
        const ready = new Promise<void>((resolve) => {
          child.stdout.on('data', (d: Buffer) => {
            buffered += d.toString();
            let nl: number;
            while ((nl = buffered.indexOf('\n')) >= 0) {
              const line = buffered.slice(0, nl);
              buffered = buffered.slice(nl + 1);
              if (line === 'ready') resolve();
              else if (line.startsWith('committed ')) {
                reported.add(line.slice('committed '.length));
                firstCommit();
              }
            }
          });
        });
        await ready;
        // Odd rounds let the writer commit at least once first (so kills also land between later
        // transactions); even rounds may kill it inside its very first one.
        if (round % 2 === 1) await committedOnce;
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 150)));
        child.kill('SIGKILL');
        await closed;
        assert.equal(stderr, '', `round ${round}: writer failed: ${stderr}`);
        const names = await experimentNames(file, engine);
        assert.equal(await integrity(file, engine), 'ok', `round ${round}: integrity_check`);
        for (const name of reported) assert.ok(names.has(name), `round ${round}: committed ${name} is missing`);
      }
      assert.ok(reported.size > 0, 'the writers committed something before being killed');
      // Each killed writer left its lock's owner record; the next writer sweeps the dead ones.
      const records = (): string[] => readdirSync(dirname(file)).filter((f) => f.endsWith('.owner'));
      const store = await openTrackingStore(file, { engine });
      await store.createExperiment('after-the-kills');
      const left = records().map((f) => (JSON.parse(readFileSync(join(dirname(file), f), 'utf8')) as { pid: number }).pid);
      assert.ok(
        left.every((pid) => pid === process.pid),
        `only this process's record is left: ${left.join(', ')}`,
      );
      await store.close();
      assert.deepEqual(records(), []);
    });
  });
}
