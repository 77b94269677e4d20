/** The study panel on the VS Code side: one panel per workspace folder, showing one study at a time. */
import * as vscode from 'vscode';
import type { StudyContract } from '../../shared/study-protocol';
import { studyContract } from '../../shared/study-protocol';
import type { WebviewDeps } from './deps';
import { PANEL_ACTIONS } from './deps';
import type { HostChannel } from './host-channel';
import { connectPanel, Disposer, runRegisteredCommand, setPanelHtml } from './panel-shell';
import { bestModelRun, loadStudyState } from './study-data';
import { bestTrialOf } from '../../tuning/trial';

export const STUDY_VIEW_TYPE = 'modelops.openStudy';

export class StudyPanel {
  private static readonly open = new Map<string, StudyPanel>();
  private readonly disposer = new Disposer();
  private readonly channel: HostChannel<StudyContract>;
  private loadSeq = 0;

  /** `study`: the study to show (undefined: the one shown, else the newest). */
  static createOrShow(extensionUri: vscode.Uri, deps: WebviewDeps, study: string | undefined, folder?: string): StudyPanel {
    const existing = StudyPanel.open.get(folder ?? '');
    if (existing) {
      existing.panel.reveal(existing.panel.viewColumn);
      if (study !== undefined) existing.selected = study;
      void existing.reload();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(STUDY_VIEW_TYPE, 'Studies', vscode.ViewColumn.Active, { enableScripts: true });
    return new StudyPanel(panel, extensionUri, deps, study, folder);
  }

  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, deps: WebviewDeps, study: string | undefined): StudyPanel {
    StudyPanel.open.get('')?.dispose();
    return new StudyPanel(panel, extensionUri, deps, study);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly deps: WebviewDeps,
    private selected: string | undefined,
    private readonly folder: string | undefined = undefined,
  ) {
    StudyPanel.open.set(folder ?? '', this);
    setPanelHtml(panel, extensionUri, 'study', 'Studies');
    this.channel = connectPanel(
      panel,
      'study',
      studyContract,
      {
        requests: {
          'study/openRun': async ({ runId }) => {
            await runRegisteredCommand(PANEL_ACTIONS.openRun, { runId, folder: this.folder });
            return {};
          },
          // The same command as the palette's: the training form opens filled from the study.
          'study/trainBest': async ({ name }) => {
            const result = await runRegisteredCommand(PANEL_ACTIONS.trainStudyBest, {
              study: name,
              ...(this.folder !== undefined ? { folder: this.folder } : {}),
            });
            return result ? { message: `Trained the best params of ${name} as a full run.` } : {};
          },
          'study/registerBest': ({ name }) => this.registerBest(name),
        },
        notifications: {
          'study/refresh': () => void this.reload(),
          'study/select': ({ name }) => {
            this.selected = name;
            void this.reload();
          },
        },
      },
      { deps, disposer: this.disposer, reload: () => this.reload(), onDisposed: () => this.dispose() },
    );
  }

  /** The run is looked up again here: the page's copy may be older than the store. */
  private async registerBest(name: string): Promise<{ message?: string }> {
    const stores = await this.deps.stores(this.folder);
    const found = stores?.studies ? await stores.studies.getStudy(name) : undefined;
    if (!stores || !found) throw new Error(`The study ${name} is not in this workspace's store.`);
    const best = bestTrialOf(found.trials, found.study.direction);
    if (!best) throw new Error(`No trial of ${name} has completed: there is no best trial to register.`);
    const run = await bestModelRun(stores.tracking, found.study, best);
    if ('note' in run) throw new Error(run.note);
    const result = await runRegisteredCommand(PANEL_ACTIONS.registerModel, { runId: run.runId, ...(this.folder !== undefined ? { folder: this.folder } : {}) });
    return result ? { message: `Registered the model of trial #${run.trial} (run ${run.runName}).` } : {};
  }

  private async reload(): Promise<void> {
    const seq = ++this.loadSeq;
    const stores = await this.deps.stores(this.folder).catch(() => undefined);
    const state = await loadStudyState(stores?.studies, this.selected, stores?.tracking);
    if (seq !== this.loadSeq) return;
    this.panel.title = state.detail ? `Study ${state.detail.study.name}` : 'Studies';
    this.channel.notify('study/state', state);
    this.deps.log.info('webview.state', { panel: 'study', status: state.status, study: state.detail?.study.name, trials: state.detail?.trials.length });
  }

  dispose(): void {
    if (StudyPanel.open.get(this.folder ?? '') === this) StudyPanel.open.delete(this.folder ?? '');
    this.disposer.dispose();
    this.panel.dispose();
  }
}
