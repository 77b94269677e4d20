import type { ArtifactInfo, DatasetInput, Experiment, LogBatch, Metric, Page, Run, RunInfo, RunStatus, SearchRunsQuery, Tag, ViewType } from '../core/tracking';

/**
 * The tracking store: MLflow's AbstractStore, trimmed to what the product uses.
 * `logBatch` is the one write primitive for metrics/params/tags; the conveniences are in
 * `tracking-helpers.ts` so every implementation gets them for free.
 */
export interface TrackingStore {
  // experiments
  createExperiment(name: string, tags?: Tag[], artifactLocation?: string): Promise<string>;
  getExperiment(experimentId: string): Promise<Experiment>;
  getExperimentByName(name: string): Promise<Experiment | undefined>;
  searchExperiments(query?: { viewType?: ViewType; filter?: string; maxResults?: number; orderBy?: string[]; pageToken?: string }): Promise<Page<Experiment>>;
  renameExperiment(experimentId: string, newName: string): Promise<void>;
  deleteExperiment(experimentId: string): Promise<void>;
  restoreExperiment(experimentId: string): Promise<void>;
  setExperimentTag(experimentId: string, tag: Tag): Promise<void>;

  // runs
  createRun(options: { experimentId: string; runName?: string; userId?: string; startTime?: number; tags?: Tag[]; parentRunId?: string }): Promise<Run>;
  getRun(runId: string): Promise<Run>;
  updateRun(runId: string, update: { status?: RunStatus; endTime?: number; runName?: string }): Promise<RunInfo>;
  deleteRun(runId: string): Promise<void>;
  restoreRun(runId: string): Promise<void>;
  logBatch(runId: string, batch: LogBatch): Promise<void>;
  /**
   * Several log-batch requests applied as ONE transaction (all or nothing), each checked against
   * MLflow's per-batch limits. The buffered metric logger flushes through this.
   */
  logBatchMany(entries: { runId: string; batch: LogBatch }[]): Promise<void>;
  /** MLflow's `delete_tag`: the run must be active and have the tag (else RESOURCE_DOES_NOT_EXIST). */
  deleteTag(runId: string, key: string): Promise<void>;
  getMetricHistory(runId: string, key: string): Promise<Metric[]>;
  logInputs(runId: string, datasets: DatasetInput[]): Promise<void>;
  searchRuns(query: SearchRunsQuery): Promise<Page<Run>>;
  /**
   * searchRuns' ids only, same filter and order, for callers that need no run bodies (a table
   * filtering 10,000 runs). Optional: callers fall back to searchRuns.
   */
  searchRunIds?(query: SearchRunsQuery): Promise<Page<string>>;
  /** min and max of a metric over every step, per active run of an experiment (NaN left out). Optional, as searchRunIds. */
  metricRanges?(experimentId: string, key: string): Promise<Map<string, { min: number; max: number }>>;

  // artifacts (local layout: <artifact_uri>/<path>)
  logArtifact(runId: string, localPath: string, artifactPath?: string): Promise<void>;
  listArtifacts(runId: string, path?: string): Promise<ArtifactInfo[]>;
  /** Local filesystem path of an artifact (downloaded first for remote stores). */
  artifactLocalPath(runId: string, path: string): Promise<string>;

  /**
   * Calls `listener` whenever the store changes, by this process or another (CLI, other window);
   * returns a disposer. Optional: a remote store may not support it (poll instead).
   */
  onDidChange?(listener: () => void): () => void;

  /** Flush buffered writes and release resources. */
  close(): Promise<void>;
}
