import { ModelOpsError } from './errors';
import type { Stage } from './stages';
import { canonicalStage } from './stages';

/** Where a model is taken from. Mirrors MLflow's model URIs, plus a plain model directory. */
export type ModelUri =
  | { kind: 'version'; name: string; version: string }
  | { kind: 'stage'; name: string; stage: Stage }
  | { kind: 'latest'; name: string }
  | { kind: 'alias'; name: string; alias: string }
  | { kind: 'run'; runId: string; path: string }
  | { kind: 'path'; path: string };

const USAGE =
  'a model URI is models:/<name>/<version>, models:/<name>/<stage>, models:/<name>/latest, models:/<name>@<alias>, runs:/<run_id>/<path> or a model directory';

/** Parses a model URI; anything without a scheme is a directory path. */
export function parseModelUri(uri: string): ModelUri {
  const text = uri.trim();
  const bad = (why: string): never => {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `'${uri}' is not a valid model URI: ${why} (${USAGE})`, { location: 'model' });
  };
  if (text === '') bad('it is empty');
  if (/^models:/i.test(text)) {
    const rest = text.replace(/^models:\/*/i, '');
    const at = rest.indexOf('@');
    if (at >= 0) {
      const name = rest.slice(0, at);
      const alias = rest.slice(at + 1);
      if (name === '' || name.includes('/')) bad('the model name is missing or contains a slash');
      if (alias === '' || alias.includes('/')) bad('the alias is missing or contains a slash');
      return { kind: 'alias', name, alias };
    }
    const parts = rest.split('/');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') bad('expected models:/<name>/<version|stage|latest>');
    const [name, suffix] = parts;
    if (/^\d+$/.test(suffix)) return { kind: 'version', name, version: String(Number(suffix)) };
    if (suffix.toLowerCase() === 'latest') return { kind: 'latest', name };
    try {
      return { kind: 'stage', name, stage: canonicalStage(suffix) };
    } catch {
      return bad(`'${suffix}' is neither a version number, a stage (None, Staging, Production, Archived) nor 'latest'`);
    }
  }
  if (/^runs:/i.test(text)) {
    const rest = text.replace(/^runs:\/*/i, '');
    const slash = rest.indexOf('/');
    const runId = slash < 0 ? rest : rest.slice(0, slash);
    const path = slash < 0 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
    if (!/^[0-9a-zA-Z]+$/.test(runId)) bad('the run id is missing or malformed');
    if (path === '') bad('the artifact path is missing (e.g. runs:/<run_id>/model)');
    if (path.split('/').includes('..')) bad("the artifact path may not contain '..'");
    return { kind: 'run', runId, path };
  }
  if (/^file:\/\//i.test(text)) return { kind: 'path', path: decodeURIComponent(text.replace(/^file:\/\//i, '')) };
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(text)) bad(`the scheme '${text.split(':')[0]}' is not supported here`);
  return { kind: 'path', path: text };
}

export function formatModelUri(uri: ModelUri): string {
  switch (uri.kind) {
    case 'version':
      return `models:/${uri.name}/${uri.version}`;
    case 'stage':
      return `models:/${uri.name}/${uri.stage}`;
    case 'latest':
      return `models:/${uri.name}/latest`;
    case 'alias':
      return `models:/${uri.name}@${uri.alias}`;
    case 'run':
      return `runs:/${uri.runId}/${uri.path}`;
    case 'path':
      return uri.path;
  }
}

/** The seed's `--stage Production --name churn` shorthand, and `--model`, as one URI. */
export function modelUriFromOptions(options: { model?: string; name?: string; stage?: string; version?: string; alias?: string }): ModelUri {
  const given = [options.model, options.stage, options.version, options.alias].filter((v) => v !== undefined);
  if (given.length > 1) {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', 'give only one of --model, --stage, --version, --alias', { location: 'model' });
  }
  if (options.model !== undefined) return parseModelUri(options.model);
  const needName = (flag: string): string => {
    if (!options.name) throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${flag} needs --name <registered model>`, { location: 'name' });
    return options.name;
  };
  if (options.stage !== undefined) return { kind: 'stage', name: needName('--stage'), stage: canonicalStage(options.stage) };
  if (options.version !== undefined) {
    if (!/^\d+$/.test(options.version)) {
      throw new ModelOpsError('INVALID_PARAMETER_VALUE', `--version must be a positive integer, got '${options.version}'`, { location: 'version' });
    }
    return { kind: 'version', name: needName('--version'), version: String(Number(options.version)) };
  }
  if (options.alias !== undefined) return { kind: 'alias', name: needName('--alias'), alias: options.alias };
  throw new ModelOpsError('INVALID_PARAMETER_VALUE', `no model given: use --model <uri> (${USAGE}) or --name <model> --stage Production`, {
    location: 'model',
  });
}
