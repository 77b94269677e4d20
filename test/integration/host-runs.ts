// The extension-host runs of the integration tier and the workspaces they open. No vscode import:
// scripts/test-integration.mjs (and run-electron.ts) build these workspaces before VS Code starts,
// so their stores already exist when the window opens, as a user's would.
import { copyFileSync, cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Run } from '../../src/core/tracking';
import { openStores } from '../../src/store/open';
import type { TrackingStore } from '../../src/store/tracking-store';

export interface HostRun {
  /** Shown by the runner; `--run <id>` runs only this one. */
  readonly id: string;
  /** The folder under out/test/integration whose *.test.js files this run loads ('' = the top level). */
  readonly suite: string;
  /** What the window opens: a folder, or a `.code-workspace` file (multi-root). */
  readonly open: { readonly folder: string } | { readonly workspaceFile: string };
  /** Workspace trust enabled and the workspace not trusted (Restricted Mode); otherwise trust is off. */
  readonly restricted: boolean;
}

/** The environment variable that tells test/integration/index.ts which suite folder to load. */
export const SUITE_ENV = 'MODELOPS_TEST_SUITE';

/** Names the multi-root suite asserts on; the stores below are built to hold them. */
export const MULTI_ROOT = {
  folderA: 'alpha',
  folderB: 'beta',
  /** Folder B's store, set through its own folder settings (the setting is resource-scoped). */
  storePathB: 'store/beta.db',
  experimentB: 'beta-experiment',
  runsB: ['beta-run-2', 'beta-run-1'],
} as const;

/** Builds a finished run with an accuracy metric and a param, started at `startTime`. */
export async function finishedRun(
  tracking: TrackingStore,
  experimentId: string,
  name: string,
  startTime: number,
  accuracy: number,
  parentRunId?: string,
): Promise<Run> {
  const run = await tracking.createRun({ experimentId, runName: name, startTime, parentRunId });
  await tracking.logBatch(run.info.runId, {
    metrics: [{ key: 'accuracy', value: accuracy, timestamp: startTime, step: 0 }],
    params: [{ key: 'n_estimators', value: '100' }],
  });
  await tracking.updateRun(run.info.runId, { status: 'FINISHED', endTime: startTime + 1000 });
  return tracking.getRun(run.info.runId);
}

function copyStore(from: string, to: string): void {
  mkdirSync(join(to, '..'), { recursive: true });
  copyFileSync(from, to);
}

/**
 * Creates the workspaces under `runDir` (fresh each time) and returns the runs, in order: the main
 * suite on a folder with no store, then a two-folder `.code-workspace` whose folders each have their
 * own store, then a folder with a store opened in Restricted Mode.
 */
export async function prepareHostRuns(root: string, runDir: string): Promise<HostRun[]> {
  const fixtures = join(root, 'test', 'fixtures');
  const mlflowDb = join(fixtures, 'mlflow', 'mlflow-2.10.2', 'schema', 'mlflow-after-transcripts.db');

  const single = join(runDir, 'workspace');
  rmSync(single, { recursive: true, force: true });
  mkdirSync(single, { recursive: true });
  cpSync(join(fixtures, 'workspace'), single, { recursive: true });

  // Folder A: the database MLflow wrote (peer-model v2 in Production). Folder B: its own store at a
  // path its folder settings give, with runs that exist nowhere else.
  const multi = join(runDir, 'multi-root');
  rmSync(multi, { recursive: true, force: true });
  const a = join(multi, MULTI_ROOT.folderA);
  const b = join(multi, MULTI_ROOT.folderB);
  copyStore(mlflowDb, join(a, '.modelops', 'mlflow.db'));
  writeFileSync(join(a, 'README.md'), 'Folder A of the multi-root integration run: an editor open on this file puts commands in folder A.\n');
  mkdirSync(join(b, '.vscode'), { recursive: true });
  writeFileSync(join(b, 'README.md'), 'Folder B of the multi-root integration run: it has runs but no registered model.\n');
  writeFileSync(join(b, '.vscode', 'settings.json'), JSON.stringify({ 'modelops.storePath': MULTI_ROOT.storePathB }, null, 2));
  const db = await openStores(join(b, MULTI_ROOT.storePathB));
  try {
    const { tracking } = db;
    const exp = await tracking.createExperiment(MULTI_ROOT.experimentB);
    const t0 = Date.UTC(2026, 0, 1);
    await finishedRun(tracking, exp, MULTI_ROOT.runsB[1], t0, 0.8);
    await finishedRun(tracking, exp, MULTI_ROOT.runsB[0], t0 + 1000, 0.9);
  } finally {
    await db.close();
  }
  const workspaceFile = join(multi, 'two-folders.code-workspace');
  writeFileSync(workspaceFile, JSON.stringify({ folders: [{ path: MULTI_ROOT.folderA }, { path: MULTI_ROOT.folderB }], settings: {} }, null, 2));

  const restricted = join(runDir, 'restricted');
  rmSync(restricted, { recursive: true, force: true });
  copyStore(mlflowDb, join(restricted, '.modelops', 'mlflow.db'));
  copyFileSync(join(fixtures, 'workspace', 'iris.csv'), join(restricted, 'iris.csv'));
  // A repository asking for reruns on data change: Restricted Mode must not watch (restricted.test.ts).
  mkdirSync(join(restricted, '.vscode'), { recursive: true });
  writeFileSync(join(restricted, '.vscode', 'settings.json'), JSON.stringify({ 'modelops.pipeline.rerunOnDataChange': true }, null, 2));
  writeFileSync(join(restricted, 'modelops.pipeline.json'), JSON.stringify({ model: 'peer-model', dataset: 'iris.csv', target: 'species' }, null, 2));

  // A folder with no store of its own: its suite starts a tracking server and points modelops.trackingUri at it.
  const team = join(runDir, 'team-server');
  rmSync(team, { recursive: true, force: true });
  mkdirSync(team, { recursive: true });
  copyFileSync(join(fixtures, 'workspace', 'iris.csv'), join(team, 'iris.csv'));

  return [
    { id: 'folder', suite: '', open: { folder: single }, restricted: false },
    { id: 'multi-root', suite: 'multi-root', open: { workspaceFile }, restricted: false },
    { id: 'restricted', suite: 'restricted', open: { folder: restricted }, restricted: true },
    { id: 'team-server', suite: 'team-server', open: { folder: team }, restricted: false },
  ];
}
