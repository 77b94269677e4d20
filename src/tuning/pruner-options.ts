// The pruners' parameters by Optuna's names (`--pruner-option reduction_factor=3`), their ranges
// and defaults: one table the CLI, the stored study, `studies show` and the editor's form read.
import { ModelOpsError } from '../core/errors';
import type { Check } from '../shared/validate';
import { declared, fail, record } from '../shared/validate';

/** An integer, or `auto` where Optuna allows it (resource sizes known once a trial completes). */
export type PrunerOptionValue = number | 'auto';
/** Optuna's parameter names → values; a stored study keeps the resolved ones (defaults filled in). */
export type PrunerOptions = Record<string, PrunerOptionValue>;

export interface PrunerParam {
  /** Optuna's keyword argument. */
  readonly name: string;
  readonly summary: string;
  readonly default: PrunerOptionValue;
  readonly min: number;
  /** `auto` is accepted. */
  readonly auto?: boolean;
}

const REDUCTION = 'η: about 1/η of the trials at a rung go on past it';
const BOOTSTRAP = 'trials that must reach a rung before any is promoted (0 when the resource is auto)';

/** Each pruner's parameters (the catalogue's names); a pruner without any takes none. */
export const PRUNER_PARAMS: Readonly<Record<string, readonly PrunerParam[]>> = {
  median: [
    { name: 'n_startup_trials', summary: 'complete trials before anything is pruned', default: 5, min: 0 },
    { name: 'n_warmup_steps', summary: 'folds of every trial that are never pruned', default: 0, min: 0 },
  ],
  'successive-halving': [
    { name: 'min_resource', summary: 'r: the first rung is at fold r·η^s (auto: the last fold ÷ 100, at least 1)', default: 'auto', min: 1, auto: true },
    { name: 'reduction_factor', summary: REDUCTION, default: 4, min: 2 },
    { name: 'min_early_stopping_rate', summary: 's: the first rung is η^s times later', default: 0, min: 0 },
    { name: 'bootstrap_count', summary: BOOTSTRAP, default: 0, min: 0 },
  ],
  hyperband: [
    { name: 'min_resource', summary: 'r: the first bracket’s first rung', default: 1, min: 1 },
    { name: 'max_resource', summary: 'R: the last fold + 1 (auto: known once a trial completes)', default: 'auto', min: 1, auto: true },
    { name: 'reduction_factor', summary: REDUCTION, default: 3, min: 2 },
    { name: 'bootstrap_count', summary: BOOTSTRAP, default: 0, min: 0 },
  ],
};

export const prunerParams = (pruner: string): readonly PrunerParam[] => PRUNER_PARAMS[pruner] ?? [];

/** `an integer ≥ 2`, `an integer ≥ 1 or auto`: what a parameter takes, for errors and help. */
export function prunerParamRange(p: PrunerParam): string {
  return `an integer ≥ ${p.min}${p.auto ? ' or auto' : ''}`;
}

const bad = (source: string, message: string, location: string): ModelOpsError =>
  new ModelOpsError('INVALID_PARAMETER_VALUE', `${source}: ${message}`, { location });

/** One value of a parameter, from the CLI's text or a stored/remembered value; refused naming the parameter and its range. */
export function prunerOptionValue(pruner: string, name: string, value: unknown, source: string): PrunerOptionValue {
  const params = prunerParams(pruner);
  const p = params.find((x) => x.name === name);
  if (!p) {
    const known = params.length ? `it takes ${params.map((x) => x.name).join(', ')}` : 'it takes none';
    throw bad(source, `the ${pruner} pruner has no parameter '${name}' (${known})`, name);
  }
  const v = typeof value === 'string' && value.trim() !== 'auto' && value.trim() !== '' ? Number(value.trim()) : value;
  if (p.auto && (v === 'auto' || (typeof v === 'string' && v.trim() === 'auto'))) return 'auto';
  if (typeof v === 'number' && Number.isInteger(v) && v >= p.min) return v;
  throw bad(source, `${name} must be ${prunerParamRange(p)} (got ${JSON.stringify(value)})`, name);
}

/**
 * `key=value` texts (`--pruner-option`, repeated) as a map; which keys and values the pruner takes
 * is checked when resolved (the pruner may be the resumed study's). A key given twice is refused.
 */
export function prunerOptionPairs(texts: readonly string[], source = '--pruner-option'): Record<string, string> {
  const pairs: [string, string][] = [];
  for (const text of texts) {
    const eq = text.indexOf('=');
    if (eq <= 0) throw bad(source, `expected key=value, got '${text}'`, 'pruner-option');
    const key = text.slice(0, eq).trim();
    if (pairs.some(([k]) => k === key)) throw bad(source, `${key} is given twice`, key);
    pairs.push([key, text.slice(eq + 1)]);
  }
  // fromEntries defines each key, so `__proto__=1` is a (refused) key, not the prototype.
  return Object.fromEntries(pairs);
}

/** Every parameter of the pruner: the given ones checked, the rest Optuna's defaults; the combination is checked too. */
export function resolvePrunerOptions(pruner: string, given: Readonly<Record<string, unknown>>, source: string): PrunerOptions {
  const out: PrunerOptions = {};
  for (const key of Object.keys(given)) prunerOptionValue(pruner, key, given[key], source);
  for (const p of prunerParams(pruner)) out[p.name] = Object.hasOwn(given, p.name) ? prunerOptionValue(pruner, p.name, given[p.name], source) : p.default;
  checkCombination(out, source);
  return out;
}

/** The rules between parameters (the pruners' constructors check them too, by their own field names). */
function checkCombination(o: PrunerOptions, source: string): void {
  const bootstrap = o.bootstrap_count;
  if (typeof bootstrap === 'number' && bootstrap > 0) {
    const auto = ['min_resource', 'max_resource'].find((k) => o[k] === 'auto');
    if (auto) throw bad(source, `bootstrap_count must be 0 when ${auto} is auto (got ${bootstrap})`, 'bootstrap_count');
  }
  const r = o.min_resource;
  const R = o.max_resource;
  if (typeof r === 'number' && typeof R === 'number' && R < r)
    throw bad(source, `max_resource must be ≥ min_resource (${r}) or auto (got ${R})`, 'max_resource');
}

/** `reduction_factor 3, min_resource auto`: how the form and `studies show` print them. */
export function describePrunerOptions(o: PrunerOptions): string {
  const parts = Object.entries(o).map(([k, v]) => `${k} ${String(v)}`);
  return parts.join(', ');
}

/** As stored: integers or `auto`, by name (which parameters a pruner takes is checked when resolved). */
export const STORED_PRUNER_OPTIONS: Check<PrunerOptions> = record(
  declared({ type: ['integer', 'string'] }, (v, p) =>
    v === 'auto' || (typeof v === 'number' && Number.isInteger(v)) ? v : fail(p, 'an integer or "auto"', v),
  ),
);
