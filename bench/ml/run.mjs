// `node bench/run.mjs ml [--quick] [--only iris,synthetic_50k]`: bundles bench/ml/bench.ts and the
// forest and kNN workers side by side (so worker threads are used, as in dist/), then runs the comparison with scikit-learn.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

const outDir = join('out', 'bench-bundles', 'ml');
mkdirSync(outDir, { recursive: true });
const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], logLevel: 'warning', sourcemap: true };
await esbuild.build({ ...common, entryPoints: ['bench/ml/bench.ts'], outfile: join(outDir, 'bench.js') });
await esbuild.build({ ...common, entryPoints: ['src/ml/forest/forest-worker.ts'], outfile: join(outDir, 'forest-worker.js') });
await esbuild.build({ ...common, entryPoints: ['src/ml/knn/knn-worker.ts'], outfile: join(outDir, 'knn-worker.js') });
const r = spawnSync(process.execPath, ['--enable-source-maps', join(outDir, 'bench.js'), ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
