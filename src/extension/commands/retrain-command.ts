import * as path from 'node:path';
import { ModelOpsError } from '../../core/errors';
import type { RetrainResult } from '../../pipeline/retrain';
import { retrain } from '../../pipeline/retrain';
import { defaultActor } from '../../registry/actor';
import { listModels } from '../views/models-tree';
import { sessionFor } from './run-commands';
import type { CommandRun } from './runner';
import type { RegistryDeps } from './train-commands';
import { abortSignalFor, targetCsv, validationSentence } from './train-commands';

function modelName(arg: unknown): string | undefined {
  const a = arg as { kind?: unknown; model?: { name?: unknown }; name?: unknown } | undefined;
  if (a?.kind === 'model' && typeof a.model?.name === 'string') return a.model.name;
  return typeof a?.name === 'string' ? a.name : undefined;
}

/**
 * Run Retraining…: `modelops retrain` from the editor — a registered model (the node, or picked)
 * and new data; trains with its best known params, validates, and tests inference.
 */
export async function runRetraining(deps: RegistryDeps, run: CommandRun, arg: unknown, dataArg?: unknown): Promise<RetrainResult | undefined> {
  const session = await sessionFor(deps, arg);
  if (!session) return undefined;
  const store = await session.getOrCreate();
  let name = modelName(arg);
  if (!name) {
    const models = await listModels(store);
    if (models.length === 0) throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', 'There are no registered models to retrain yet.');
    name = (await deps.ui().pickOne(models.map((m) => ({ label: m.name })), { title: 'Retrain which model?' }))?.label;
    if (!name) return undefined;
  }
  const data = typeof dataArg === 'string' ? dataArg : await targetCsv(deps, undefined, `Retrain ${name} on which CSV?`);
  if (!data) return undefined;
  const r = await retrain(store, {
    name,
    data,
    actor: defaultActor(),
    workspace: session.folder.uri.fsPath,
    signal: abortSignalFor(run.token),
    onProgress: (step, message) => run.report(`${step}: ${message}`),
  });
  const v = r.registered.validation;
  const inference = r.inference ? ` Inference test: ${r.inference.ok ? 'OK' : 'FAILED'} — ${r.inference.message}.` : '';
  void deps.ui().info(`Retrained ${name} on ${path.basename(data)} with the params of run ${r.paramsFrom.runId.slice(0, 8)}: version ${r.registered.version.version}.${v ? ` ${validationSentence(v)}` : ''}${inference}`);
  return r;
}
