import { strict as assert } from 'node:assert';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { example, fixture } from '../../repo-paths';
import { runCliCaptured } from '../cli/run-cli';

/** Every file of test/fixtures/hostile/ (README there): a clear error naming where, exit 1, the store untouched. */
const HOSTILE = fixture('hostile');
const COMMANDS: Record<string, (file: string) => string[]> = {
  csv: (f) => ['train', '--data', f, '--target', 'label', '--cv', '0'],
  params: (f) => ['train', '--data', example('iris.csv'), '--target', 'species', '--params', f],
  spaces: (f) => ['tune', '--data', example('iris.csv'), '--target', 'species', '--space', f, '--trials', '1'],
  models: (d) => ['predict', '--model', d, '--data', example('iris.csv')],
  pipelines: (f) => ['pipeline', 'run', f, '--dry-run'],
};

let ws: string;
before(async () => {
  ws = mkdtempSync(join(tmpdir(), 'modelops-hostile-'));
  // A store that already holds something, so "byte-identical" means something.
  assert.equal((await runCliCaptured(ws, ['experiments', 'create', 'existing'])).code, 0);
});
after(() => rmSync(ws, { recursive: true, force: true }));

for (const [folder, command] of Object.entries(COMMANDS)) {
  describe(`hostile ${folder}`, () => {
    for (const name of readdirSync(join(HOSTILE, folder)).sort()) {
      test(name, async () => {
        // A copy: the command never gets the fixture itself to write beside.
        const scratch = mkdtempSync(join(tmpdir(), 'modelops-hostile-file-'));
        try {
          const file = join(scratch, name);
          cpSync(join(HOSTILE, folder, name), file, { recursive: true });
          const store = join(ws, '.modelops', 'mlflow.db');
          const before = readFileSync(store);
          const r = await runCliCaptured(ws, command(file));
          assert.equal(r.code, 1, `exit code: ${r.err}`);
          // Progress lines may come first; the error is the last line, and the only one of its kind.
          const lines = r.err.trim().split('\n');
          const message = lines[lines.length - 1]!;
          assert.match(message, /^modelops: /, r.err);
          assert.equal(lines.filter((l) => l.startsWith('modelops: ')).length, 1, `one error line: ${r.err}`);
          assert.ok(message.includes(basename(file)), `names the file: ${message}`);
          // Where in it: a line (and column), or a field/parameter/key by name.
          assert.match(
            message,
            /\.(csv|json|ya?ml|db):\d+|MLmodel|model\.json|: (rf|knn)[.:]|key '|parameter '|nested \d+ levels|the file is empty|no data rows|no target column|single class/,
            `says where: ${message}`,
          );
          assert.doesNotMatch(message, /internal error|\s{4}at /, message);
          assert.deepEqual(readFileSync(store), before, 'the store is byte-identical');
        } finally {
          rmSync(scratch, { recursive: true, force: true });
        }
      });
    }
  });
}
