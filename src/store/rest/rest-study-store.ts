import { createHash } from 'node:crypto';
import { ModelOpsError } from '../../core/errors';
import { chunkTags, tagMap, unchunkJson } from '../../core/tag-chunks';
import type { Run, Tag } from '../../core/tracking';
import type { Direction, FrozenTrial, StudyRecord, StudyStore, TrialState } from '../../core/tuning';
import type { TrackingStore } from '../tracking-store';

/**
 * Tuning studies on an MLflow tracking server, which has no table for them: the study lives in its parent run (the
 * run its trials are nested under), as run tags — `modelops.study_record` (the study as JSON), `modelops.study_key`
 * (a filter-safe key of its name) and one `modelops.trial.<number>` per trial (the frozen trial as JSON). So a study
 * started on one machine is found, listed and resumed from any other pointed at the same server, and `mlflow ui`
 * shows its state on the parent run.
 */
const RECORD_TAG = 'modelops.study_record';
const KEY_TAG = 'modelops.study_key';
const NAME_TAG = 'modelops.study';
const TRIAL_PREFIX = 'modelops.trial.';
const TRIAL_KEY = /^modelops\.trial\.(\d+)$/;
const STATES: readonly TrialState[] = ['RUNNING', 'COMPLETE', 'PRUNED', 'FAIL'];
/** Experiments per runs/search request. */
const EXPERIMENTS_PER_SEARCH = 100;

function studyKey(name: string): string {
  return createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 32);
}

function recordOf(run: Run): StudyRecord | undefined {
  const r = unchunkJson<Partial<StudyRecord>>(tagMap(run.data.tags), RECORD_TAG);
  if (!r || typeof r.name !== 'string' || (r.direction !== 'maximize' && r.direction !== 'minimize')) return undefined;
  return {
    name: r.name,
    experimentId: String(r.experimentId ?? run.info.experimentId),
    direction: r.direction as Direction,
    metric: String(r.metric ?? ''),
    sampler: String(r.sampler ?? ''),
    pruner: String(r.pruner ?? ''),
    space: String(r.space ?? '{}'),
    settings: String(r.settings ?? '{}'),
    runId: run.info.runId,
    createdTime: Number(r.createdTime ?? run.info.startTime),
  };
}

function trialsOf(run: Run): FrozenTrial[] {
  const tags = tagMap(run.data.tags);
  const out: FrozenTrial[] = [];
  for (const key of tags.keys()) {
    const m = TRIAL_KEY.exec(key);
    const t = m ? unchunkJson<FrozenTrial>(tags, key) : undefined;
    if (!m || !t || !STATES.includes(t.state) || t.number !== Number(m[1])) continue;
    out.push({
      number: t.number,
      state: t.state,
      params: t.params ?? {},
      ...(typeof t.value === 'number' ? { value: t.value } : {}),
      intermediate: t.intermediate ?? {},
      ...(t.runId ? { runId: t.runId } : {}),
      ...(typeof t.startTime === 'number' ? { startTime: t.startTime } : {}),
      ...(typeof t.endTime === 'number' ? { endTime: t.endTime } : {}),
      ...(typeof t.failReason === 'string' ? { failReason: t.failReason } : {}),
    });
  }
  return out.sort((a, b) => a.number - b.number);
}

export class RestStudyStore implements StudyStore {
  /** Study name → its parent run, once found (trials are saved often). */
  private readonly runs = new Map<string, string>();

  constructor(private readonly tracking: TrackingStore) {}

  /** The parent runs of studies (of one study when named), oldest first, across every active experiment. */
  private async studyRuns(name?: string): Promise<Run[]> {
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.tracking.searchExperiments({ maxResults: 1000, ...(token ? { pageToken: token } : {}) });
      ids.push(...page.items.map((e) => e.experimentId));
      token = page.nextPageToken;
    } while (token);
    const filter = name === undefined ? `tags.\`${KEY_TAG}\` LIKE '%'` : `tags.\`${KEY_TAG}\` = '${studyKey(name)}'`;
    const out: Run[] = [];
    for (let i = 0; i < ids.length; i += EXPERIMENTS_PER_SEARCH) {
      let pageToken: string | undefined;
      do {
        const page = await this.tracking.searchRuns({
          experimentIds: ids.slice(i, i + EXPERIMENTS_PER_SEARCH),
          filter,
          maxResults: 1000,
          orderBy: ['attributes.start_time ASC'],
          ...(pageToken ? { pageToken } : {}),
        });
        out.push(...page.items);
        pageToken = page.nextPageToken;
      } while (pageToken);
    }
    return out.filter((r) => recordOf(r) !== undefined && (name === undefined || recordOf(r)!.name === name));
  }

  async getStudy(name: string): Promise<{ study: StudyRecord; trials: FrozenTrial[] } | undefined> {
    const [run] = await this.studyRuns(name);
    if (!run) return undefined;
    this.runs.set(name, run.info.runId);
    return { study: recordOf(run)!, trials: trialsOf(run) };
  }

  async listStudies(): Promise<(StudyRecord & { trials: number; complete: number; best?: number })[]> {
    const seen = new Set<string>();
    const out: (StudyRecord & { trials: number; complete: number; best?: number })[] = [];
    for (const run of await this.studyRuns()) {
      const study = recordOf(run)!;
      if (seen.has(study.name)) continue; // two machines racing to create one study: the first one counts
      seen.add(study.name);
      const trials = trialsOf(run);
      const values = trials.filter((t) => t.state === 'COMPLETE' && typeof t.value === 'number').map((t) => t.value!);
      const best = values.length === 0 ? undefined : study.direction === 'maximize' ? Math.max(...values) : Math.min(...values);
      out.push({ ...study, trials: trials.length, complete: trials.filter((t) => t.state === 'COMPLETE').length, ...(best === undefined ? {} : { best }) });
    }
    return out.sort((a, b) => b.createdTime - a.createdTime || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async createStudy(study: StudyRecord): Promise<void> {
    if (await this.getStudy(study.name)) {
      throw new ModelOpsError('RESOURCE_ALREADY_EXISTS', `a study named '${study.name}' already exists`, { location: study.name });
    }
    try {
      await this.tracking.getRun(study.runId);
    } catch (e) {
      if (e instanceof ModelOpsError && e.code === 'RESOURCE_DOES_NOT_EXIST') {
        throw new ModelOpsError(
          'INVALID_PARAMETER_VALUE',
          `study '${study.name}': its parent run ${study.runId} is not on the server (a study's state lives in its parent run)`,
          { location: study.runId },
        );
      }
      throw e;
    }
    const record = { ...study } as Partial<StudyRecord>;
    delete record.runId;
    // The record (its key last) after the name: a reader finds the study only once it is whole.
    await this.logTags(study.runId, [
      { key: NAME_TAG, value: study.name.slice(0, 4000) },
      ...chunkTags(RECORD_TAG, JSON.stringify(record)),
      { key: KEY_TAG, value: studyKey(study.name) },
    ]);
    this.runs.set(study.name, study.runId);
  }

  async saveTrial(study: string, trial: FrozenTrial): Promise<void> {
    let runId = this.runs.get(study);
    if (!runId) runId = (await this.getStudy(study))?.study.runId;
    if (!runId) throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', `no study named '${study}' on the server`, { location: study });
    await this.logTags(runId, chunkTags(`${TRIAL_PREFIX}${trial.number}`, JSON.stringify(trial)));
  }

  /** MLflow takes at most 100 tags per log-batch. */
  private async logTags(runId: string, tags: Tag[]): Promise<void> {
    for (let i = 0; i < tags.length; i += 100) await this.tracking.logBatch(runId, { tags: tags.slice(i, i + 100) });
  }
}
