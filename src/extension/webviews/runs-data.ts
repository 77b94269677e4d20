/**
 * The runs table's data on the host: one experiment's active runs, read from the store a page at a
 * time, each with a change stamp, so the page asks only for what changed since what it has
 * (src/shared/runs-protocol.ts). Live updates re-read what can have changed; the whole experiment is
 * re-read when it is small, or at most once a minute when it is large. No vscode import: unit-tested
 * against a real store.
 */
import { ModelOpsError } from '../../core/errors';
import type { Run } from '../../core/tracking';
import { TAG } from '../../core/tracking';
import type { ChangesResult, KeyLists, MetricRange, RunRow } from '../../shared/runs-protocol';
import type { TrackingStore } from '../../store/tracking-store';
import { runLabel } from '../views/run-format';

/** Every run's min and max of one metric in one query. */
export type RangeQuery = (key: string) => Promise<Map<string, { min: number; max: number }>>;

/** Pages read from the store: a small first one so the table paints at once, then larger ones (each read blocks the extension host for its length: ~0.5 s at 200 columns). */
export const FIRST_PAGE = 200;
export const PAGE = 1000;
/** Rows per `runs/changes` answer (a few MB of JSON at 200 columns). */
export const CHANGES_PAGE = 2000;
/** Up to this many runs a store change re-reads the whole experiment; above, only what can have changed. */
export const FULL_RELOAD_LIMIT = 2000;
export const FULL_RELOAD_EVERY_MS = 60_000;
/** Tags the table leaves out: long JSON or text that has its own place (the run page). */
const HIDDEN_TAGS = new Set<string>([TAG.loggedModels, TAG.note, TAG.runName, TAG.parentRunId, TAG.user, TAG.source]);
/** Longer tag values are cut in the table (the run page shows them whole). */
const MAX_TAG_TEXT = 1000;

class KeyDictionary {
  readonly list: string[] = [];
  private readonly index = new Map<string, number>();

  id(key: string): number {
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(key);
      this.index.set(key, i);
    }
    return i;
  }
}

interface Entry {
  row: RunRow;
  stamp: number;
  hash: number;
}

function tagValue(run: Run, key: string): string | undefined {
  return run.data.tags.find((t) => t.key === key)?.value;
}

/** FNV-1a over the row's JSON: tells a re-read run that did not change from one that did. */
function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class ExperimentRuns {
  private entries = new Map<string, Entry>();
  private readonly removed = new Map<string, number>();
  private readonly keys = { params: new KeyDictionary(), metrics: new KeyDictionary(), tags: new KeyDictionary() };
  private stampValue = 0;
  private completeValue = false;
  private lastFullRead = 0;
  private readonly ranges = new Map<string, Map<string, { stamp: number; min: number | null; max: number | null }>>();

  constructor(
    private readonly tracking: TrackingStore,
    readonly experimentId: string,
    private readonly limits = { fullReloadLimit: FULL_RELOAD_LIMIT, fullReloadEveryMs: FULL_RELOAD_EVERY_MS, firstPage: FIRST_PAGE, page: PAGE },
    /** One query for every run's min/max when the store allows it (TrackingStore.metricRanges); else each run's history. */
    private readonly rangeQuery?: RangeQuery,
  ) {}

  get stamp(): number {
    return this.stampValue;
  }

  get size(): number {
    return this.entries.size;
  }

  get complete(): boolean {
    return this.completeValue;
  }

  has(runId: string): boolean {
    return this.entries.has(runId);
  }

  runIds(): string[] {
    return [...this.entries.keys()];
  }

  keyLists(): KeyLists {
    return { params: [...this.keys.params.list], metrics: [...this.keys.metrics.list], tags: [...this.keys.tags.list] };
  }

  toRow(run: Run): RunRow {
    const pk: number[] = [];
    const pv: string[] = [];
    for (const p of run.data.params) {
      pk.push(this.keys.params.id(p.key));
      pv.push(p.value);
    }
    const mk: number[] = [];
    const mv: (number | null)[] = [];
    for (const m of run.data.metrics) {
      mk.push(this.keys.metrics.id(m.key));
      mv.push(Number.isFinite(m.value) ? m.value : null);
    }
    const tk: number[] = [];
    const tv: string[] = [];
    for (const t of run.data.tags) {
      if (HIDDEN_TAGS.has(t.key)) continue;
      tk.push(this.keys.tags.id(t.key));
      tv.push(t.value.length > MAX_TAG_TEXT ? `${t.value.slice(0, MAX_TAG_TEXT)}…` : t.value);
    }
    return {
      runId: run.info.runId,
      runName: runLabel(run),
      status: run.info.status,
      startTime: run.info.startTime,
      endTime: run.info.endTime,
      userId: run.info.userId || tagValue(run, TAG.user) || '',
      source: tagValue(run, TAG.source) ?? '',
      parentRunId: tagValue(run, TAG.parentRunId) ?? null,
      pk,
      pv,
      mk,
      mv,
      tk,
      tv,
    };
  }

  /** Adds or replaces a run; false when it is there already unchanged. */
  upsert(run: Run): boolean {
    if (run.info.lifecycleStage !== 'active' || run.info.experimentId !== this.experimentId) return this.remove([run.info.runId]) > 0;
    const row = this.toRow(run);
    const hash = hashText(JSON.stringify(row));
    const old = this.entries.get(row.runId);
    if (old && old.hash === hash) return false;
    // Re-inserting keeps the map in stamp order, which is what changesSince() walks.
    this.entries.delete(row.runId);
    this.entries.set(row.runId, { row, stamp: ++this.stampValue, hash });
    this.removed.delete(row.runId);
    return true;
  }

  /** Forgets runs (deleted, moved); returns how many were there. */
  remove(runIds: readonly string[]): number {
    let n = 0;
    for (const id of runIds) {
      if (!this.entries.delete(id)) continue;
      this.removed.set(id, ++this.stampValue);
      n++;
    }
    return n;
  }

  /**
   * The first read: every active run, newest first, a page at a time; `onPage` after each so the
   * table paints the first rows while the rest are read.
   */
  async load(onPage: () => void, isCancelled: () => boolean = () => false): Promise<void> {
    let token: string | undefined;
    let size = this.limits.firstPage;
    do {
      const page = await this.tracking.searchRuns({
        experimentIds: [this.experimentId],
        runViewType: 'ACTIVE_ONLY',
        maxResults: size,
        orderBy: ['attributes.start_time DESC'],
        pageToken: token,
      });
      if (isCancelled()) return;
      for (const run of page.items) this.upsert(run);
      token = page.nextPageToken;
      size = this.limits.page;
      if (token === undefined) {
        this.completeValue = true;
        this.lastFullRead = Date.now();
      }
      onPage();
    } while (token !== undefined);
  }

  /** After a store change: re-reads what can have changed; true when the table's data changed. */
  async refresh(now = Date.now()): Promise<boolean> {
    if (!this.completeValue) return false;
    if (this.entries.size <= this.limits.fullReloadLimit || now - this.lastFullRead >= this.limits.fullReloadEveryMs) return this.fullRefresh(now);
    return this.partialRefresh();
  }

  private async fullRefresh(now: number): Promise<boolean> {
    const seen = new Set<string>();
    let changed = false;
    let token: string | undefined;
    do {
      const page = await this.tracking.searchRuns({
        experimentIds: [this.experimentId],
        runViewType: 'ACTIVE_ONLY',
        maxResults: PAGE,
        orderBy: ['attributes.start_time DESC'],
        pageToken: token,
      });
      for (const run of page.items) {
        seen.add(run.info.runId);
        if (this.upsert(run)) changed = true;
      }
      token = page.nextPageToken;
    } while (token !== undefined);
    const gone = [...this.entries.keys()].filter((id) => !seen.has(id));
    if (this.remove(gone) > 0) changed = true;
    this.lastFullRead = now;
    return changed;
  }

  /** Runs that are running (or were), and the newest ones: what training and tuning change. */
  private async partialRefresh(): Promise<boolean> {
    let changed = false;
    const live = await this.tracking.searchRuns({
      experimentIds: [this.experimentId],
      filter: "attributes.status IN ('RUNNING', 'SCHEDULED')",
      maxResults: PAGE,
    });
    const newest = await this.tracking.searchRuns({ experimentIds: [this.experimentId], maxResults: 100, orderBy: ['attributes.start_time DESC'] });
    const fresh = new Set<string>();
    for (const run of [...live.items, ...newest.items]) {
      fresh.add(run.info.runId);
      if (this.upsert(run)) changed = true;
    }
    const wasLive = [...this.entries.values()]
      .filter((e) => (e.row.status === 'RUNNING' || e.row.status === 'SCHEDULED') && !fresh.has(e.row.runId))
      .map((e) => e.row.runId);
    for (const id of wasLive) {
      const run = await this.tracking.getRun(id).catch((e: unknown) => {
        if (e instanceof ModelOpsError && e.code === 'RESOURCE_DOES_NOT_EXIST') return undefined;
        throw e;
      });
      if (run ? this.upsert(run) : this.remove([id]) > 0) changed = true;
    }
    return changed;
  }

  /** What changed after stamp `since`, oldest change first, at most `limit` runs per answer. */
  changesSince(since: number, limit = CHANGES_PAGE): ChangesResult {
    const runs: RunRow[] = [];
    let last = since;
    let more = false;
    for (const entry of this.entries.values()) {
      if (entry.stamp <= since) continue;
      if (runs.length === limit) {
        more = true;
        break;
      }
      runs.push(entry.row);
      last = entry.stamp;
    }
    const upTo = more ? last : this.stampValue;
    // A page that starts from nothing needs no tombstones.
    const removed = since === 0 ? [] : [...this.removed].filter(([, s]) => s > since && s <= upTo).map(([id]) => id);
    return { stamp: upTo, reset: since === 0, more, keys: this.keyLists(), runs, removed };
  }

  /** Run ids of this experiment matching an MLflow filter, by the store's own search (and its parser's errors). */
  async matching(filter: string): Promise<string[]> {
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const query = { experimentIds: [this.experimentId], filter, runViewType: 'ACTIVE_ONLY' as const, maxResults: 10_000, pageToken: token };
      // Ids only where the store can (a workspace file): loading 5,000 runs whole took 2 s.
      const page = this.tracking.searchRunIds
        ? await this.tracking.searchRunIds(query)
        : await this.tracking.searchRuns(query).then((p) => ({ ...p, items: p.items.map((r) => r.info.runId) }));
      ids.push(...page.items);
      token = page.nextPageToken;
    } while (token !== undefined);
    return ids;
  }

  /** min and max of one metric over all its steps, for every run that logged it (NaN left out). */
  async metricRange(key: string): Promise<MetricRange> {
    const index = this.keys.metrics.list.indexOf(key);
    const cached = this.ranges.get(key) ?? new Map<string, { stamp: number; min: number | null; max: number | null }>();
    this.ranges.set(key, cached);
    const todo = [...this.entries.values()].filter((e) => index >= 0 && e.row.mk.includes(index) && (cached.get(e.row.runId)?.stamp ?? -1) < e.stamp);
    if (todo.length > 0 && this.rangeQuery) {
      const found = await this.rangeQuery(key);
      // A run whose every value is NaN has no min or max, as with the histories.
      for (const e of todo) cached.set(e.row.runId, { stamp: e.stamp, min: found.get(e.row.runId)?.min ?? null, max: found.get(e.row.runId)?.max ?? null });
      todo.length = 0;
    }
    const BATCH = 64;
    for (let i = 0; i < todo.length; i += BATCH) {
      await Promise.all(
        todo.slice(i, i + BATCH).map(async (e) => {
          let min: number | null = null;
          let max: number | null = null;
          for (const m of await this.tracking.getMetricHistory(e.row.runId, key)) {
            if (!Number.isFinite(m.value)) continue;
            if (min === null || m.value < min) min = m.value;
            if (max === null || m.value > max) max = m.value;
          }
          cached.set(e.row.runId, { stamp: e.stamp, min, max });
        }),
      );
    }
    const out: MetricRange = { key, runIds: [], min: [], max: [] };
    for (const [id, r] of cached) {
      if (!this.entries.has(id)) continue;
      out.runIds.push(id);
      out.min.push(r.min);
      out.max.push(r.max);
    }
    return out;
  }
}
