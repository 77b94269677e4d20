import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import * as vscode from 'vscode';
import type { ModelOpsApi } from '../../src/extension/api';
import { activateExtension } from './helpers';
import { FIXTURES, scriptUi, waitFor, workspaceDir } from './fixtures';
import type { ScriptedUi } from './fixtures';

const COMMAND = 'modelops.openOptunaStudyFile';
/** Debian's python3-optuna; the live test skips, saying why, without it. */
const PYTHON = '/usr/bin/python3';
const hasOptuna = (): boolean => existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import optuna'], { stdio: 'ignore' }).status === 0;

suite('Optuna study files in the study panel', function () {
  // Optuna starts slowly on a loaded 2-core machine: a limit for a hung host, not a timing assertion.
  this.timeout(180_000);
  let api: ModelOpsApi;
  let ui: ScriptedUi;
  let restore: () => void;
  const files: string[] = [];

  suiteSetup(async () => {
    api = await activateExtension();
    ({ ui, restore } = scriptUi(api));
  });

  suiteTeardown(() => {
    restore();
    for (const f of files) rmSync(f, { force: true });
  });

  test('opens a study Optuna is running, read-only, and its new trials arrive', async function () {
    if (!hasOptuna()) return this.skip();
    const file = join(workspaceDir(), 'optuna-live.db');
    files.push(file);
    rmSync(file, { force: true });
    const child = spawn(PYTHON, [join(FIXTURES, 'optuna', 'live-writer.py'), file], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    try {
      assert.equal((await lines.next()).value, 'ready');
      const logged = api.log.recent().length;
      const since = () => api.log.recent().slice(logged);
      const opened = await vscode.commands.executeCommand<string | undefined>(COMMAND, { file, study: 'live' });
      assert.equal(opened, file);
      await waitFor(
        'the study sent to the panel',
        () => since().some((l) => l.startsWith('webview.state panel=optunaStudy status=ready study=live trials=2')),
        60_000,
      );
      child.stdin!.write('go\n');
      await lines.next();
      await waitFor(
        'the new trials in the panel',
        () => since().some((l) => l.startsWith('webview.state panel=optunaStudy status=ready study=live trials=5')),
        60_000,
      );
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    } finally {
      child.kill();
    }
  });

  test('a file that is not Optuna storage is refused, naming it', async () => {
    const file = join(workspaceDir(), 'not-optuna.db');
    files.push(file);
    writeFileSync(file, 'plain text, not SQLite\n'.repeat(10));
    const before = ui.messages.length;
    const opened = await vscode.commands.executeCommand<string | undefined>(COMMAND, vscode.Uri.file(file));
    assert.equal(opened, undefined);
    const shown = await waitFor('the error message', () => ui.messages.slice(before).find((m) => m.level === 'error'));
    assert.match(shown.text, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not an SQLite database`));
  });
});
