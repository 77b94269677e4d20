// The same integration suite on VS Code desktop, for machines that can download it:
//   npx tsc -p tsconfig.test.json && node out/test/integration/run-electron.js
// (Here the suite runs in code-server instead: scripts/test-integration.mjs; both load index.ts's run()
// once per host run of host-runs.ts.)
import { runTests } from '@vscode/test-electron';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { prepareHostRuns, SUITE_ENV } from './host-runs';

/** As scripts/vscode-host.mjs RESTRICTED_SETTINGS: trust on, no startup dialog, so the window opens untrusted. */
const RESTRICTED_SETTINGS = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.banner': 'never',
  'security.workspace.trust.untrustedFiles': 'open',
};

async function main(): Promise<void> {
  const root = resolve(__dirname, '..', '..', '..');
  const runDir = mkdtempSync(join(tmpdir(), 'modelops-int-'));
  let failed = false;
  for (const run of await prepareHostRuns(root, runDir)) {
    // A user data folder per run, so trust decisions never carry over.
    const userData = join(runDir, `user-${run.id}`);
    mkdirSync(join(userData, 'User'), { recursive: true });
    writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(run.restricted ? RESTRICTED_SETTINGS : {}));
    const target = 'folder' in run.open ? run.open.folder : run.open.workspaceFile;
    try {
      await runTests({
        extensionDevelopmentPath: root,
        extensionTestsPath: join(__dirname, 'index.js'),
        launchArgs: [target, '--disable-extensions', `--user-data-dir=${userData}`, ...(run.restricted ? [] : ['--disable-workspace-trust'])],
        extensionTestsEnv: { MODELOPS_TEST_WORKSPACE: target, [SUITE_ENV]: run.suite },
      });
    } catch (e) {
      console.error(`host run ${run.id} failed:`, e);
      failed = true;
    }
  }
  if (failed) process.exit(1);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
