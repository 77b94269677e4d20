// `npm run bench -- <area> [args]` or `node bench/run.mjs <area> [args]`: runs bench/<area>/run.mjs,
// or bundles bench/<area>/run.ts with esbuild (so other areas' type errors don't matter) and runs it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { ensureBenchPeers } from '../scripts/bootstrap-vscode.mjs';

const [area, ...rest] = process.argv.slice(2);
const areas = existsSync('bench')
  ? readdirSync('bench', { withFileTypes: true })
      .filter((d) => d.isDirectory() && d.name !== 'results')
      .map((d) => d.name)
  : [];
if (!area || !areas.includes(area)) {
  console.error(`usage: node bench/run.mjs <area> [args]   (areas: ${areas.join(', ') || 'none'})`);
  process.exit(area ? 1 : 0);
}
// The peers every figure is printed beside (scikit-learn, Optuna, Flask, SciPy) come from Debian.
ensureBenchPeers();
let entry = join('bench', area, 'run.mjs');
if (!existsSync(entry)) {
  const ts = join('bench', area, 'run.ts');
  if (!existsSync(ts)) {
    console.error(`bench/${area} has neither run.mjs nor run.ts`);
    process.exit(1);
  }
  mkdirSync(join('out', 'bench-bundles'), { recursive: true });
  entry = join('out', 'bench-bundles', `${area}.js`);
  await esbuild.build({
    entryPoints: [ts],
    outfile: entry,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    logLevel: 'warning',
    sourcemap: true,
  });
}
const r = spawnSync(process.execPath, ['--enable-source-maps', entry, ...rest], { stdio: 'inherit' });
process.exit(r.status ?? 1);
