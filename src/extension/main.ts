import type * as vscode from 'vscode';
import type { ModelOpsApi } from './api';
import { ModelOpsExtension } from './extension';

/** Entry point: builds the one composition root; everything it creates is disposed with the extension. */
export function activate(context: vscode.ExtensionContext): ModelOpsApi {
  const ext = new ModelOpsExtension(context);
  context.subscriptions.push(ext);
  return ext.api();
}

export function deactivate(): void {}
