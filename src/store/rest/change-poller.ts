import { createHash } from 'node:crypto';
import type { TrackingStore } from '../tracking-store';
import type { MlflowClient } from './mlflow-client';

/**
 * A tracking server tells nobody when it changes, so its views follow it by polling: every interval a cheap
 * fingerprint of what the views show — the experiments, the newest runs with their status and latest metrics, the
 * registry's most recently changed models and versions — and the listeners are called when it differs. A server
 * that stops answering (or answers again) is a change too, so views can say so. Polling runs only while someone
 * listens.
 */
export class ChangePoller {
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private last: string | undefined;
  private busy = false;

  constructor(
    private readonly fingerprint: () => Promise<string>,
    private readonly intervalMs: number,
  ) {}

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    if (!this.timer && this.intervalMs > 0) {
      void this.tick(false);
      this.timer = setInterval(() => void this.tick(true), this.intervalMs);
      this.timer.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  /** Polls once now (the first poll only records the state). */
  async tick(notify = true): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      let print: string;
      try {
        print = await this.fingerprint();
      } catch (e) {
        print = `error:${(e as Error).message}`;
      }
      const changed = this.last !== undefined && print !== this.last;
      this.last = print;
      if (changed && notify) for (const l of [...this.listeners]) l();
    } finally {
      this.busy = false;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** What the views of a server show, hashed. */
export async function serverFingerprint(tracking: TrackingStore, client: MlflowClient): Promise<string> {
  const h = createHash('sha256');
  const experiments = (await tracking.searchExperiments({ viewType: 'ALL', maxResults: 1000, orderBy: ['last_update_time DESC'] })).items;
  for (const e of experiments) h.update(`e|${e.experimentId}|${e.name}|${e.lifecycleStage}|${e.lastUpdateTime}\n`);
  const active = experiments
    .filter((e) => e.lifecycleStage === 'active')
    .slice(0, 100)
    .map((e) => e.experimentId);
  if (active.length > 0) {
    const runs = (await tracking.searchRuns({ experimentIds: active, maxResults: 50, orderBy: ['attributes.start_time DESC'], runViewType: 'ALL' })).items;
    for (const r of runs) {
      h.update(
        `r|${r.info.runId}|${r.info.status}|${r.info.endTime}|${r.info.lifecycleStage}|${r.info.runName}|${r.data.tags.length}|${r.data.params.length}\n`,
      );
      for (const m of r.data.metrics) h.update(`m|${m.key}|${m.value}|${m.step}|${m.timestamp}\n`);
    }
  }
  try {
    // The registry's raw answers: models with their aliases, versions with stages and tags (validation marks).
    const models = await client.call('GET', 'registered-models/search', { max_results: 100, order_by: ['last_updated_timestamp DESC'] });
    h.update(JSON.stringify(models.registered_models ?? []));
    const versions = await client.call('GET', 'model-versions/search', { max_results: 50 });
    h.update(JSON.stringify(versions.model_versions ?? []));
  } catch {
    h.update('no registry\n'); // a server without the registry still has runs to follow
  }
  return h.digest('hex');
}
