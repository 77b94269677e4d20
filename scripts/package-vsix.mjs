// `npm run package`: the production bundle, then `vsce package` (run with Node 24, which vsce 4
// needs) into modelops-vscode-<version>.vsix. `.vscodeignore` is an allow-list, so the .vsix holds
// only the bundle, its wasm and workers, the webview assets, media and the manifest files.
//
// usage: node scripts/package-vsix.mjs [--out <file.vsix>]
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bootstrap, node24Env, ROOT } from './bootstrap-vscode.mjs';

const argv = process.argv.slice(2);
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const outAt = argv.indexOf('--out');
const out = outAt >= 0 ? resolve(argv[outAt + 1]) : join(ROOT, `${pkg.name}-${pkg.version}.vsix`);

function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const tools = bootstrap({ codeServer: false, browser: false });
// vsce runs the manifest's `vscode:prepublish` (the production bundle) before packaging.
run(tools.node24, [tools.vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', out], node24Env());
console.log(out);
