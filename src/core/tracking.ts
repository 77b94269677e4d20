/** Tracking entities, shaped like MLflow's (mlflow/entities) so both stores map onto them 1:1. */

export type LifecycleStage = 'active' | 'deleted';
export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
export const RUN_STATUSES: readonly RunStatus[] = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'];
export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

export interface Tag {
  key: string;
  value: string;
}

export interface Experiment {
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: LifecycleStage;
  creationTime: number;
  lastUpdateTime: number;
  tags: Tag[];
}

export interface Metric {
  key: string;
  value: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
  step: number;
}

export interface Param {
  key: string;
  value: string;
}

export interface RunInfo {
  runId: string;
  runName: string;
  experimentId: string;
  userId: string;
  status: RunStatus;
  startTime: number;
  endTime: number | null;
  artifactUri: string;
  lifecycleStage: LifecycleStage;
}

export interface DatasetInput {
  name: string;
  digest: string;
  sourceType: string;
  source: string;
  /** MLflow's dataset schema JSON, e.g. `{"mlflow_colspec": [...]}`. */
  schema?: string;
  /** MLflow's dataset profile JSON (ours holds per-column statistics). */
  profile?: string;
  /** Input tags such as `mlflow.data.context` = `training`. */
  tags?: Tag[];
}

export interface RunData {
  /** Latest value of each metric (the value at the highest step, then timestamp). */
  metrics: Metric[];
  params: Param[];
  tags: Tag[];
}

export interface Run {
  info: RunInfo;
  data: RunData;
  inputs: DatasetInput[];
}

export interface LogBatch {
  metrics?: Metric[];
  params?: Param[];
  tags?: Tag[];
}

export interface Page<T> {
  items: T[];
  /** Absent when there is nothing more. */
  nextPageToken?: string;
}

export interface SearchRunsQuery {
  experimentIds: string[];
  filter?: string;
  runViewType?: ViewType;
  maxResults?: number;
  orderBy?: string[];
  pageToken?: string;
}

export interface ArtifactInfo {
  /** Path relative to the run's artifact root, `/`-separated. */
  path: string;
  isDir: boolean;
  fileSize?: number;
}

/** Well-known tag keys, as MLflow names them. */
export const TAG = {
  runName: 'mlflow.runName',
  parentRunId: 'mlflow.parentRunId',
  user: 'mlflow.user',
  source: 'mlflow.source.name',
  sourceType: 'mlflow.source.type',
  gitCommit: 'mlflow.source.git.commit',
  note: 'mlflow.note.content',
  loggedModels: 'mlflow.log-model.history',
} as const;
