import * as path from 'node:path';
import * as vscode from 'vscode';
import { errorMessage } from '../core/errors';
import { readPipelineFile } from '../pipeline/retraining/pipeline-file';
import { PIPELINE_GLOB } from './commands/pipeline-commands';
import { COMMAND } from './commands/ids';
import { Config } from './config';
import type { Log } from './log';

/** Changes of a dataset file settle (an editor's save, a copy in several writes) before the rerun starts. */
const SETTLE_MS = 2000;

/**
 * `modelops.pipeline.rerunOnDataChange` (off by default): runs a folder's retraining pipelines
 * again when their dataset file changes on disk. One watcher per pipeline file's dataset, rebuilt
 * when a pipeline file or the setting changes; a rerun never overlaps the run of the same file.
 */
export class PipelineWatcher implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private datasetWatchers: vscode.Disposable[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<string>();
  /** Bumped by every rebuild, so a slower earlier one does not add its watchers too. */
  private generation = 0;

  constructor(private readonly log: Log) {
    const files = vscode.workspace.createFileSystemWatcher(PIPELINE_GLOB);
    this.disposables.push(
      files,
      files.onDidChange(() => void this.rebuild()),
      files.onDidCreate(() => void this.rebuild()),
      files.onDidDelete(() => void this.rebuild()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('modelops.pipeline.rerunOnDataChange')) void this.rebuild();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.rebuild()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.rebuild()),
    );
    void this.rebuild();
  }

  private async rebuild(): Promise<void> {
    const generation = ++this.generation;
    const files: string[] = [];
    // A cloned repository's settings must not start training in Restricted Mode (the setting is also a restricted configuration).
    if (!vscode.workspace.isTrusted) {
      this.log.info('pipeline.watch.off', { reason: 'Restricted Mode' });
      return;
    }
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (!Config.rerunPipelineOnDataChange(folder)) continue;
      const pipelines = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, PIPELINE_GLOB), '{**/node_modules/**,**/.modelops/**}', 100);
      files.push(...pipelines.map((f) => f.fsPath));
    }
    if (generation !== this.generation) return;
    for (const w of this.datasetWatchers) w.dispose();
    this.datasetWatchers = [];
    for (const file of files) this.watchDataset(file);
  }

  private watchDataset(pipelineFile: string): void {
    let dataset: string;
    try {
      dataset = readPipelineFile(pipelineFile).dataset;
    } catch (e) {
      this.log.warn('pipeline.watch.skipped', { file: pipelineFile, error: errorMessage(e) });
      return;
    }
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(dataset)), path.basename(dataset)));
    const changed = (): void => this.schedule(pipelineFile, dataset);
    this.datasetWatchers.push(watcher, watcher.onDidChange(changed), watcher.onDidCreate(changed));
    this.log.info('pipeline.watch', { file: pipelineFile, dataset });
  }

  private schedule(pipelineFile: string, dataset: string): void {
    clearTimeout(this.timers.get(pipelineFile));
    this.timers.set(
      pipelineFile,
      setTimeout(() => {
        this.timers.delete(pipelineFile);
        if (this.running.has(pipelineFile)) {
          this.log.info('pipeline.rerun.skipped', { file: pipelineFile, reason: 'a run of this pipeline is in progress' });
          return;
        }
        this.running.add(pipelineFile);
        this.log.info('pipeline.rerun', { file: pipelineFile, dataset });
        void Promise.resolve(vscode.commands.executeCommand(COMMAND.runRetrainingPipeline, vscode.Uri.file(pipelineFile))).finally(() =>
          this.running.delete(pipelineFile),
        );
      }, SETTLE_MS),
    );
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const d of [...this.datasetWatchers, ...this.disposables]) d.dispose();
    this.datasetWatchers = [];
  }
}
