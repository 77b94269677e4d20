import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ModelOpsApi } from '../../src/extension/api';
import type { StoreSession } from '../../src/extension/store-session';

export const EXTENSION_ID = 'modelops.modelops-vscode';

/** Activates the extension under test and returns its API. */
export async function activateExtension(): Promise<ModelOpsApi> {
  const ext = vscode.extensions.getExtension<ModelOpsApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed in this host`);
  return ext.activate();
}

export function extensionPackageJson(): { contributes: { commands: { command: string }[] } } {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext);
  return ext.packageJSON as { contributes: { commands: { command: string }[] } };
}

/** The first (in a single-folder run, the only) workspace folder's store session. */
export function firstSession(api: ModelOpsApi): StoreSession {
  const session = api.sessions.first();
  assert.ok(session, 'the suite runs in a folder');
  return session;
}
