import * as path from 'node:path';
import * as vscode from 'vscode';
import { ModelOpsError } from '../../core/errors';
import { readCsvFile } from '../../ml/dataset/csv';
import type { PredictResult } from '../../pipeline/predict';
import { predict } from '../../pipeline/predict';
import type { PredictionDecorations, RowPrediction } from '../predictions/decorations';
import { listModels } from '../views/models-tree';
import type { CommandRun } from './runner';
import type { CommandDeps } from './run-commands';
import { sessionFor } from './run-commands';
import { abortSignalFor, targetCsv } from './train-commands';

/** `data.csv` → `data.predictions.csv`, beside it. */
export function predictionsPath(csv: string): string {
  const ext = path.extname(csv);
  return path.join(path.dirname(csv), `${path.basename(csv, ext)}.predictions${ext || '.csv'}`);
}

/**
 * Predict with Production Model: checks the CSV against the model's signature, writes the
 * predictions beside it, opens that file, and shows each row's prediction at the end of its line
 * in the CSV editor (hover: class probabilities).
 */
export async function predictWithProduction(
  deps: CommandDeps & { decorations: PredictionDecorations },
  run: CommandRun,
  arg: unknown,
  modelArg?: unknown,
): Promise<PredictResult | undefined> {
  const csv = await targetCsv(deps, arg ?? vscode.window.activeTextEditor?.document.uri, 'Predict on which CSV?');
  if (!csv) return undefined;
  // The model comes from the store of the CSV's folder (asked for only when the CSV is outside every folder).
  const session = await sessionFor(deps, vscode.Uri.file(csv));
  if (!session) return undefined;
  const store = await session.getOrCreate();
  let name = typeof modelArg === 'string' ? modelArg : undefined;
  if (!name) {
    const withProd = (await listModels(store)).filter((m) => m.latestVersions.some((v) => v.currentStage === 'Production'));
    if (withProd.length === 0) throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', 'No registered model has a Production version yet: promote a version first.');
    if (withProd.length === 1) name = withProd[0]!.name;
    else {
      const pick = await deps.ui().pickOne(
        withProd.map((m) => ({ label: m.name, description: `Production v${m.latestVersions.find((v) => v.currentStage === 'Production')?.version}` })),
        { title: 'Predict with which model?' },
      );
      name = pick?.label;
    }
  }
  if (!name) return undefined;
  const out = predictionsPath(csv);
  const result = await predict(store, {
    model: `models:/${name}/Production`,
    data: csv,
    out,
    protect: { store: store.file },
    proba: true,
    cwd: session.folder.uri.fsPath,
    signal: abortSignalFor(run.token),
    onProgress: (m) => run.report(m),
  });

  // Rows map to lines through the same CSV parser the pipeline used (quoted fields may span lines).
  const table = readCsvFile(csv);
  const rows: RowPrediction[] = result.predictions.map((p, r) => ({
    line: (table.lines[r] ?? r + 2) - 1,
    prediction: String(p),
    probabilities: result.probabilities?.[r]?.map((x, k) => ({ label: result.classes[k] ?? String(k), p: x })),
  }));
  const modelLabel = `${name} v${result.model.version ?? '?'} (${result.model.stage ?? 'Production'})`;
  const csvDoc = await vscode.workspace.openTextDocument(csv);
  deps.decorations.set(csvDoc.uri, modelLabel, rows);
  await vscode.window.showTextDocument(csvDoc, { viewColumn: vscode.ViewColumn.One, preview: false });
  await vscode.window.showTextDocument(vscode.Uri.file(out), { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
  const counts = result.summary.classCounts
    ? Object.entries(result.summary.classCounts)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')
    : result.summary.range
      ? `range ${result.summary.range.min.toFixed(3)} … ${result.summary.range.max.toFixed(3)}`
      : '';
  void deps.ui().info(`Predicted ${result.summary.rows} rows with ${modelLabel} → ${path.basename(out)}${counts ? ` (${counts})` : ''}.`);
  return result;
}
