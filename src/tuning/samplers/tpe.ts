import { dict } from '../../core/dict';
import { childSeed, Rng } from '../../ml/random';
import type { ParamValue, SearchSpace } from '../distributions';
import { contains } from '../distributions';
import type { Direction, FrozenTrial } from '../trial';
import { better, lastIntermediate } from '../trial';
import type { Column, KernelRule } from './parzen';
import { buildParzen, logPdfParzen, sampleParzen } from './parzen';
import { sampleUniform } from './random';
import type { Sampler } from './sampler';

/**
 * Tree-structured Parzen Estimator, with Optuna's options: random for the first 10 trials; then the
 * finished trials are split into the best γ(n) = min(⌈0.1·n⌉, 25) ("below") and the rest ("above");
 * each group becomes a Parzen estimator (`parzen.ts`); 24 candidates are drawn from the "below" one
 * and the one maximising log l(x) − log g(x) is taken. Pruned trials count as worse than every
 * complete one (ordered by their last reported value).
 *
 * - independent (Optuna 3's default): one estimator per parameter;
 * - `multivariate`: one joint estimator over the parameters every finished trial has (candidates
 *   drawn and scored jointly, so correlated parameters are learnt together); any other parameter
 *   is sampled independently;
 * - `group` (with `multivariate`): the parameters are split into groups that always appear together
 *   (conditional spaces, or trials of an imported study), each group sampled jointly from the
 *   trials that have it;
 * - `constantLiar`: trials still RUNNING count as the worst observations (always "above"), so
 *   trials asked in parallel are pushed away from one another instead of repeating one guess.
 */
export interface TpeOptions {
  nStartupTrials?: number;
  nEiCandidates?: number;
  priorWeight?: number;
  multivariate?: boolean;
  group?: boolean;
  constantLiar?: boolean;
  /** Multivariate bandwidths: 'scott' (Optuna's) or 'gaps' (each observation's neighbour gaps per parameter, as the independent TPE). */
  bandwidth?: 'scott' | 'gaps';
  /** Multivariate with 'gaps': Scott's rule still while fewer trials than this have finished (a few points place no reliable gaps). */
  scottUntil?: number;
  /** 'height': continuous kernels scored by their height instead of their density (`KernelRule.height` in parzen.ts). */
  kernelScore?: 'density' | 'height';
}

/** `a` before `b` when it is the better observation; ties by trial number. */
function rank(direction: Direction, a: number, b: number, na: number, nb: number): number {
  return better(direction, a, b) ? -1 : better(direction, b, a) ? 1 : na - nb;
}

/**
 * Optuna's _SearchSpaceGroup: refines the groups so that each holds parameters that appeared
 * together in every trial seen so far (a trial's set splits each group it cuts in two).
 */
export function decomposeGroups(paramSets: readonly (readonly string[])[]): string[][] {
  let groups: string[][] = [];
  for (const names of paramSets) {
    let rest = new Set(names);
    const next: string[][] = [];
    for (const g of groups) {
      next.push(
        g.filter((n) => rest.has(n)),
        g.filter((n) => !rest.has(n)),
      );
      rest = new Set([...rest].filter((n) => !g.includes(n)));
    }
    next.push([...rest].sort());
    groups = next.filter((g) => g.length > 0);
  }
  return groups;
}

export class TpeSampler implements Sampler {
  private readonly nStartup: number;
  private readonly nCandidates: number;
  private readonly priorWeight: number;
  private readonly multivariate: boolean;
  private readonly group: boolean;
  private readonly constantLiar: boolean;
  private readonly scott: boolean;
  private readonly scottUntil: number;
  private readonly height: boolean;

  constructor(
    private readonly seed: number,
    options: TpeOptions = {},
    readonly name: string = 'tpe',
  ) {
    this.nStartup = options.nStartupTrials ?? 10;
    this.nCandidates = options.nEiCandidates ?? 24;
    this.priorWeight = options.priorWeight ?? 1;
    this.multivariate = options.multivariate ?? false;
    this.group = options.group ?? false;
    this.constantLiar = options.constantLiar ?? false;
    this.scott = this.multivariate && (options.bandwidth ?? 'scott') === 'scott';
    this.scottUntil = this.multivariate ? (options.scottUntil ?? 0) : 0;
    this.height = (options.kernelScore ?? 'density') === 'height';
  }

  sample(space: SearchSpace, history: readonly FrozenTrial[], direction: Direction, number: number): Record<string, ParamValue> {
    const rng = new Rng(childSeed(this.seed, number));
    const finished = history.filter((t) => (t.state === 'COMPLETE' && t.value !== undefined) || (t.state === 'PRUNED' && lastIntermediate(t) !== undefined));
    const names = Object.keys(space).sort();
    const out = dict<ParamValue>();
    if (finished.length < this.nStartup) {
      for (const name of names) out[name] = sampleUniform(space[name], rng);
      return out;
    }
    const running = this.constantLiar ? history.filter((t) => t.state === 'RUNNING' && Object.keys(t.params).length > 0) : [];
    const { below, above } = this.split(finished, running, direction);
    const rule: KernelRule = { scott: this.scott || finished.length < this.scottUntil, height: this.height };
    // A one-point range has nothing to learn (and no width for a kernel).
    const fixed = (n: string): boolean => space[n].type !== 'categorical' && space[n].low === space[n].high;
    for (const n of names.filter(fixed)) out[n] = sampleUniform(space[n], rng);
    for (const group of this.groups(
      names.filter((n) => !fixed(n)),
      finished,
    )) {
      // Only trials whose values lie in the space (an imported study may hold others) are observations.
      const has = (t: FrozenTrial): boolean => group.every((n) => n in t.params && contains(space[n], t.params[n]));
      const values = this.sampleGroup(space, group, below.filter(has), above.filter(has), rule, rng);
      group.forEach((n, j) => (out[n] = values[j]));
    }
    return out;
  }

  /** The parameter groups sampled jointly, in a fixed order; a group of one is the independent TPE. */
  private groups(names: string[], finished: readonly FrozenTrial[]): string[][] {
    if (!this.multivariate) return names.map((n) => [n]);
    const inSpace = new Set(names);
    const sets = finished.map((t) => Object.keys(t.params).filter((n) => inSpace.has(n)));
    const joint = this.group ? decomposeGroups(sets) : [names.filter((n) => sets.every((s) => s.includes(n)))];
    const covered = new Set(joint.flat());
    const groups = joint.filter((g) => g.length > 0).map((g) => [...g].sort());
    for (const n of names) if (!covered.has(n)) groups.push([n]);
    return groups;
  }

  /**
   * Best γ(n) finished trials ("below") and the rest ("above"), each in trial-number order (for
   * the weights); running trials (constant liar) rank after every finished one. γ counts finished
   * trials only, as Optuna's.
   */
  private split(finished: FrozenTrial[], running: FrozenTrial[], direction: Direction): { below: FrozenTrial[]; above: FrozenTrial[] } {
    const complete = finished.filter((t) => t.state === 'COMPLETE').sort((x, y) => rank(direction, x.value!, y.value!, x.number, y.number));
    const pruned = finished.filter((t) => t.state === 'PRUNED').sort((x, y) => rank(direction, lastIntermediate(x)!, lastIntermediate(y)!, x.number, y.number));
    const ranked = [...complete, ...pruned, ...running];
    const nBelow = Math.min(Math.ceil(0.1 * finished.length), 25);
    const byNumber = (x: FrozenTrial, y: FrozenTrial): number => x.number - y.number;
    return { below: ranked.slice(0, nBelow).sort(byNumber), above: ranked.slice(nBelow).sort(byNumber) };
  }

  /** Draws the candidates from l (below) jointly over the group and keeps the best log l − log g. */
  private sampleGroup(space: SearchSpace, group: string[], below: FrozenTrial[], above: FrozenTrial[], rule: KernelRule, rng: Rng): ParamValue[] {
    const columns = (ts: FrozenTrial[]): Column[] => group.map((n) => ({ d: space[n], values: ts.map((t) => t.params[n]) }));
    const l = buildParzen(columns(below), this.priorWeight, rule);
    const g = buildParzen(columns(above), this.priorWeight, rule);
    let best: ParamValue[] = [];
    let bestScore = -Infinity;
    for (let i = 0; i < this.nCandidates; i++) {
      const x = sampleParzen(l, rng);
      const score = logPdfParzen(l, x) - logPdfParzen(g, x);
      if (score > bestScore || best.length === 0) {
        bestScore = score;
        best = x;
      }
    }
    return best;
  }
}
