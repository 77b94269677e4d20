/**
 * The search space editor on the VS Code side: a panel the Tune form opens to edit the space in a
 * table. It resolves once: to the edited space (used for this Tune, or saved as a file first), or
 * to undefined when the panel is closed or cancelled. Every space it takes is checked again here.
 */
import * as vscode from 'vscode';
import { errorMessage, ModelOpsError } from '../../core/errors';
import type { SpaceEditorContract } from '../../shared/space-editor-protocol';
import { spaceEditorContract } from '../../shared/space-editor-protocol';
import type { SearchSpace } from '../../tuning/distributions';
import { SEARCH_SPACE } from '../../tuning/distributions';
import { rowsOfSpace } from '../../shared/space-table';
import type { Log } from '../log';
import { HostChannel } from './host-channel';
import { Disposer, setPanelHtml } from './panel-shell';

export const SPACE_EDITOR_VIEW_TYPE = 'modelops.searchSpaceEditor';

export interface SpaceEdit {
  space: SearchSpace;
  /** The folder-relative file it was saved as (Save), else undefined (Use). */
  file?: string;
}

export interface SpaceEditorStart {
  space: SearchSpace;
  /** `the default ranges`, or the file's folder-relative path. */
  source: string;
  fileName: string;
  /** Checks the names against the members (the host's rule, which the table cannot know). */
  checkNames(space: SearchSpace): void;
  /** Writes the space as that file of the folder; resolves to its folder-relative path. */
  save(fileName: string, space: SearchSpace): Promise<string>;
}

type Outcome = { outcome: 'used' | 'saved' | 'refused'; message: string };

/** An open editor as its page drives it: the integration tests send it the page's requests through the API. */
export interface SpaceEditorSession {
  /** The rows the page was sent (once it said it was ready). */
  readonly shown: boolean;
  use(space: Record<string, unknown>): Promise<Outcome>;
  save(fileName: string, space: Record<string, unknown>): Promise<Outcome>;
  cancel(): void;
}

const openEditors = new Set<SpaceEditorSession>();

/** The open search space editors (the integration tests' seam). */
export function openSpaceEditors(): readonly SpaceEditorSession[] {
  return [...openEditors];
}

/** Opens the editor beside the form and resolves with what it ended with. */
export function editSearchSpace(extensionUri: vscode.Uri, log: Log, start: SpaceEditorStart): Promise<SpaceEdit | undefined> {
  // Retained while hidden: the page holds the edits (the host has only the space it started from).
  const panel = vscode.window.createWebviewPanel(SPACE_EDITOR_VIEW_TYPE, 'Search Space', vscode.ViewColumn.Active, {
    enableScripts: true,
    retainContextWhenHidden: true,
  });
  setPanelHtml(panel, extensionUri, 'space', 'Search Space');
  const disposer = new Disposer();
  return new Promise((resolve) => {
    let done = false;
    const finish = (edit: SpaceEdit | undefined): void => {
      if (done) return;
      done = true;
      resolve(edit);
      disposer.dispose();
      panel.dispose();
    };
    /** The host's check of what the table sends: the file's check, then the member names. */
    const checked = (space: Record<string, unknown>): SearchSpace => {
      const parsed = SEARCH_SPACE(space, 'search space');
      start.checkNames(parsed);
      return parsed;
    };
    const refusal = (e: unknown): { outcome: 'refused'; message: string } => {
      if (!(e instanceof ModelOpsError)) log.error('space.editor.failed', e);
      return { outcome: 'refused', message: e instanceof ModelOpsError ? e.message : errorMessage(e) };
    };
    const session = {
      shown: false,
      use: async (space: Record<string, unknown>): Promise<Outcome> => {
        try {
          const edit = { space: checked(space) };
          setTimeout(() => finish(edit), 0); // after the answer is posted
          return { outcome: 'used', message: 'Using this search space for the Tune.' };
        } catch (e) {
          return refusal(e);
        }
      },
      save: async (fileName: string, space: Record<string, unknown>): Promise<Outcome> => {
        try {
          const parsed = checked(space);
          const file = await start.save(fileName, parsed);
          setTimeout(() => finish({ space: parsed, file }), 0);
          return { outcome: 'saved', message: `Saved as ${file}.` };
        } catch (e) {
          return refusal(e);
        }
      },
      cancel: () => finish(undefined),
    };
    const channel = new HostChannel<SpaceEditorContract>(
      { postMessage: (m) => panel.webview.postMessage(m), onDidReceiveMessage: (l) => panel.webview.onDidReceiveMessage(l) },
      spaceEditorContract,
      {
        requests: { 'space/use': ({ space }) => session.use(space), 'space/save': ({ space, fileName }) => session.save(fileName, space) },
        notifications: { 'space/cancel': () => session.cancel() },
        onReady: () => {
          channel.notify('space/state', { rows: rowsOfSpace(start.space), source: start.source, fileName: start.fileName });
          session.shown = true;
          log.info('webview.ready', { panel: 'space' });
        },
        onRequestDone: (method, ms, error) =>
          error === undefined
            ? log.info('webview.request', { panel: 'space', method, ms })
            : log.error('webview.request.failed', error, { panel: 'space', method, ms }),
        onProblem: (message) => log.error('webview.space.protocol', new Error(message)),
      },
    );
    openEditors.add(session);
    disposer.add({ dispose: () => openEditors.delete(session) });
    disposer.add({ dispose: () => channel.dispose() });
    disposer.add(panel.onDidDispose(() => finish(undefined)));
  });
}
