// Bundles the extension host entry, the CLI and the worker scripts; copies sql.js's wasm and the
// pyfunc loader (python/modelops_pyfunc, written into every saved model's code/) beside them.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

mkdirSync('dist', { recursive: true });
copyFileSync(require.resolve('sql.js/dist/sql-wasm.wasm'), 'dist/sql-wasm.wasm');
rmSync('dist/pyfunc', { recursive: true, force: true });
mkdirSync('dist/pyfunc/modelops_pyfunc', { recursive: true });
for (const f of readdirSync('python/modelops_pyfunc').filter((n) => n.endsWith('.py')))
  copyFileSync(`python/modelops_pyfunc/${f}`, `dist/pyfunc/modelops_pyfunc/${f}`);

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  external: ['vscode'],
};

const entries = [
  { entryPoints: ['src/extension/main.ts'], outfile: 'dist/extension.js' },
  { entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // Random-forest worker threads: resolved beside the bundle that starts them (src/ml/forest/grow-trees.ts).
  { entryPoints: ['src/ml/forest/forest-worker.ts'], outfile: 'dist/forest-worker.js' },
  // kNN brute-force search threads: resolved beside the bundle too (src/ml/knn/brute-search.ts).
  { entryPoints: ['src/ml/knn/knn-worker.ts'], outfile: 'dist/knn-worker.js' },
  // Parallel scoring for large predictions: resolved beside the bundle too (src/pipeline/parallel-score.ts).
  { entryPoints: ['src/pipeline/predict-worker.ts'], outfile: 'dist/predict-worker.js' },
  // Parallel tuning trials (--n-jobs): resolved beside the bundle too (src/pipeline/tune-pool.ts).
  { entryPoints: ['src/pipeline/tune-worker.ts'], outfile: 'dist/tune-worker.js' },
];

// Webview front ends (browser code): one script + one stylesheet per panel, into dist/webview/.
const webview = {
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: ['chrome114'],
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  entryPoints: {
    compare: 'webview-ui/src/compare/main.ts',
    promotion: 'webview-ui/src/promotion/main.ts',
    runs: 'webview-ui/src/runs/main.ts',
    run: 'webview-ui/src/run/main.ts',
    study: 'webview-ui/src/study/main.ts',
    space: 'webview-ui/src/space/main.ts',
  },
  outdir: 'dist/webview',
};

const contexts = await Promise.all([...entries.map((e) => esbuild.context({ ...common, ...e })), esbuild.context(webview)]);
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
