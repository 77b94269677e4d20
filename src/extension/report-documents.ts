import * as vscode from 'vscode';
import { formatReport } from '../registry/report';
import type { ValidationReport } from '../registry/report';

export const REPORT_SCHEME = 'modelops-report';

/**
 * Validation reports as read-only virtual documents: opened from "Show Report", they are not
 * Untitled buffers that ask to be saved when closed (the report itself is already in the store).
 */
export class ReportDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  /** Fired when a document is shown again with new text (a second validation of the same report name). */
  readonly onDidChange = this.changed.event;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, this);

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? `This report is no longer open: validate the version again or read it in Review for Production.\n`;
  }

  uriFor(report: ValidationReport): vscode.Uri {
    const name = encodeURIComponent(report.name);
    return vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${name} v${report.version} validation ${report.reportId.slice(0, 8)}.txt` });
  }

  show(report: ValidationReport): Promise<vscode.TextEditor> {
    return this.showText(this.uriFor(report), formatReport(report));
  }

  /** Any read-only text (a model's history): `file` names the tab. */
  showNamed(file: string, text: string): Promise<vscode.TextEditor> {
    return this.showText(vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${file}` }), text);
  }

  private async showText(uri: vscode.Uri, text: string): Promise<vscode.TextEditor> {
    this.texts.set(uri.toString(), text);
    this.changed.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    return vscode.window.showTextDocument(doc, { preview: true });
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
    this.texts.clear();
  }
}
