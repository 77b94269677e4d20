// The integration suite's entry, as @vscode/test-electron and code-server's smoke-test driver
// expect: a module exporting run(), loaded inside the real extension host.
import Mocha from 'mocha';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import { SUITE_ENV } from './host-runs';

/** Mocha's lines carry this prefix so the runner can tell them from the workbench's own logging. */
export const REPORT_PREFIX = '[mocha] ';

/**
 * The test files of one host run (host-runs.ts): each run opens a different workspace (a folder, a
 * multi-root workspace, a restricted window), so each loads only its own folder, not the others'.
 */
function findTests(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.js'))
    .map((e) => join(dir, e.name));
}

export function run(): Promise<void> {
  // No colours: the host forwards console output line by line to the runner's log.
  Mocha.reporters.Base.consoleLog = (...data: unknown[]) => console.log(REPORT_PREFIX + format(...data));
  const mocha = new Mocha({ ui: 'tdd', reporter: 'spec', color: false, timeout: 60_000 });
  const grep = process.env.MODELOPS_TEST_GREP;
  if (grep) mocha.grep(grep);
  for (const f of findTests(join(__dirname, process.env[SUITE_ENV] ?? '')).sort()) mocha.addFile(f);
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => {
        if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
        else resolve();
      });
    } catch (e) {
      reject(e instanceof Error ? e : new Error(String(e)));
    }
  });
}
