import type { StudyRecord } from '../core/tuning';
import { MEMBER_TYPES } from '../ml/estimators';
import type { Infer } from '../shared/validate';
import { arr, int, literal, obj, parseStored, record, str, unknownValue } from '../shared/validate';
import type { SearchSpace } from '../tuning/distributions';
import { SEARCH_SPACE } from '../tuning/distributions';
import { STORED_PRUNER_OPTIONS } from '../tuning/pruner-options';
import { TRAIN_PARAMS_FILE } from './train-options';

/**
 * A study's stored settings (tune-study.ts's TuneSettings, as `modelops tune` writes them). An
 * Optuna study imported without --data keeps only `target`, `models` and `importedFrom`, so the
 * rest is optional here; a resumed study compares each against the session's. `prunerOptions`
 * came later: a study stored before it ran with Optuna's defaults.
 */
export const STUDY_SETTINGS = obj(
  { target: str, models: arr(literal(...MEMBER_TYPES)) },
  { data: str, digest: str, cv: int(0), seed: int(), base: TRAIN_PARAMS_FILE, importedFrom: record(unknownValue), prunerOptions: STORED_PRUNER_OPTIONS },
);
export type StoredStudySettings = Infer<typeof STUDY_SETTINGS>;

/** The study's settings, checked: a malformed stored value is refused naming the study and the field. */
export function storedSettings(study: StudyRecord): StoredStudySettings {
  return parseStored(STUDY_SETTINGS, study.settings, `study '${study.name}' settings`);
}

/** The study's search space, checked as a --space file is. */
export function storedSpace(study: StudyRecord): SearchSpace {
  return parseStored(SEARCH_SPACE, study.space, `study '${study.name}' search space`);
}

/** The stored JSON as it is, for `studies list|show --json` (an object, or refused naming the study). */
export function storedJson(study: StudyRecord): { space: Record<string, unknown>; settings: Record<string, unknown> } {
  return {
    space: parseStored(record(unknownValue), study.space, `study '${study.name}' search space`),
    settings: parseStored(record(unknownValue), study.settings, `study '${study.name}' settings`),
  };
}

const FOLDS = obj({}, { cv: int(0) });

/** Only the folds a study was run with (what the Tune form starts from), whatever else its settings hold. */
export function storedFolds(study: StudyRecord): number | undefined {
  return parseStored(FOLDS, study.settings, `study '${study.name}' settings`).cv;
}

const TRAINING_SOURCE = obj({}, { data: str, target: str });

/** Only the data file and target a study's trials ran on (what the panel's Train needs), whatever else its settings hold. */
export function storedTrainingSource(study: StudyRecord): { data?: string; target?: string } {
  return parseStored(TRAINING_SOURCE, study.settings, `study '${study.name}' settings`);
}

const PRUNER_OPTIONS = obj({}, { prunerOptions: STORED_PRUNER_OPTIONS });

/** Only the pruner parameters a study was stored with (what the Tune form starts from); undefined before they were stored. */
export function storedPrunerOptions(study: StudyRecord): Record<string, number | 'auto'> | undefined {
  return parseStored(PRUNER_OPTIONS, study.settings, `study '${study.name}' settings`).prunerOptions;
}
