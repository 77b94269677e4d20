import { ModelOpsError } from '../core/errors';
import { HyperbandPruner } from './pruners/hyperband';
import { MedianPruner } from './pruners/median';
import type { Pruner } from './pruners/pruner';
import { NopPruner } from './pruners/pruner';
import type { PrunerOptions } from './pruner-options';
import { SuccessiveHalvingPruner } from './pruners/successive-halving';
import { GridSampler } from './samplers/grid';
import { RandomSampler } from './samplers/random';
import type { Sampler } from './samplers/sampler';
import type { TpeOptions } from './samplers/tpe';
import { TpeSampler } from './samplers/tpe';

/** What a sampler or pruner may be built from: the study's seed and name (Hyperband hashes the name). */
export interface TuningContext {
  seed: number;
  study: string;
  /** The pruner's parameters by Optuna's names, resolved (src/tuning/pruner-options.ts); absent: Optuna's defaults. */
  prunerOptions?: PrunerOptions;
}

/** An integer parameter (the resolved options hold `auto` only where the pruner takes it). */
function intOf(o: PrunerOptions | undefined, name: string): number | undefined {
  const v = o?.[name];
  return typeof v === 'number' ? v : undefined;
}
const resourceOf = (o: PrunerOptions | undefined, name: string): number | 'auto' | undefined => o?.[name];

/**
 * One choice of `--sampler` / `--pruner`. The CLI's choices and help, the pipeline file's schema
 * and the editor's picks are all read from these lists, so a new sampler or pruner is its own
 * file plus one entry here.
 */
export interface CatalogueEntry<T> {
  readonly name: string;
  /** One line: the CLI's help and the editor's pick show it. */
  readonly summary: string;
  create(context: TuningContext): T;
}

/**
 * Optuna 5.0's TPESampler defaults (multivariate, group decomposition, constant liar) with changes
 * the bench measured as better on two seed sets (docs/tuning.md, Samplers): 5 random startup
 * trials instead of 10; Scott's rule for the first 30 finished trials, then neighbour-gap bandwidths
 * per parameter; kernels scored by height, as Optuna 3.1 does in effect.
 */
export const TPE_MULTIVARIATE: TpeOptions = {
  multivariate: true,
  group: true,
  constantLiar: true,
  bandwidth: 'gaps',
  scottUntil: 30,
  kernelScore: 'height',
  nStartupTrials: 5,
};

const SAMPLER_LIST = [
  {
    name: 'tpe',
    summary: "Tree-structured Parzen Estimator, Optuna 3's defaults (random for the first 10 trials)",
    create: (c: TuningContext): Sampler => new TpeSampler(c.seed),
  },
  {
    name: 'tpe-multivariate',
    summary:
      "TPE with Optuna 5.0's defaults: one joint Parzen estimator over all params (multivariate, group decomposition) and the constant liar for parallel trials",
    create: (c: TuningContext): Sampler => new TpeSampler(c.seed, TPE_MULTIVARIATE, 'tpe-multivariate'),
  },
  { name: 'random', summary: 'independent uniform draws (log-uniform for log ranges)', create: (c: TuningContext): Sampler => new RandomSampler(c.seed) },
  {
    name: 'grid',
    summary: 'every combination once, in a seeded shuffled order; ends when the grid is exhausted',
    create: (c: TuningContext): Sampler => new GridSampler(c.seed),
  },
] as const satisfies readonly CatalogueEntry<Sampler>[];

const PRUNER_LIST = [
  {
    name: 'median',
    summary: 'after 5 complete trials, stop a trial worse than their median at the same fold',
    create: (c: TuningContext): Pruner =>
      new MedianPruner({ nStartupTrials: intOf(c.prunerOptions, 'n_startup_trials'), nWarmupSteps: intOf(c.prunerOptions, 'n_warmup_steps') }),
  },
  {
    name: 'successive-halving',
    summary: "Optuna's asynchronous successive halving (η 4, first rung at the second fold): only the best quarter of the trials at a rung go on",
    create: (c: TuningContext): Pruner =>
      new SuccessiveHalvingPruner({
        minResource: resourceOf(c.prunerOptions, 'min_resource'),
        reductionFactor: intOf(c.prunerOptions, 'reduction_factor'),
        minEarlyStoppingRate: intOf(c.prunerOptions, 'min_early_stopping_rate'),
        bootstrapCount: intOf(c.prunerOptions, 'bootstrap_count'),
      }),
  },
  {
    name: 'hyperband',
    summary: "Optuna's Hyperband (η 3): successive halving in brackets from hard to mild, each trial in one bracket",
    create: (c: TuningContext): Pruner =>
      new HyperbandPruner({
        study: c.study,
        minResource: intOf(c.prunerOptions, 'min_resource'),
        maxResource: resourceOf(c.prunerOptions, 'max_resource'),
        reductionFactor: intOf(c.prunerOptions, 'reduction_factor'),
        bootstrapCount: intOf(c.prunerOptions, 'bootstrap_count'),
      }),
  },
  { name: 'none', summary: 'never stop a trial early', create: (): Pruner => new NopPruner() },
] as const satisfies readonly CatalogueEntry<Pruner>[];

export type SamplerName = (typeof SAMPLER_LIST)[number]['name'];
export type PrunerName = (typeof PRUNER_LIST)[number]['name'];

export const SAMPLERS: readonly CatalogueEntry<Sampler>[] = SAMPLER_LIST;
export const PRUNERS: readonly CatalogueEntry<Pruner>[] = PRUNER_LIST;
export const SAMPLER_NAMES: readonly SamplerName[] = SAMPLER_LIST.map((e) => e.name);
export const PRUNER_NAMES: readonly PrunerName[] = PRUNER_LIST.map((e) => e.name);

/** Optuna's defaults: TPE and the median pruner. */
export const DEFAULT_SAMPLER: SamplerName = 'tpe-multivariate';
export const DEFAULT_PRUNER: PrunerName = 'median';

function find<T>(list: readonly CatalogueEntry<T>[], kind: 'sampler' | 'pruner', name: string, source: string): CatalogueEntry<T> {
  const entry = list.find((e) => e.name === name);
  if (!entry)
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${source}: ${kind} must be one of ${list.map((e) => e.name).join(', ')} (got '${name}')`, {
      location: kind,
    });
  return entry;
}

/** The sampler of that name; `source` says where the name came from (`--sampler`, a stored study). */
export function createSampler(name: string, context: TuningContext, source = '--sampler'): Sampler {
  return find(SAMPLERS, 'sampler', name, source).create(context);
}

export function createPruner(name: string, context: TuningContext, source = '--pruner'): Pruner {
  return find(PRUNERS, 'pruner', name, source).create(context);
}

/** `<a|b|c>`: the placeholder of a choice option in help. */
export function choicesPlaceholder(list: readonly CatalogueEntry<unknown>[]): string {
  return `<${list.map((e) => e.name).join('|')}>`;
}

/** `a (default): …; b: …`: the help text of a choice option. */
export function choicesHelp(list: readonly CatalogueEntry<unknown>[], fallback: string): string {
  return list.map((e) => `${e.name}${e.name === fallback ? ' (default)' : ''}: ${e.summary}`).join('; ');
}
