import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { errorMessage } from '../../core/errors';
import { VERSION } from '../../core/version';
import { engineChoice, resolveEngine } from '../../store/engine';
import type { MissingArtifacts } from '../../pipeline/artifact-check';
import { findMissingArtifacts } from '../../pipeline/artifact-check';
import { checkStoreFor } from '../../pipeline/store-checks';
import { resolveStoreLocation } from '../../store/open';
import { describeSource } from '../../store/tracking-uri';
import type { CommandContext, CommandSpec } from '../command';
import { formatFields } from '../output';

type Check = readonly [string, string];

/** `modelops doctor`: what a user needs to debug their set-up, without changing anything. */
export const doctorCommand: CommandSpec = {
  path: ['doctor'],
  summary: 'check the set-up: runtime, store location, store engine and its safety beside MLflow, schema, artifacts',
  async run(ctx) {
    const checks = await diagnose(ctx);
    if (ctx.json) return ctx.printJson(Object.fromEntries(checks));
    ctx.print(formatFields(checks));
  },
};

async function diagnose(ctx: CommandContext): Promise<Check[]> {
  const out: Check[] = [
    ['modelops', VERSION],
    ['runtime', `Node ${process.versions.node} on ${process.platform}-${process.arch}`],
  ];
  let engine: { name: string; reason: string } | undefined;
  try {
    engine = resolveEngine(engineChoice(ctx.io.env.MODELOPS_STORE_ENGINE));
    out.push(['store engine', engine.name === 'node:sqlite' ? 'node:sqlite' : `sql.js (${engine.reason})`]);
    out.push([
      'beside MLflow',
      engine.name === 'node:sqlite'
        ? "safe: SQLite's own locks, pages written in place (MLflow's clients and mlflow ui may use the file at once)"
        : 'NOT safe beside other SQLite writers: sql.js rewrites the whole file, so a commit MLflow makes at the same moment can be lost; use Node 22.13+ (node:sqlite) or send MLflow clients through `modelops server`',
    ]);
  } catch (e) {
    out.push(['store engine', `error: ${errorMessage(e)}`]);
  }
  const location = resolveStoreLocation(ctx.storeUri, ctx.io.cwd);
  if (location.kind === 'rest') {
    out.push(['store', `${location.url} (an MLflow tracking server, from ${describeSource(ctx.storeSource)})`]);
    const env = ctx.io.env;
    out.push([
      'credentials',
      env.MLFLOW_TRACKING_TOKEN
        ? 'bearer token (MLFLOW_TRACKING_TOKEN)'
        : env.MLFLOW_TRACKING_USERNAME
          ? `basic auth as ${env.MLFLOW_TRACKING_USERNAME} (MLFLOW_TRACKING_USERNAME)`
          : 'none',
    ]);
    try {
      const stores = await ctx.stores();
      await checkStoreFor(stores, { what: 'the registry', registry: true });
      out.push(['server', 'answers, with the model registry']);
      await checkStoreFor(stores, { what: 'artifacts', artifacts: {} });
      out.push(['artifacts', "the Default experiment's artifacts are reachable from here"]);
    } catch (e) {
      out.push(['server', `error: ${errorMessage(e)}`]);
    }
    return out;
  }
  out.push(['store', location.path]);
  if (!existsSync(location.path)) {
    out.push(['store file', 'not created yet (the first command that writes creates it)']);
    const folder = nearestExisting(dirname(location.path));
    out.push(['store folder', writable(folder) ? `can be created (${folder} is writable)` : `${folder} is not writable for this user`]);
    return out;
  }
  out.push([
    'store file',
    `${(statSync(location.path).size / 1024 / 1024).toFixed(1)} MB, ${writable(location.path) ? 'writable' : 'read-only for this user'}`,
  ]);
  try {
    const stores = await ctx.stores();
    const file = stores.file!;
    out.push([
      'mlflow schema',
      `revision ${file.schema.revision} (${file.schema.releases})${file.schema.readOnly ? `; read-only: ${file.schema.readOnly}` : ''}`,
    ]);
    out.push(['artifacts', `${file.artifactRoot}${existsSync(file.artifactRoot) ? '' : ' (not created yet)'}`]);
    out.push(['run artifacts', describeMissing(await findMissingArtifacts(stores.tracking))]);
  } catch (e) {
    out.push(['store open', `error: ${errorMessage(e)}`]);
  }
  return out;
}

function describeMissing(check: MissingArtifacts): string {
  if (check.missing.length === 0) return `found for all ${check.runs} runs`;
  const shown = check.missing.slice(0, 5).map((m) => `${m.runId} (experiment ${m.experimentId}, ${m.artifactUri})`);
  const more = check.missing.length > shown.length ? `; ${check.missing.length - shown.length} more` : '';
  return `${check.missing.length} of ${check.runs} runs have no artifact folder here (moved outside the workspace, deleted, or never logged one): ${shown.join('; ')}${more}`;
}

function nearestExisting(path: string): string {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
