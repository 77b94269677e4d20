import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './repo-paths';

/**
 * Debian's python3, where the harness installs python3-numpy/-pandas/-yaml/-scipy (scripts/bootstrap-vscode.mjs);
 * `MODELOPS_PYTHON` overrides it. A test that needs it skips only when there is no python3 at all.
 */
export const PYTHON = process.env.MODELOPS_PYTHON ?? '/usr/bin/python3';

/** Why the Python tests cannot run here, or undefined when they can; throws when python3 lacks a module. */
export function pythonSkipReason(modules: readonly string[] = ['numpy', 'pandas', 'yaml']): string | undefined {
  if (!existsSync(PYTHON)) return `no python3 at ${PYTHON} (set MODELOPS_PYTHON to another interpreter)`;
  const r = spawnSync(PYTHON, ['-c', modules.map((m) => `import ${m}`).join(';')], { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(
      `${PYTHON} lacks ${modules.join('/')} (${r.stderr.trim().split('\n').at(-1)}); npm test installs them: apt-get install -y python3-numpy python3-pandas python3-yaml python3-scipy`,
    );
  }
  return undefined;
}

/** Runs a Python file of the repository (`test/python/<name>`) with arguments; throws with its stderr on failure. */
export function runPython(script: string, args: string[], options: { cwd?: string } = {}): string {
  const r = spawnSync(PYTHON, [join(repoRoot(), 'test', 'python', script), ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...options });
  if (r.status !== 0) throw new Error(`${script} exited with ${r.status ?? r.signal}:\n${r.stderr}`);
  return r.stdout;
}
