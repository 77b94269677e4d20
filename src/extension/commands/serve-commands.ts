import * as vscode from 'vscode';
import type { ModelUri } from '../../core/model-uri';
import type { Serving } from '../serving';
import type { ModelServing } from '../serving';
import type { CommandDeps } from './run-commands';
import { sessionFor, targetVersion } from './run-commands';

export interface ServeDeps extends CommandDeps {
  serving: ModelServing;
}

interface ServeChoice extends vscode.QuickPickItem {
  uri: ModelUri;
}

/**
 * Serve Model…: a version from the Models tree (or picked) over MLflow's scoring protocol on
 * loopback — that version only, or its stage / alias, which the server follows as the registry
 * moves. `how` (tests, keybindings) names the choice: 'version', 'Production', '@champion'.
 */
export async function serveModel(deps: ServeDeps, arg: unknown, how?: unknown): Promise<Serving | undefined> {
  const session = await sessionFor(deps, arg);
  if (!session) return undefined;
  const target = await targetVersion(deps, session, arg);
  if (!target) return undefined;
  const store = await session.getOrCreate();
  const v = await store.registry.getModelVersion(target.name, target.version);
  const choices: ServeChoice[] = [
    { label: `Version ${v.version}`, description: 'this version only', uri: { kind: 'version', name: v.name, version: v.version } },
    ...(v.currentStage === 'Production' || v.currentStage === 'Staging'
      ? [
          {
            label: v.currentStage,
            description: `follows ${v.currentStage}: the next version promoted there is served without a restart`,
            uri: { kind: 'stage', name: v.name, stage: v.currentStage } as ModelUri,
          },
        ]
      : []),
    ...v.aliases.map((a): ServeChoice => ({
      label: `@${a}`,
      description: `follows the alias @${a} wherever it is moved`,
      uri: { kind: 'alias', name: v.name, alias: a },
    })),
  ];
  const pick =
    typeof how === 'string'
      ? choices.find((c) => c.label === how || (how === 'version' && c.uri.kind === 'version'))
      : choices.length === 1
        ? choices[0]
        : await deps.ui().pickOne(choices, { title: `Serve ${v.name}: which version?`, placeHolder: 'A stage or alias follows the registry' });
  if (!pick) return undefined;
  const serving = await deps.serving.start(session.key, store, pick.uri, session.folder.uri.fsPath);
  void deps
    .ui()
    .info(`Serving ${serving.follower.current().servedBy} (${serving.uri}) at ${serving.url}/invocations — MLflow's scoring protocol.`, 'Copy URL')
    .then((choice) => (choice === 'Copy URL' ? vscode.env.clipboard.writeText(`${serving.url}/invocations`) : undefined));
  return serving;
}

/** Stop Serving Model: the one running, or the one picked. */
export async function stopServing(deps: ServeDeps, arg?: unknown): Promise<boolean> {
  const all = deps.serving.all();
  if (all.length === 0) {
    void deps.ui().info('ModelOps is not serving any model.');
    return false;
  }
  const named = typeof arg === 'string' ? all.find((s) => s.uri === arg || s.url === arg) : undefined;
  const pick =
    named ??
    (all.length === 1
      ? all[0]
      : (
          await deps.ui().pickOne(
            all.map((s) => ({ label: s.uri, description: s.url, serving: s })),
            { title: 'Stop serving which model?' },
          )
        )?.serving);
  if (!pick) return false;
  await deps.serving.stop(pick.key);
  void deps.ui().info(`Stopped serving ${pick.uri} (${pick.url}).`);
  return true;
}
