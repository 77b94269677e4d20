// "Train with these params" from the study panel: the training form's settings from a study's
// data and its best trial's params (no vscode import, so the unit tests cover it).
import { storedSettings } from '../../pipeline/study-json';
import { ModelOpsError } from '../../core/errors';
import type { Tag } from '../../core/tracking';
import type { StudyStore } from '../../core/tuning';
import type { TrainParamsFile } from '../../pipeline/train-options';
import { applyParams } from '../../pipeline/tune-space';
import type { TrackingStore } from '../../store/tracking-store';
import { bestTrialOf } from '../../tuning/trial';
import { studyTrainingSource } from '../webviews/study-data';
import type { TrainSettings } from './train-settings';
import { defaultSettings } from './train-settings';

/** How a training run is tied to its study: nested under the study's run and tagged as tune --train-best tags its run. */
export interface StudyLink {
  parentRunId?: string;
  tags?: Tag[];
  /** What the form cannot show (the ensemble's weights, the engine, member specs): passed as they are. */
  fixed?: Omit<TrainParamsFile, 'rf' | 'knn' | 'tree' | 'dummy'>;
}

const MEMBER_KEYS = ['rf', 'knn', 'tree'] as const;

/** `{ rf: { nEstimators: 200 } }` → `rf.nEstimators=200`, the form's text (null stays `null`). */
export function paramsText(file: TrainParamsFile): string {
  return MEMBER_KEYS.flatMap((m) => Object.entries(file[m] ?? {}).map(([k, v]) => `${m}.${k}=${v === null ? 'null' : String(v)}`)).join(', ');
}

/** The form's settings for study `name`'s best trial, and the link that ties the run to the study. */
export async function studyBestSettings(
  store: { tracking: TrackingStore; studies: StudyStore },
  name: string,
): Promise<{ settings: TrainSettings; link: StudyLink; trial: number }> {
  const found = await store.studies.getStudy(name);
  if (!found) throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', `There is no study named '${name}' in this workspace's store.`);
  const { study, trials } = found;
  const source = studyTrainingSource(study);
  if ('note' in source) throw new ModelOpsError('INVALID_STATE', source.note);
  const best = bestTrialOf(trials, study.direction);
  if (!best) throw new ModelOpsError('INVALID_STATE', `No trial of study ${name} has completed yet: there are no best params to train.`);
  const s = storedSettings(study); // checked: a malformed stored value is refused naming the study and the field
  const members = s.models;
  const file = applyParams(s.base ?? {}, best.params, members);
  const fixed: StudyLink['fixed'] = {
    ...(file.members ? { members: file.members } : {}),
    ...(file.engine ? { engine: file.engine } : {}),
    ...(file.weights ? { weights: file.weights } : {}),
  };
  const experiment = await store.tracking.getExperiment(study.experimentId);
  const settings: TrainSettings = {
    ...defaultSettings(source.data, source.target, experiment.name, members.length > 0 ? members : ['rf', 'knn']),
    cv: s.cv ?? 5,
    seed: s.seed ?? 42,
    params: paramsText(file),
    runName: `${study.name}-best`,
  };
  const tags = [
    { key: 'modelops.study', value: study.name },
    { key: 'modelops.best_of_trial', value: String(best.number) },
  ];
  return { settings, link: { parentRunId: study.runId, tags, fixed }, trial: best.number };
}

/** True when the form still trains what the trial ran (so the run may say it is that trial's). */
export function sameTraining(a: TrainSettings, b: TrainSettings): boolean {
  const key = (s: TrainSettings): string => JSON.stringify([s.data, s.target, s.task, s.members, s.cv, s.seed, s.params]);
  return key(a) === key(b);
}
