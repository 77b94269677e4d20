import type { Cell, Frame } from '../ml/dataset/dataset';
import type { EnsemblePrediction } from '../ml/ensemble/ensemble';

/** What the batcher needs of a model: every row predicted on its own, whatever rows come with it. */
export interface FramePredictor {
  predictFrame(frame: Frame): EnsemblePrediction;
}

interface Job {
  model: FramePredictor;
  frame: Frame;
  /** The column names in order: only frames with the same columns are joined. */
  key: string;
  done: (p: EnsemblePrediction) => void;
  fail: (e: unknown) => void;
}

/** Rows in one joined prediction; a request at least this large is scored alone. */
export const MAX_BATCH_ROWS = 2048;

function rawColumns(frame: Frame): boolean {
  for (const name in frame.columns) if (!Array.isArray(frame.columns[name])) return false;
  return true;
}

/** The frames' rows one after another (same columns, raw cells). */
function joinFrames(frames: readonly Frame[]): Frame {
  const names = Object.keys(frames[0]!.columns);
  const columns = Object.create(null) as Record<string, Cell[]>;
  for (const name of names) columns[name] = ([] as Cell[]).concat(...frames.map((f) => f.columns[name] as Cell[]));
  return { nRows: frames.reduce((n, f) => n + f.nRows, 0), columns };
}

function predictOne(job: Job): void {
  try {
    job.done(job.model.predictFrame(job.frame));
  } catch (e) {
    job.fail(e);
  }
}

/** One prediction for the jobs' rows, split back per job; when it throws, each job is tried alone so only a bad one fails. */
function predictJoined(jobs: readonly Job[]): void {
  let joined: EnsemblePrediction;
  try {
    joined = jobs[0]!.model.predictFrame(joinFrames(jobs.map((j) => j.frame)));
  } catch {
    for (const job of jobs) predictOne(job);
    return;
  }
  let at = 0;
  for (const job of jobs) {
    const n = job.frame.nRows;
    job.done({
      predictions: joined.predictions.slice(at, at + n),
      ...(joined.probabilities ? { probabilities: joined.probabilities.slice(at, at + n) } : {}),
    });
    at += n;
  }
}

/**
 * Requests that arrive together are scored together. Under load many requests are parsed in one
 * turn of the event loop; one prediction over all their rows costs much less per row than one per
 * request (the forest descends four rows at once, the kNN kernel and the preprocessing are set up
 * once), and the server's throughput — hence its latency with many clients — is bound by that
 * work. Every row is predicted independently of the others, so each request gets exactly the
 * answer it would alone; a lone request waits only for the end of the current turn (setImmediate).
 */
export class PredictBatcher {
  private pending: Job[] = [];
  private scheduled = false;

  predict(model: FramePredictor, frame: Frame): Promise<EnsemblePrediction> {
    return new Promise((done, fail) => {
      const job: Job = { model, frame, key: Object.keys(frame.columns).join('\u0000'), done, fail };
      if (frame.nRows >= MAX_BATCH_ROWS || !rawColumns(frame)) return predictOne(job);
      this.pending.push(job);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const jobs = this.pending;
    this.pending = [];
    this.scheduled = false;
    // Same model (a version switch can fall between two requests) and same columns, up to MAX_BATCH_ROWS rows.
    const groups: Job[][] = [];
    const open = new Map<FramePredictor, Map<string, { jobs: Job[]; rows: number }>>();
    for (const job of jobs) {
      const byKey = open.get(job.model) ?? new Map<string, { jobs: Job[]; rows: number }>();
      open.set(job.model, byKey);
      let group = byKey.get(job.key);
      if (!group || group.rows + job.frame.nRows > MAX_BATCH_ROWS) {
        group = { jobs: [], rows: 0 };
        byKey.set(job.key, group);
        groups.push(group.jobs);
      }
      group.jobs.push(job);
      group.rows += job.frame.nRows;
    }
    for (const g of groups) {
      if (g.length === 1) predictOne(g[0]!);
      else predictJoined(g);
    }
  }
}
