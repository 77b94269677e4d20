// Runs inside the real extension host (loaded like the integration suite's index): activates the
// extension on a workspace whose store holds 10,000 runs and times what a user waits for.
import * as vscode from 'vscode';
import type { ModelOpsApi } from '../../src/extension/api';
import type { ExperimentsNode } from '../../src/extension/views/experiments-tree';

const EXTENSION_ID = 'modelops.modelops-vscode';

function line(label: string, ms: number, note = ''): void {
  console.log(`[bench] ${label.padEnd(52)} ${ms.toFixed(1).padStart(9)} ms  ${note}`);
}

export async function run(): Promise<void> {
  const ext = vscode.extensions.getExtension<ModelOpsApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} not found`);
  const wasActive = ext.isActive;
  let t = performance.now();
  const api = wasActive ? ext.exports : await ext.activate();
  line('activate(): build the composition root', api.activationMs, wasActive ? '(activated by workspaceContains:.modelops/mlflow.db)' : '');
  if (!wasActive) line('ext.activate() including loading the bundle', performance.now() - t);

  t = performance.now();
  const roots = (await api.experiments.getChildren()) ?? [];
  line('open the store + list experiments', performance.now() - t, `${roots.length} experiment(s)`);
  const exp = roots.find((n): n is Extract<ExperimentsNode, { kind: 'experiment' }> => n.kind === 'experiment' && n.experiment.name === 'bench-10k');
  if (!exp) throw new Error('bench-10k experiment not listed');

  t = performance.now();
  let children = (await api.experiments.getChildren(exp)) ?? [];
  for (const c of children) await api.experiments.getTreeItem(c);
  const firstPage = performance.now() - t;
  line('expand the experiment: first page of runs', firstPage, `${children.filter((c) => c.kind === 'run').length} runs shown`);

  t = performance.now();
  let pages = 1;
  for (;;) {
    const more = children.find((c) => c.kind === 'loadMore');
    if (!more || more.kind !== 'loadMore') break;
    await vscode.commands.executeCommand('modelops.loadMoreRuns', more);
    children = (await api.experiments.getChildren(exp)) ?? [];
    pages++;
  }
  for (const c of children) await api.experiments.getTreeItem(c);
  const all = performance.now() - t;
  const shown = children.filter((c) => c.kind === 'run').length;
  line('"Load more" until every run is listed', all, `${shown} runs in ${pages} pages`);
  line('  per page (mean)', all / Math.max(1, pages - 1));
  if (shown < 10_000) throw new Error(`only ${shown} runs listed`);
}
