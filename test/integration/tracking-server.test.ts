import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, firstSession } from './helpers';
import { scriptUi } from './fixtures';

/** Polls for a file a terminal writes (a shell takes its time to start); its trimmed content. */
async function fileWritten(file: string, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8');
      if (text.endsWith('\n')) return text.trim();
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`${file} was not written within ${timeoutMs} ms`);
}

/** What a shell started in the workspace folder sees in MLFLOW_TRACKING_URI ("" when unset). */
async function terminalSees(folder: vscode.WorkspaceFolder, name: string): Promise<string> {
  const out = join(folder.uri.fsPath, `${name}.txt`);
  rmSync(out, { force: true });
  const terminal = vscode.window.createTerminal({ name, cwd: folder.uri });
  try {
    terminal.sendText(`printf '%s\\n' "$MLFLOW_TRACKING_URI" > '${out}'`);
    return await fileWritten(out);
  } finally {
    terminal.dispose();
    rmSync(out, { force: true });
  }
}

suite('tracking server (Start / Stop Tracking Server)', () => {
  test('a workspace terminal sees MLFLOW_TRACKING_URI while the server runs, and a client logs into the workspace store through it', async function () {
    this.timeout(120_000);
    const api = await activateExtension();
    const { ui, restore } = scriptUi(api);
    const folder = firstSession(api).folder;
    const dotenv = join(folder.uri.fsPath, '.env');
    rmSync(dotenv, { force: true });
    try {
      ui.actionAnswers = ['Write to .env'];
      const url = await vscode.commands.executeCommand<string>('modelops.startTrackingServer');
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(api.trackingServerUrl(), url);
      assert.equal(await (await fetch(`${url}/health`)).text(), 'OK');

      assert.equal(await terminalSees(folder, 'env-while-running'), url);

      // What `python train.py` in that terminal does: mlflow.start_run() → runs/create, log-batch, through the URL.
      const created = (await (
        await fetch(`${url}/api/2.0/mlflow/runs/create`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ experiment_id: '0', run_name: 'from-a-terminal' }),
        })
      ).json()) as { run: { info: { run_id: string; artifact_uri: string } } };
      assert.match(created.run.info.artifact_uri, /^mlflow-artifacts:\//, 'artifacts go through the server, into the workspace');
      const store = await firstSession(api).get();
      assert.ok(store);
      assert.equal((await store.tracking.getRun(created.run.info.run_id)).info.runName, 'from-a-terminal');

      // The .env offer, accepted: Jupyter kernels read it.
      for (let i = 0; i < 50 && !existsSync(dotenv); i++) await new Promise((r) => setTimeout(r, 100));
      assert.match(readFileSync(dotenv, 'utf8'), new RegExp(`^MLFLOW_TRACKING_URI=${url.replace(/[.]/g, '\\.')}$`, 'm'));
      assert.ok(ui.messages.some((m) => /Jupyter/.test(m.text)));

      await vscode.commands.executeCommand('modelops.stopTrackingServer');
      assert.equal(api.trackingServerUrl(), undefined);
      await assert.rejects(fetch(`${url}/health`));
      assert.equal(await terminalSees(folder, 'env-after-stop'), '');
    } finally {
      await vscode.commands.executeCommand('modelops.stopTrackingServer');
      rmSync(dotenv, { force: true });
      restore();
    }
  });
});
