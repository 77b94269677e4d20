import { errorMessage, ModelOpsError } from '../core/errors';
import type { ParamValue, SearchSpace } from './distributions';
import { contains } from './distributions';
import type { Pruner } from './pruners/pruner';
import { NopPruner } from './pruners/pruner';
import type { Sampler } from './samplers/sampler';
import type { Direction, FrozenTrial } from './trial';
import { better, lastIntermediate } from './trial';

/** A fail reason is kept to what an MLflow tag holds (5,000 characters in MLflow 2.10). */
export const FAIL_REASON_MAX = 5000;
/** The fail reason of a trial found RUNNING when its study is continued: its process ended mid-trial. */
export const INTERRUPTED = 'interrupted: the process running the trial ended before it finished';

/** Thrown by an objective (or by `TrialContext.report`) to end a trial as PRUNED. */
export class TrialPruned extends Error {
  constructor(step: number) {
    super(`pruned at step ${step}`);
    this.name = 'TrialPruned';
  }
}

/** What an objective sees of its trial. */
export interface TrialContext {
  readonly number: number;
  readonly params: Readonly<Record<string, ParamValue>>;
  /** Records an intermediate value; throws TrialPruned when the pruner says stop. */
  report(step: number, value: number): Promise<void>;
}

/** Persistence and progress hooks; each is awaited before the study goes on. */
export interface StudyListener {
  trialStarted?(trial: FrozenTrial): Promise<void> | void;
  trialReported?(trial: FrozenTrial): Promise<void> | void;
  trialFinished?(trial: FrozenTrial, best: FrozenTrial | undefined): Promise<void> | void;
}

export interface OptimizeOptions {
  nTrials: number;
  /** Stop starting new trials after this long. */
  timeoutMs?: number;
  signal?: AbortSignal;
  listener?: StudyListener;
  /** Trials in flight at once (default 1); the objective must yield (await) for them to overlap. */
  nJobs?: number;
}

export interface StudyOptions {
  name: string;
  direction: Direction;
  space: SearchSpace;
  sampler: Sampler;
  pruner?: Pruner;
  /** Trials of an earlier session (resuming); RUNNING ones were interrupted and count as FAIL. */
  trials?: FrozenTrial[];
}

/** Optuna's Study: ask for a trial, tell its result; `optimize` runs the loop. */
export class Study {
  readonly name: string;
  readonly direction: Direction;
  readonly space: SearchSpace;
  readonly sampler: Sampler;
  readonly pruner: Pruner;
  private readonly all: FrozenTrial[];

  constructor(options: StudyOptions) {
    this.name = options.name;
    this.direction = options.direction;
    this.space = options.space;
    this.sampler = options.sampler;
    this.pruner = options.pruner ?? new NopPruner();
    this.all = (options.trials ?? [])
      .map((t) => (t.state === 'RUNNING' ? { ...t, state: 'FAIL' as const, failReason: INTERRUPTED } : t))
      .sort((a, b) => a.number - b.number);
  }

  get trials(): readonly FrozenTrial[] {
    return this.all;
  }

  get bestTrial(): FrozenTrial | undefined {
    let best: FrozenTrial | undefined;
    for (const t of this.all) if (t.state === 'COMPLETE' && t.value !== undefined && (!best || better(this.direction, t.value, best.value!))) best = t;
    return best;
  }

  /** A new RUNNING trial with sampled params, or undefined when the sampler has nothing left. */
  ask(): FrozenTrial | undefined {
    const number = this.all.length === 0 ? 0 : this.all[this.all.length - 1].number + 1;
    const params = this.sampler.sample(this.space, this.all, this.direction, number);
    if (!params) return undefined;
    for (const [name, d] of Object.entries(this.space)) {
      if (!contains(d, params[name]))
        throw new ModelOpsError('INTERNAL_ERROR', `sampler ${this.sampler.name} gave ${name} = ${JSON.stringify(params[name])}, outside its distribution`);
    }
    const trial: FrozenTrial = { number, state: 'RUNNING', params, intermediate: {}, startTime: Date.now() };
    this.all.push(trial);
    return trial;
  }

  report(trial: FrozenTrial, step: number, value: number): void {
    if (trial.state !== 'RUNNING') throw new ModelOpsError('INVALID_STATE', `trial ${trial.number} is ${trial.state}, not running`);
    trial.intermediate[step] = value;
  }

  shouldPrune(trial: FrozenTrial): boolean {
    return this.pruner.shouldPrune(trial, this.all, this.direction);
  }

  tell(trial: FrozenTrial, state: 'COMPLETE' | 'PRUNED' | 'FAIL', value?: number): void {
    if (trial.state !== 'RUNNING') throw new ModelOpsError('INVALID_STATE', `trial ${trial.number} is already ${trial.state}`);
    if (state === 'COMPLETE' && (value === undefined || !Number.isFinite(value))) {
      state = 'FAIL';
      trial.failReason ??= `the objective returned ${String(value)}, not a finite number`;
    }
    trial.state = state;
    trial.value = state === 'COMPLETE' ? value : state === 'PRUNED' ? lastIntermediate(trial) : undefined;
    trial.endTime = Date.now();
  }

  /**
   * Runs up to `nTrials` new trials (fewer when the grid is exhausted, the timeout passes or the
   * signal aborts), `nJobs` at a time: each ask sees the trials in flight as RUNNING (which the
   * constant liar counts as worst). An objective's error marks its trial FAIL and is rethrown, as
   * Optuna does; with several in flight, no new trial starts and the others finish first.
   */
  async optimize(objective: (trial: TrialContext) => Promise<number>, options: OptimizeOptions): Promise<void> {
    const nJobs = options.nJobs ?? 1;
    if (!Number.isInteger(nJobs) || nJobs < 1) throw new ModelOpsError('INVALID_PARAMETER_VALUE', `nJobs must be an integer ≥ 1 (got ${nJobs})`);
    const started = Date.now();
    let begun = 0;
    let exhausted = false;
    let failure: { error: unknown } | undefined;
    // Whether a lane may ask for another trial; a cancellation is thrown by the lane that sees it.
    const mayStart = (): boolean => {
      if (failure || exhausted || begun >= options.nTrials) return false;
      if (options.signal?.aborted) throw new ModelOpsError('CANCELLED', 'tuning was cancelled');
      return options.timeoutMs === undefined || Date.now() - started < options.timeoutMs;
    };
    const lane = async (): Promise<void> => {
      try {
        while (mayStart()) {
          const trial = this.ask();
          if (!trial) {
            exhausted = true;
            return;
          }
          begun++;
          const error = await this.runTrial(trial, objective, options.listener);
          if (error) failure ??= error;
        }
      } catch (e) {
        failure ??= { error: e }; // a listener's (the store's) error or the cancellation
      }
    };
    await Promise.all(Array.from({ length: nJobs }, lane));
    if (failure) throw failure.error;
  }

  /** One trial from RUNNING to its end, listener included; an objective's error is returned, not thrown. */
  private async runTrial(
    trial: FrozenTrial,
    objective: (trial: TrialContext) => Promise<number>,
    listener: StudyListener | undefined,
  ): Promise<{ error: unknown } | undefined> {
    await listener?.trialStarted?.(trial);
    const ctx: TrialContext = {
      number: trial.number,
      params: trial.params,
      report: async (step, value) => {
        this.report(trial, step, value);
        await listener?.trialReported?.(trial);
        if (this.shouldPrune(trial)) throw new TrialPruned(step);
      },
    };
    let failure: { error: unknown } | undefined;
    try {
      this.tell(trial, 'COMPLETE', await objective(ctx));
    } catch (e) {
      if (e instanceof TrialPruned) this.tell(trial, 'PRUNED');
      else {
        trial.failReason = errorMessage(e).slice(0, FAIL_REASON_MAX);
        this.tell(trial, 'FAIL');
        failure = { error: e };
      }
    }
    await listener?.trialFinished?.(trial, this.bestTrial);
    return failure;
  }
}
