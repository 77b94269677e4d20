import * as vscode from 'vscode';

/** One scored row of a CSV shown in the editor: where, what, and (classification) the probabilities. */
export interface RowPrediction {
  /** 0-based line where the row starts in the CSV document. */
  line: number;
  prediction: string;
  probabilities?: { label: string; p: number }[];
}

/** Markdown for the hover: the prediction and a table of class probabilities, highest first. */
export function hoverMarkdown(model: string, row: RowPrediction): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**Prediction:** \`${row.prediction}\` — ${model}\n\n`);
  if (row.probabilities && row.probabilities.length > 0) {
    md.appendMarkdown('| class | probability |\n|---|---:|\n');
    for (const { label, p } of [...row.probabilities].sort((a, b) => b.p - a.p)) md.appendMarkdown(`| ${label.replace(/\|/g, '\\|')} | ${p.toFixed(3)} |\n`);
  }
  return md;
}

/**
 * Inline predictions at the end of each CSV line. Kept per document, re-applied when the document
 * is shown again, and dropped when the document is edited (the rows no longer match).
 */
export class PredictionDecorations implements vscode.Disposable {
  private readonly type = vscode.window.createTextEditorDecorationType({
    after: { margin: '0 0 0 2em', color: new vscode.ThemeColor('editorCodeLens.foreground'), fontStyle: 'italic' },
    isWholeLine: false,
  });
  private readonly byDocument = new Map<string, vscode.DecorationOptions[]>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.disposables.push(
      vscode.window.onDidChangeVisibleTextEditors((editors) => {
        for (const e of editors) this.apply(e);
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0 && this.byDocument.delete(e.document.uri.toString())) {
          for (const ed of vscode.window.visibleTextEditors) if (ed.document === e.document) ed.setDecorations(this.type, []);
        }
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.byDocument.delete(d.uri.toString())),
    );
  }

  set(uri: vscode.Uri, model: string, rows: RowPrediction[]): void {
    const options = rows.map((row) => ({
      range: new vscode.Range(row.line, Number.MAX_SAFE_INTEGER, row.line, Number.MAX_SAFE_INTEGER),
      hoverMessage: hoverMarkdown(model, row),
      renderOptions: { after: { contentText: `→ ${row.prediction}${topProbability(row)}` } },
    }));
    this.byDocument.set(uri.toString(), options);
    for (const e of vscode.window.visibleTextEditors) if (e.document.uri.toString() === uri.toString()) this.apply(e);
  }

  /** The decorations of a document (tests read them). */
  get(uri: vscode.Uri): readonly vscode.DecorationOptions[] {
    return this.byDocument.get(uri.toString()) ?? [];
  }

  private apply(editor: vscode.TextEditor): void {
    const options = this.byDocument.get(editor.document.uri.toString());
    if (options) editor.setDecorations(this.type, options);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.type.dispose();
    this.byDocument.clear();
  }
}

function topProbability(row: RowPrediction): string {
  if (!row.probabilities || row.probabilities.length === 0) return '';
  const top = Math.max(...row.probabilities.map((x) => x.p));
  return ` (${top.toFixed(2)})`;
}
