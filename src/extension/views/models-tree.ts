import * as vscode from 'vscode';
import type { ModelVersion, RegisteredModel } from '../../core/registry';
import type { Stage } from '../../core/stages';
import { ORPHAN_TAG, VALIDATION_TAG } from '../../store/run-owner';
import { Config } from '../config';
import type { Log } from '../log';
import type { OpenStore } from '../store-session';
import type { StoreSessions } from '../store-sessions';
import { folderItem, NO_STORE_YET } from './folder-item';
import { messageItem } from './message-item';
import { formatMetric, metricValue } from './run-format';
import type { Rejection } from '../../registry/review-state';
import { standingRejection } from '../../registry/review-state';

/** Every node carries its workspace folder's key (its URI): commands on it use that folder's store. */
export type ModelsNode =
  | { kind: 'folder'; folder: string }
  | { kind: 'model'; folder: string; model: RegisteredModel }
  | { kind: 'version'; folder: string; version: ModelVersion; metric: number | undefined; rejected?: Rejection }
  | { kind: 'message'; folder?: string; text: string; detail?: string; icon: string };

export const STAGE_ICON: Record<Stage, { icon: string; color?: string }> = {
  Production: { icon: 'rocket', color: 'charts.green' },
  Staging: { icon: 'beaker', color: 'charts.yellow' },
  None: { icon: 'circle-outline' },
  Archived: { icon: 'archive', color: 'disabledForeground' },
};

/**
 * Registered models → versions (newest first) with stage, aliases and the primary metric of the source
 * run; in a multi-root workspace under one node per folder.
 */
export class ModelsTreeProvider implements vscode.TreeDataProvider<ModelsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ModelsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly sessions: StoreSessions,
    private readonly log: Log,
  ) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(node: ModelsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'folder': {
        const session = this.sessions.byKey(node.folder);
        return session ? folderItem(session, 'models') : messageItem('Folder closed', undefined, 'warning');
      }
      case 'model': {
        const m = node.model;
        const item = new vscode.TreeItem(m.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `model:${node.folder}:${m.name}`;
        const prod = m.latestVersions.find((v) => v.currentStage === 'Production');
        item.description = prod ? `Production v${prod.version}` : `${m.latestVersions.length > 0 ? 'no Production version' : 'no versions'}`;
        item.iconPath = new vscode.ThemeIcon('package');
        item.contextValue = 'model';
        const aliases = m.aliases.map((a) => `@${a.alias} → v${a.version}`).join(', ');
        item.tooltip = [m.name, m.description, aliases].filter((s) => s).join('\n');
        return item;
      }
      case 'version': {
        const v = node.version;
        const item = new vscode.TreeItem(`Version ${v.version}`, vscode.TreeItemCollapsibleState.None);
        item.id = `version:${node.folder}:${v.name}:${v.version}`;
        const parts: string[] = [v.currentStage];
        if (v.aliases.length > 0) parts.push(v.aliases.map((a) => `@${a}`).join(' '));
        const metric = formatMetric(Config.primaryMetric(), node.metric);
        if (metric) parts.push(metric);
        const validation = v.tags.find((t) => t.key === VALIDATION_TAG)?.value;
        if (validation === 'interrupted') parts.push('validation interrupted');
        else if (validation === 'running') parts.push('validating…');
        if (node.rejected) parts.push('rejected');
        item.description = parts.join(' · ');
        const icon = STAGE_ICON[v.currentStage] ?? STAGE_ICON.None;
        item.iconPath = new vscode.ThemeIcon(icon.icon, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
        item.contextValue = `modelVersion.${v.currentStage}`;
        // Names, sources and descriptions are the store's data: text, never Markdown (no links or images from a name).
        const md = new vscode.MarkdownString();
        md.appendText(`${v.name} version ${v.version} · ${v.currentStage}\n\n`);
        if (v.runId) md.appendText(`Source run ${v.runId}\n\n`);
        md.appendText(`Source ${v.source}\n\n`);
        if (v.aliases.length > 0) md.appendText(`Aliases: ${v.aliases.map((a) => `@${a}`).join(', ')}\n\n`);
        const orphaned = v.tags.find((t) => t.key === ORPHAN_TAG)?.value;
        if (validation === 'interrupted' && orphaned) md.appendText(`${orphaned}\n\n`);
        if (node.rejected)
          md.appendText(
            `Rejected by ${node.rejected.by} (${new Date(node.rejected.at).toISOString().slice(0, 16).replace('T', ' ')} UTC): ${node.rejected.comment}\n\nValidate it again to clear the rejection.\n\n`,
          );
        if (v.description) md.appendText(v.description);
        item.tooltip = md;
        return item;
      }
      case 'message':
        return messageItem(node.text, node.detail, node.icon);
    }
  }

  async getChildren(node?: ModelsNode): Promise<ModelsNode[]> {
    try {
      if (!node) {
        // One folder looks as before multi-root support: its models at the top level.
        if (this.sessions.multiRoot) return this.sessions.all().map((s) => ({ kind: 'folder', folder: s.key }));
        const only = this.sessions.first();
        return only ? await this.getChildren({ kind: 'folder', folder: only.key }) : [];
      }
      if (node.kind === 'message' || node.kind === 'version') return [];
      const folder = node.folder;
      const session = this.sessions.byKey(folder);
      const store = await session?.get();
      if (!session || !store) {
        if (session?.state.kind === 'error')
          return [{ kind: 'message', folder, text: 'The store could not be opened', detail: session.state.error.message, icon: 'error' }];
        return session && this.sessions.multiRoot && node.kind === 'folder' ? [{ kind: 'message', folder, ...NO_STORE_YET }] : [];
      }
      if (node.kind === 'folder') return (await listModels(store)).map((model) => ({ kind: 'model', folder, model }));
      return await this.versions(store, folder, node.model.name);
    } catch (e) {
      this.log.error('tree.models.failed', e);
      return [{ kind: 'message', text: 'Could not read the registry', detail: e instanceof Error ? e.message : String(e), icon: 'error' }];
    }
  }

  private async versions(store: OpenStore, folder: string, name: string): Promise<ModelsNode[]> {
    const versions = await listVersions(store, name);
    const metricKey = Config.primaryMetric();
    // A rejection stands until the next validation: read from the model's audit trail once.
    const trail = await store.registry.getAuditTrail(name).catch(() => []);
    const out: ModelsNode[] = [];
    for (const version of versions) {
      let metric: number | undefined;
      if (version.runId) {
        try {
          metric = metricValue(await store.tracking.getRun(version.runId), metricKey);
        } catch {
          metric = undefined; // the source run may live in another store
        }
      }
      const rejected = standingRejection(trail, version.version);
      out.push({ kind: 'version', folder, version, metric, ...(rejected ? { rejected } : {}) });
    }
    return out;
  }

  /** The node of a version, for reveal(); undefined when the folder's store or the version is gone. */
  async nodeForVersion(folder: string, name: string, version: string): Promise<ModelsNode | undefined> {
    const store = await this.sessions.byKey(folder)?.get();
    if (!store) return undefined;
    const found = (await this.versions(store, folder, name)).find((n) => n.kind === 'version' && n.version.version === version);
    return found;
  }

  /** reveal() walks up: a version to its model, a model to its folder's node in a multi-root workspace. */
  async getParent(node: ModelsNode): Promise<ModelsNode | undefined> {
    if (node.kind === 'folder' || node.kind === 'message') return undefined;
    if (node.kind === 'model') return this.sessions.multiRoot ? { kind: 'folder', folder: node.folder } : undefined;
    const store = await this.sessions.byKey(node.folder)?.get();
    if (!store) return undefined;
    return { kind: 'model', folder: node.folder, model: await store.registry.getRegisteredModel(node.version.name) };
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export async function listModels(store: OpenStore): Promise<RegisteredModel[]> {
  const out: RegisteredModel[] = [];
  let token: string | undefined;
  do {
    const page = await store.registry.searchRegisteredModels({ maxResults: 1000, orderBy: ['name ASC'], pageToken: token });
    out.push(...page.items);
    token = page.nextPageToken;
  } while (token);
  return out;
}

export async function listVersions(store: OpenStore, name: string): Promise<ModelVersion[]> {
  const page = await store.registry.searchModelVersions({ filter: `name = '${name.replace(/'/g, "\\'")}'`, maxResults: 10000 });
  return [...page.items].sort((a, b) => Number(b.version) - Number(a.version));
}
