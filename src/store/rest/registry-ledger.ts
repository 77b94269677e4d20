import { createHash, randomBytes } from 'node:crypto';
import { ModelOpsError } from '../../core/errors';
import { INTERNAL_EXPERIMENT_TAG } from '../../core/internal-experiments';
import type { AuditAction, AuditEntry } from '../../core/registry';
import { chunkTags, tagMap, unchunkJson } from '../../core/tag-chunks';
import type { Run, Tag } from '../../core/tracking';
import { TAG } from '../../core/tracking';
import type { TrackingStore } from '../tracking-store';

/**
 * The registry's audit trail on an MLflow tracking server, which has no table for it: one "ledger" run per registered
 * model in the experiment `modelops-registry`, each audit entry one run tag
 * `modelops.audit.<time>.<seq>.<random>` holding the entry as JSON. Every workspace pointed at the server reads the
 * same trail; `mlflow ui` shows it as the run's tags. The ledger outlives the model (a deleted model's history stays)
 * and follows a rename. Two clients appending at once never overwrite each other (random keys), and two ledger runs
 * made by a race are read as one.
 */
export const LEDGER_EXPERIMENT = 'modelops-registry';
/** Marks the ledger experiment, so views can leave it out of the experiments they list. */
export const LEDGER_EXPERIMENT_TAG = INTERNAL_EXPERIMENT_TAG;
const KEY_TAG = 'modelops.ledger.key';
const MODEL_TAG = 'modelops.ledger.model';
const AUDIT_PREFIX = 'modelops.audit.';
const ENTRY_KEY = /^modelops\.audit\.(\d{13})\.(\d{3})\.([0-9a-f]{8})$/;
const TAGS_PER_BATCH = 100;

/** An entry as the ledger keeps it: the model name and the id are the trail's. */
export type LedgerEntry = Omit<AuditEntry, 'id' | 'name'>;

/** The filter-safe key of a model name (names may hold quotes, which MLflow's filter grammar cannot escape). */
function ledgerKey(name: string): string {
  return createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 32);
}

function entryTags(entries: readonly LedgerEntry[]): Tag[] {
  const nonce = randomBytes(4).toString('hex');
  return entries.flatMap((e, seq) => {
    const key = `${AUDIT_PREFIX}${String(Math.max(0, Math.trunc(e.time))).padStart(13, '0')}.${String(seq).padStart(3, '0')}.${nonce}`;
    return chunkTags(key, JSON.stringify(e));
  });
}

const ACTIONS: readonly AuditAction[] = ['register', 'validate', 'transition', 'approve', 'reject', 'archive', 'alias_set', 'alias_delete', 'rename', 'delete'];
const optText = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function entryOf(raw: Partial<LedgerEntry> | undefined): LedgerEntry | undefined {
  if (!raw || typeof raw.time !== 'number' || typeof raw.actor !== 'string' || !ACTIONS.includes(raw.action as AuditAction)) return undefined;
  return {
    time: raw.time,
    actor: raw.actor,
    action: raw.action as AuditAction,
    version: optText(raw.version),
    fromStage: optText(raw.fromStage),
    toStage: optText(raw.toStage),
    alias: optText(raw.alias),
    comment: optText(raw.comment),
    reportId: optText(raw.reportId),
  };
}

export class RegistryLedger {
  private experimentId: string | undefined;

  constructor(private readonly tracking: TrackingStore) {}

  /** The ledger experiment's id; made on first need (undefined when it does not exist and `create` is false). */
  private async experiment(create: boolean): Promise<string | undefined> {
    if (this.experimentId) return this.experimentId;
    let exp = await this.tracking.getExperimentByName(LEDGER_EXPERIMENT);
    if (!exp && create) {
      try {
        await this.tracking.createExperiment(LEDGER_EXPERIMENT, [{ key: LEDGER_EXPERIMENT_TAG, value: 'registry-ledger' }]);
      } catch (e) {
        if (!(e instanceof ModelOpsError && e.code === 'RESOURCE_ALREADY_EXISTS')) throw e; // another client made it
      }
      exp = await this.tracking.getExperimentByName(LEDGER_EXPERIMENT);
    }
    if (!exp) return undefined;
    if (exp.lifecycleStage !== 'active') {
      throw new ModelOpsError(
        'INVALID_STATE',
        `the experiment '${LEDGER_EXPERIMENT}' (id ${exp.experimentId}), which holds the model registry's audit trail on this server, was deleted: restore it (modelops experiments restore ${LEDGER_EXPERIMENT})`,
        { location: LEDGER_EXPERIMENT },
      );
    }
    this.experimentId = exp.experimentId;
    return exp.experimentId;
  }

  private async runsOf(name: string, create: boolean): Promise<Run[]> {
    const experimentId = await this.experiment(create);
    if (!experimentId) return [];
    const runs: Run[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.tracking.searchRuns({
        experimentIds: [experimentId],
        filter: `tags.\`${KEY_TAG}\` = '${ledgerKey(name)}'`,
        maxResults: 1000,
        orderBy: ['attributes.start_time ASC'],
        ...(pageToken ? { pageToken } : {}),
      });
      runs.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken);
    if (runs.length > 0 || !create) return runs;
    const run = await this.tracking.createRun({
      experimentId,
      runName: `registry ${name}`.slice(0, 250),
      tags: [
        { key: KEY_TAG, value: ledgerKey(name) },
        { key: MODEL_TAG, value: name.slice(0, 4000) },
        { key: TAG.source, value: 'modelops registry' },
      ],
    });
    await this.tracking.updateRun(run.info.runId, { status: 'FINISHED', endTime: Date.now() });
    return [run];
  }

  /** Appends entries (in this order) to the model's trail. */
  async append(name: string, entries: readonly LedgerEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const [run] = await this.runsOf(name, true);
    const tags = entryTags(entries);
    for (let i = 0; i < tags.length; i += TAGS_PER_BATCH) await this.tracking.logBatch(run!.info.runId, { tags: tags.slice(i, i + TAGS_PER_BATCH) });
  }

  /** The model's trail (one version's when given), oldest first; ids number the model's whole trail from 1. */
  async trail(name: string, version?: string): Promise<AuditEntry[]> {
    const keyed: { key: [string, string, string]; entry: LedgerEntry }[] = [];
    for (const run of await this.runsOf(name, false)) {
      const tags = tagMap(run.data.tags);
      for (const key of tags.keys()) {
        const m = ENTRY_KEY.exec(key);
        const entry = m ? entryOf(unchunkJson<Partial<LedgerEntry>>(tags, key)) : undefined;
        if (m && entry) keyed.push({ key: [m[1]!, m[2]!, m[3]!], entry });
      }
    }
    keyed.sort((a, b) => cmp(a.key[0], b.key[0]) || cmp(a.key[2], b.key[2]) || cmp(a.key[1], b.key[1]));
    const all = keyed.map(({ entry }, i): AuditEntry => ({ id: i + 1, name, ...entry }));
    return version === undefined ? all : all.filter((e) => e.version === String(Number(version)));
  }

  /** The trail follows the model to its new name. */
  async rename(from: string, to: string): Promise<void> {
    for (const run of await this.runsOf(from, false)) {
      await this.tracking.logBatch(run.info.runId, {
        tags: [
          { key: KEY_TAG, value: ledgerKey(to) },
          { key: MODEL_TAG, value: to.slice(0, 4000) },
        ],
      });
    }
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
