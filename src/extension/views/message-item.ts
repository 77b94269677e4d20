import * as vscode from 'vscode';

/** A non-interactive row that says why a view has nothing to show (e.g. the store is corrupt). */
export function messageItem(text: string, detail: string | undefined, icon: string): vscode.TreeItem {
  const item = new vscode.TreeItem(text, vscode.TreeItemCollapsibleState.None);
  item.description = detail;
  item.tooltip = detail ? `${text}: ${detail}` : text;
  item.iconPath = new vscode.ThemeIcon(icon, icon === 'error' ? new vscode.ThemeColor('errorForeground') : undefined);
  item.contextValue = 'message';
  item.command = { command: 'modelops.showOutput', title: 'Show Output' };
  return item;
}
