import type { Log } from './log';
import type { PredictionDecorations } from './predictions/decorations';
import type { StoreSessions } from './store-sessions';
import type { Ui } from './ui';
import type { ExperimentsNode } from './views/experiments-tree';
import type { ExperimentsTreeProvider } from './views/experiments-tree';
import type { ModelsTreeProvider } from './views/models-tree';
import type { RunPanel } from './webviews/run-panel';
import type { RunsPanel } from './webviews/runs-panel';
import type { SpaceEditorSession } from './webviews/space-editor-panel';

/**
 * What activate() returns. Other extensions get nothing useful from it; the integration tests and
 * the benchmark use it to read the trees and to answer prompts through the Ui seam.
 */
export interface ModelOpsApi {
  readonly log: Log;
  /** Milliseconds activate() took. */
  readonly activationMs: number;
  readonly experiments: ExperimentsTreeProvider;
  readonly models: ModelsTreeProvider;
  /** One store session per workspace folder. */
  readonly sessions: StoreSessions;
  /** Inline predictions shown in CSV editors. */
  readonly decorations: PredictionDecorations;
  /** What is selected in the Experiments view (e.g. the run Show Runs revealed). */
  experimentsSelection(): readonly ExperimentsNode[];
  /** Titles of the progress notifications on screen now (none while a command still asks its questions). */
  progressTitles(): readonly string[];
  /** Cancels every command in flight, as its notification's Cancel button does. */
  cancelRunningCommands(): void;
  /** The tracking server's URL while it runs (Start Tracking Server), else undefined. */
  trackingServerUrl(): string | undefined;
  /** The Production status bar item's text, undefined while hidden. */
  statusBarText(): string | undefined;
  /** The serving status bar item's text (the served version and URL), undefined while nothing is served. */
  servingText(): string | undefined;
  /** Replace the prompt/message seam (tests); returns the previous one. */
  setUi(ui: Ui): Ui;
  /** The open runs tables and run pages: the tests send them requests as their pages would. */
  readonly runExplorer: { tables(): readonly RunsPanel[]; runPages(): readonly RunPanel[] };
  /** The Tune form's open search space editors: the tests send them what their pages would. */
  spaceEditors(): readonly SpaceEditorSession[];
}
