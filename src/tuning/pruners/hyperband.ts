import { ModelOpsError } from '../../core/errors';
import type { Direction, FrozenTrial } from '../trial';
import type { Pruner } from './pruner';
import { SuccessiveHalvingPruner } from './successive-halving';

export interface HyperbandOptions {
  /** The study's name: with the trial number it picks the trial's bracket, reproducibly. */
  study: string;
  /** r (Optuna: 1). */
  minResource?: number;
  /** R: `auto` (Optuna's default) is the complete trials' last step + 1, known once one completes. */
  maxResource?: number | 'auto';
  /** η (Optuna: 3). */
  reductionFactor?: number;
  bootstrapCount?: number;
}

/** CRC-32 (IEEE, as zlib and Python's binascii.crc32), so a trial lands in the bracket Optuna would put it in. */
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(text: string): number {
  let c = 0xffffffff;
  for (const byte of new TextEncoder().encode(text)) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * Optuna's HyperbandPruner (Li et al. 2018, asynchronously): ⌊log_η(R/r)⌋ + 1 brackets, bracket b
 * a successive halving with first rung at r·η^b, so the first bracket prunes hardest and the last
 * barely at all. Each trial is put in one bracket by a hash of (study name, trial number), in
 * proportion to the bracket's budget ⌈n·η^s/(s+1)⌉ (s = n − 1 − b), and competes only with the
 * trials of its bracket.
 */
export class HyperbandPruner implements Pruner {
  readonly name = 'hyperband';
  private readonly study: string;
  private readonly minResource: number;
  private maxResource: number | undefined;
  private readonly reductionFactor: number;
  private readonly bootstrapCount: number;
  private brackets: { pruner: SuccessiveHalvingPruner; budget: number }[] = [];
  private readonly bracketCache = new Map<number, number>();

  constructor(options: HyperbandOptions) {
    const r = options.minResource ?? 1;
    const R = options.maxResource ?? 'auto';
    const bootstrap = options.bootstrapCount ?? 0;
    const bad = (field: string, rule: string, got: unknown): ModelOpsError =>
      new ModelOpsError('INVALID_PARAMETER_VALUE', `hyperband: ${field} must be ${rule} (got ${String(got)})`, { location: field });
    if (!(Number.isInteger(r) && r >= 1)) throw bad('minResource', 'an integer ≥ 1', r);
    if (R !== 'auto' && !(Number.isInteger(R) && R >= r)) throw bad('maxResource', `an integer ≥ minResource (${r}) or 'auto'`, R);
    if (bootstrap > 0 && R === 'auto') throw bad('bootstrapCount', "0 when maxResource is 'auto'", bootstrap);
    this.study = options.study;
    this.minResource = r;
    this.maxResource = R === 'auto' ? undefined : R;
    this.reductionFactor = options.reductionFactor ?? 3;
    this.bootstrapCount = bootstrap;
    // Checks η and the bootstrap count by SuccessiveHalvingPruner's own rules.
    new SuccessiveHalvingPruner({ minResource: r, reductionFactor: this.reductionFactor, bootstrapCount: bootstrap });
  }

  /** The number of brackets, once R is known. */
  get bracketCount(): number {
    return this.brackets.length;
  }

  shouldPrune(trial: FrozenTrial, history: readonly FrozenTrial[], direction: Direction): boolean {
    if (this.brackets.length === 0) this.initialise(history);
    // No bracket yet (no complete trial to size R by) or none at all (R < r·η⁰): nothing is pruned.
    if (this.brackets.length === 0) return false;
    const bracket = this.bracketOf(trial.number);
    const mates = history.filter((t) => this.bracketOf(t.number) === bracket);
    return this.brackets[bracket].pruner.shouldPrune(trial, mates, direction);
  }

  /** The bracket of a trial number (0 prunes hardest). */
  bracketOf(number: number): number {
    if (this.brackets.length === 0) return 0;
    // Every report asks for every trial's bracket; the hash is the costly part.
    const known = this.bracketCache.get(number);
    if (known !== undefined) return known;
    const total = this.brackets.reduce((s, b) => s + b.budget, 0);
    let n = crc32(`${this.study}_${number}`) % total;
    let bracket = this.brackets.length - 1;
    for (let b = 0; b < this.brackets.length; b++) {
      n -= this.brackets[b].budget;
      if (n < 0) {
        bracket = b;
        break;
      }
    }
    this.bracketCache.set(number, bracket);
    return bracket;
  }

  private initialise(history: readonly FrozenTrial[]): void {
    if (this.maxResource === undefined) {
      const last = history.filter((t) => t.state === 'COMPLETE').flatMap((t) => Object.keys(t.intermediate).map(Number));
      if (last.length === 0) return;
      this.maxResource = Math.max(...last) + 1;
    }
    const eta = this.reductionFactor;
    const n = Math.floor(Math.log(this.maxResource / this.minResource) / Math.log(eta)) + 1;
    this.brackets = Array.from({ length: n }, (_, b) => {
      const s = n - 1 - b;
      return {
        pruner: new SuccessiveHalvingPruner({
          minResource: this.minResource,
          reductionFactor: eta,
          minEarlyStoppingRate: b,
          bootstrapCount: this.bootstrapCount,
        }),
        budget: Math.ceil((n * eta ** s) / (s + 1)),
      };
    });
  }
}
