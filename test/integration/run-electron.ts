// The same integration suite on VS Code desktop, for machines that can download it:
//   npx tsc -p tsconfig.test.json && node out/test/integration/run-electron.js
// (Here the suite runs in code-server instead: scripts/test-integration.mjs; both load index.ts's run().)
import { runTests } from '@vscode/test-electron';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

async function main(): Promise<void> {
  const root = resolve(__dirname, '..', '..', '..');
  const workspace = mkdtempSync(join(tmpdir(), 'modelops-int-'));
  cpSync(join(root, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: join(__dirname, 'index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    extensionTestsEnv: { MODELOPS_TEST_WORKSPACE: workspace },
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
