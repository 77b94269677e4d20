import { ModelOpsError } from '../../core/errors';
import type { FrozenTrial, StudyRecord, StudyStore } from '../../core/tuning';
import type { Distribution } from '../../tuning/distributions';
import { better, lastIntermediate } from '../../tuning/trial';
import type { EngineOptions } from '../engine';
import { ChangeNotifier } from '../sql/change-notifier';
import type { FileSignature } from '../sql/file-signature';
import { sameSignature, signatureOf } from '../sql/file-signature';
import type { OptunaFile, OptunaStudy, OptunaTrial } from './optuna-reader';
import { readOptunaFile } from './optuna-reader';

/** What a stored study says of an Optuna one: where it came from (`settings` of the record). */
export interface OptunaOrigin {
  source: 'optuna';
  file: string;
  study: string;
  optunaVersion: string;
  objectives: number;
}

/**
 * The params' distributions of a study: each param's latest (a define-by-run study may change
 * one between trials; `conflicts` lists those that did).
 */
export function studySpace(study: OptunaStudy): { space: Record<string, Distribution>; conflicts: string[] } {
  const space: Record<string, Distribution> = {};
  const conflicts = new Set<string>();
  for (const t of study.trials) {
    for (const [name, d] of Object.entries(t.distributions)) {
      if (space[name] && JSON.stringify(space[name]) !== JSON.stringify(d)) conflicts.add(name);
      space[name] = d;
    }
  }
  return { space, conflicts: [...conflicts] };
}

/**
 * An Optuna trial as ours: the first objective's value. A pruned trial's is its last report (Optuna
 * 3 stores that as its value; Optuna 2 stored none), as ours.
 */
export function frozenTrial(t: OptunaTrial): FrozenTrial {
  const out: FrozenTrial = { number: t.number, state: t.state, params: { ...t.params }, intermediate: { ...t.intermediate } };
  const value = t.state === 'COMPLETE' ? t.values?.[0] : t.state === 'PRUNED' ? (t.values?.[0] ?? lastIntermediate(out)) : undefined;
  if (value !== undefined && !Number.isNaN(value)) out.value = value;
  if (t.startTime !== undefined) out.startTime = t.startTime;
  if (t.endTime !== undefined) out.endTime = t.endTime;
  if (t.failReason !== undefined) out.failReason = t.failReason;
  return out;
}

/** The study's record as the panel and the import see it (no run: the trials ran in Optuna). */
export function studyRecord(file: OptunaFile, study: OptunaStudy): StudyRecord {
  const origin: OptunaOrigin = {
    source: 'optuna',
    file: file.path,
    study: study.name,
    optunaVersion: file.schema.libraryVersion,
    objectives: study.directions.length,
  };
  const starts = study.trials.map((t) => t.startTime).filter((t): t is number => t !== undefined);
  return {
    name: study.name,
    experimentId: '',
    direction: study.directions[0]!,
    metric: study.directions.length > 1 ? 'values[0]' : 'value',
    sampler: 'Optuna',
    pruner: file.schema.libraryVersion,
    space: JSON.stringify(studySpace(study).space),
    settings: JSON.stringify(origin),
    runId: '',
    createdTime: starts.length ? Math.min(...starts) : 0,
  };
}

/**
 * An Optuna storage file as a read-only StudyStore (what the study panel reads): every call reads
 * the file afresh, so a study Optuna is running shows its new trials; `onDidChange` tells when.
 */
export class OptunaStudyStore implements StudyStore {
  private readonly notifier: ChangeNotifier;
  private lastVersion = '?';
  private last: { signature: FileSignature; file: OptunaFile } | undefined;

  constructor(
    readonly path: string,
    private readonly options: EngineOptions = {},
  ) {
    this.notifier = new ChangeNotifier(path);
  }

  /** The Optuna version that wrote the file, as of the last read. */
  get optunaVersion(): string {
    return this.lastVersion;
  }

  /** One read per committed state of the file: the panel asks for the list and a study each reload. */
  private async read(): Promise<OptunaFile> {
    const signature = signatureOf(this.path);
    if (this.last && signature && sameSignature(signature, this.last.signature)) return this.last.file;
    const file = await readOptunaFile(this.path, this.options);
    this.lastVersion = file.schema.libraryVersion;
    this.last = signature ? { signature, file } : undefined;
    return file;
  }

  async getStudy(name: string): Promise<{ study: StudyRecord; trials: FrozenTrial[] } | undefined> {
    const file = await this.read();
    const study = file.studies.find((s) => s.name === name);
    return study ? { study: studyRecord(file, study), trials: study.trials.map(frozenTrial) } : undefined;
  }

  async listStudies(): Promise<(StudyRecord & { trials: number; complete: number; best?: number })[]> {
    const file = await this.read();
    return file.studies.map((s) => {
      const record = studyRecord(file, s);
      const complete = s.trials.map(frozenTrial).filter((t) => t.state === 'COMPLETE');
      let best: number | undefined;
      for (const t of complete) if (t.value !== undefined && (best === undefined || better(record.direction, t.value, best))) best = t.value;
      return { ...record, trials: s.trials.length, complete: complete.length, ...(best !== undefined ? { best } : {}) };
    });
  }

  createStudy(): Promise<void> {
    return Promise.reject(this.readOnly());
  }

  saveTrial(): Promise<void> {
    return Promise.reject(this.readOnly());
  }

  /** Calls `listener` after every change of the file (Optuna committing a trial); returns a disposer. */
  onDidChange(listener: () => void): () => void {
    return this.notifier.subscribe(listener);
  }

  close(): void {
    this.notifier.close();
  }

  private readOnly(): ModelOpsError {
    return new ModelOpsError(
      'INVALID_STATE',
      `${this.path}: an Optuna study file is shown read-only; copy a study into the workspace with modelops studies import --optuna ${this.path}`,
      { location: this.path },
    );
  }
}
