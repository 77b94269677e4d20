import * as vscode from 'vscode';

/**
 * Every prompt and message the commands use goes through this seam, so integration tests can
 * answer quick picks and read messages while the command itself runs unchanged in the real host.
 */
export interface Ui {
  pickOne<T extends vscode.QuickPickItem>(items: T[], options: { title: string; placeHolder?: string }): Promise<T | undefined>;
  pickMany<T extends vscode.QuickPickItem>(items: T[], options: { title: string; placeHolder?: string }): Promise<T[] | undefined>;
  /** Which workspace folder (multi-root), as `showWorkspaceFolderPick`; undefined when dismissed. */
  pickFolder(title: string): Promise<vscode.WorkspaceFolder | undefined>;
  input(options: { title: string; prompt?: string; value?: string; placeHolder?: string; password?: boolean }): Promise<string | undefined>;
  /** A modal confirmation; resolves true only when the user chose `confirmLabel`. */
  confirm(message: string, detail: string, confirmLabel: string): Promise<boolean>;
  info(message: string, ...actions: string[]): Promise<string | undefined>;
  error(message: string, ...actions: string[]): Promise<string | undefined>;
}

export const vscodeUi: Ui = {
  async pickOne(items, options) {
    return vscode.window.showQuickPick(items, { title: options.title, placeHolder: options.placeHolder, ignoreFocusOut: true });
  },
  async pickMany(items, options) {
    return vscode.window.showQuickPick(items, {
      title: options.title,
      placeHolder: options.placeHolder,
      canPickMany: true,
      ignoreFocusOut: true,
    });
  },
  async pickFolder(title) {
    return vscode.window.showWorkspaceFolderPick({ placeHolder: title, ignoreFocusOut: true });
  },
  async input(options) {
    return vscode.window.showInputBox({ ...options, ignoreFocusOut: true });
  },
  async confirm(message, detail, confirmLabel) {
    const choice = await vscode.window.showWarningMessage(message, { modal: true, detail }, confirmLabel);
    return choice === confirmLabel;
  },
  async info(message, ...actions) {
    return vscode.window.showInformationMessage(message, ...actions);
  },
  async error(message, ...actions) {
    return vscode.window.showErrorMessage(message, ...actions);
  },
};
