/**
 * The study panel over an Optuna storage file: read-only (the file is only read, and the page
 * offers no action that writes), live (the file is watched and re-read when Optuna commits).
 * One panel per file.
 */
import * as vscode from 'vscode';
import type { StudyContract } from '../../shared/study-protocol';
import { studyContract } from '../../shared/study-protocol';
import { OptunaStudyStore } from '../../store/optuna/optuna-study-store';
import type { WebviewDeps } from './deps';
import type { HostChannel } from './host-channel';
import { connectPanel, Disposer, setPanelHtml } from './panel-shell';
import { loadOptunaStudyState } from './study-data';

export const OPTUNA_STUDY_VIEW_TYPE = 'modelops.optunaStudy';

const READ_ONLY =
  "An Optuna file's study is read-only and has no data: import it with its data (modelops studies import --optuna <file> --data <csv> --target <column>) to train or register.";

export class OptunaStudyPanel {
  private static readonly open = new Map<string, OptunaStudyPanel>();
  private readonly disposer = new Disposer();
  private readonly channel: HostChannel<StudyContract>;
  private readonly store: OptunaStudyStore;
  private loadSeq = 0;

  static createOrShow(extensionUri: vscode.Uri, deps: WebviewDeps, file: string, study?: string): OptunaStudyPanel {
    const existing = OptunaStudyPanel.open.get(file);
    if (existing) {
      existing.panel.reveal(existing.panel.viewColumn);
      if (study !== undefined) existing.selected = study;
      void existing.reload();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(OPTUNA_STUDY_VIEW_TYPE, `Optuna: ${vscode.workspace.asRelativePath(file)}`, vscode.ViewColumn.Active, {
      enableScripts: true,
    });
    return new OptunaStudyPanel(panel, extensionUri, deps, file, study);
  }

  /** After a window reload: the panel of the file it showed (a file gone since shows the reader's error). */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, deps: WebviewDeps, file: string, study: string | undefined): OptunaStudyPanel {
    OptunaStudyPanel.open.get(file)?.dispose();
    return new OptunaStudyPanel(panel, extensionUri, deps, file, study);
  }

  /** The open panels' files (for the tests and the log). */
  static files(): string[] {
    return [...OptunaStudyPanel.open.keys()];
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly deps: WebviewDeps,
    readonly file: string,
    private selected: string | undefined,
  ) {
    OptunaStudyPanel.open.set(file, this);
    this.store = new OptunaStudyStore(file);
    setPanelHtml(panel, extensionUri, 'study', 'Optuna study');
    this.channel = connectPanel(
      panel,
      'study',
      studyContract,
      {
        requests: {
          // Optuna's trials have no ModelOps runs to open.
          'study/openRun': async () => {
            throw new Error('The trials of an Optuna file have no runs; import the study (modelops studies import --optuna) to get them.');
          },
          // Read-only: the page shows no Train or Register for a file, and the host refuses them too.
          'study/trainBest': async () => {
            throw new Error(READ_ONLY);
          },
          'study/registerBest': async () => {
            throw new Error(READ_ONLY);
          },
        },
        notifications: {
          'study/refresh': () => void this.reload(),
          'study/select': ({ name }) => {
            this.selected = name;
            void this.reload();
          },
        },
      },
      // The workspace store's changes are not this file's.
      { deps, disposer: this.disposer, reload: () => this.reload(), onDisposed: () => this.dispose(), onStoreChange: () => undefined },
    );
    const stop = this.store.onDidChange(() => void this.reload());
    this.disposer.add({ dispose: () => (stop(), this.store.close()) });
  }

  private async reload(): Promise<void> {
    const seq = ++this.loadSeq;
    const state = await loadOptunaStudyState(this.store, this.selected);
    if (seq !== this.loadSeq) return;
    this.panel.title = state.detail ? `Optuna study ${state.detail.study.name}` : `Optuna: ${vscode.workspace.asRelativePath(this.file)}`;
    this.channel.notify('study/state', state);
    this.deps.log.info('webview.state', { panel: 'optunaStudy', status: state.status, study: state.detail?.study.name, trials: state.detail?.trials.length });
  }

  dispose(): void {
    if (OptunaStudyPanel.open.get(this.file) === this) OptunaStudyPanel.open.delete(this.file);
    this.disposer.dispose();
    this.panel.dispose();
  }
}
