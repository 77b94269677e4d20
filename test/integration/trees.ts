// Reading the extension's trees the way the workbench does: getChildren, then getTreeItem.
import type * as vscode from 'vscode';
import type { ModelOpsApi } from '../../src/extension/api';
import type { ExperimentsNode } from '../../src/extension/views/experiments-tree';
import type { ModelsNode } from '../../src/extension/views/models-tree';
import { label } from './fixtures';

export interface Row<N> {
  node: N;
  item: vscode.TreeItem;
  label: string;
  description: string;
}

async function rows<N>(provider: vscode.TreeDataProvider<N>, parent?: N): Promise<Row<N>[]> {
  const nodes = (await provider.getChildren(parent)) ?? [];
  return Promise.all(
    nodes.map(async (node) => {
      const item = await provider.getTreeItem(node);
      return { node, item, label: label(item), description: typeof item.description === 'string' ? item.description : '' };
    }),
  );
}

export function experimentRows(api: ModelOpsApi, parent?: ExperimentsNode): Promise<Row<ExperimentsNode>[]> {
  return rows(api.experiments, parent);
}

export function modelRows(api: ModelOpsApi, parent?: ModelsNode): Promise<Row<ModelsNode>[]> {
  return rows(api.models, parent);
}

export async function childrenOf<N>(provider: vscode.TreeDataProvider<N>, path: string[]): Promise<Row<N>[]> {
  let level = await rows(provider);
  for (const name of path) {
    const row = level.find((r) => r.label === name);
    if (!row) throw new Error(`no '${name}' among ${level.map((r) => r.label).join(', ')}`);
    level = await rows(provider, row.node);
  }
  return level;
}
