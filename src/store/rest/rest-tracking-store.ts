import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { isProxiedUri, localPathOf, uriScheme } from '../../core/artifact-uri';
import { ModelOpsError } from '../../core/errors';
import { experimentFromJson, metricFromJson, runFromJson, runInfoFromJson, datasetInputJson, doubleJson } from '../../core/mlflow-wire';
import type {
  ArtifactInfo,
  DatasetInput,
  Experiment,
  LogBatch,
  Metric,
  Page,
  Run,
  RunInfo,
  RunStatus,
  SearchRunsQuery,
  Tag,
  ViewType,
} from '../../core/tracking';
import { TAG } from '../../core/tracking';
import { artifactDir, artifactPathIn, copyArtifact, listArtifactDir } from '../sqlite/artifacts';
import type { TrackingStore } from '../tracking-store';
import { validateBatch, validateExperimentName, validateRunStatus } from '../validation';
import type { ClientOptions } from './mlflow-client';
import { MlflowClient } from './mlflow-client';
import { ProxiedArtifacts } from './proxied-artifacts';

/**
 * A TrackingStore on an MLflow tracking server (MLflow's REST API, as 2.10.2 speaks it): the
 * same views and commands for a team that has outgrown one workspace file. Artifacts go through the
 * server's artifact proxy for `mlflow-artifacts:` URIs (MLflow ≥ 2.0's default, and `modelops server`'s),
 * or straight to the folder the run's URI names when that is local or mounted (a shared
 * `--default-artifact-root`); cloud URIs are refused with a clear message.
 */
export class RestTrackingStore implements TrackingStore {
  readonly client: MlflowClient;
  readonly url: string;

  /** A server URL (with client options), or a client shared with the registry and study stores. */
  constructor(server: string | MlflowClient, options: ClientOptions = {}) {
    this.client = typeof server === 'string' ? new MlflowClient(server.replace(/\/+$/, ''), options) : server;
    this.url = this.client.baseUrl;
  }

  // ---- experiments ----------------------------------------------------------------------------

  async createExperiment(name: string, tags: Tag[] = [], artifactLocation?: string): Promise<string> {
    validateExperimentName(name);
    const r = await this.client.call('POST', 'experiments/create', { name, tags, ...(artifactLocation ? { artifact_location: artifactLocation } : {}) });
    return String(r.experiment_id);
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    return experimentFromJson((await this.client.call('GET', 'experiments/get', { experiment_id: experimentId })).experiment);
  }

  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    try {
      return experimentFromJson((await this.client.call('GET', 'experiments/get-by-name', { experiment_name: name })).experiment);
    } catch (e) {
      if (e instanceof ModelOpsError && e.code === 'RESOURCE_DOES_NOT_EXIST') return undefined;
      throw e;
    }
  }

  async searchExperiments(
    query: { viewType?: ViewType; filter?: string; maxResults?: number; orderBy?: string[]; pageToken?: string } = {},
  ): Promise<Page<Experiment>> {
    const r = await this.client.call('POST', 'experiments/search', {
      max_results: query.maxResults ?? 1000,
      ...(query.viewType ? { view_type: query.viewType } : {}),
      ...(query.filter ? { filter: query.filter } : {}),
      ...(query.orderBy?.length ? { order_by: query.orderBy } : {}),
      ...(query.pageToken ? { page_token: query.pageToken } : {}),
    });
    const items = ((r.experiments as unknown[]) ?? []).map(experimentFromJson);
    return { items, ...(typeof r.next_page_token === 'string' && items.length > 0 ? { nextPageToken: r.next_page_token } : {}) };
  }

  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    validateExperimentName(newName);
    await this.client.call('POST', 'experiments/update', { experiment_id: experimentId, new_name: newName });
  }

  async deleteExperiment(experimentId: string): Promise<void> {
    await this.client.call('POST', 'experiments/delete', { experiment_id: experimentId });
  }

  async restoreExperiment(experimentId: string): Promise<void> {
    await this.client.call('POST', 'experiments/restore', { experiment_id: experimentId });
  }

  async setExperimentTag(experimentId: string, tag: Tag): Promise<void> {
    await this.client.call('POST', 'experiments/set-experiment-tag', { experiment_id: experimentId, key: tag.key, value: tag.value });
  }

  // ---- runs -----------------------------------------------------------------------------------

  async createRun(options: { experimentId: string; runName?: string; userId?: string; startTime?: number; tags?: Tag[]; parentRunId?: string }): Promise<Run> {
    const tags = [...(options.tags ?? [])];
    if (options.parentRunId !== undefined) {
      await this.getRun(options.parentRunId); // MLflow does not check; a missing parent is an error here, as in the workspace store
      tags.push({ key: TAG.parentRunId, value: options.parentRunId });
    }
    const r = await this.client.call('POST', 'runs/create', {
      experiment_id: options.experimentId,
      start_time: options.startTime ?? Date.now(),
      ...(options.runName ? { run_name: options.runName } : {}),
      ...(options.userId !== undefined ? { user_id: options.userId } : {}),
      tags,
    });
    // runs/create answers without params, metrics or inputs; a fresh run has none.
    return runFromJson(r.run);
  }

  async getRun(runId: string): Promise<Run> {
    return runFromJson((await this.client.call('GET', 'runs/get', { run_id: runId })).run);
  }

  async updateRun(runId: string, update: { status?: RunStatus; endTime?: number; runName?: string }): Promise<RunInfo> {
    if (update.status !== undefined) validateRunStatus(update.status);
    const r = await this.client.call('POST', 'runs/update', {
      run_id: runId,
      ...(update.status ? { status: update.status } : {}),
      ...(update.endTime !== undefined ? { end_time: update.endTime } : {}),
      ...(update.runName !== undefined ? { run_name: update.runName } : {}),
    });
    return runInfoFromJson(r.run_info);
  }

  async deleteRun(runId: string): Promise<void> {
    await this.client.call('POST', 'runs/delete', { run_id: runId });
  }

  async restoreRun(runId: string): Promise<void> {
    await this.client.call('POST', 'runs/restore', { run_id: runId });
  }

  async logBatch(runId: string, batch: LogBatch): Promise<void> {
    validateBatch(batch);
    await this.client.call('POST', 'runs/log-batch', {
      run_id: runId,
      metrics: (batch.metrics ?? []).map((m) => ({ key: m.key, value: doubleJson(m.value), timestamp: m.timestamp, step: m.step })),
      params: batch.params ?? [],
      tags: batch.tags ?? [],
    });
  }

  /** One request per entry (the server's batch limits are per request); stops at the first error. */
  async logBatchMany(entries: { runId: string; batch: LogBatch }[]): Promise<void> {
    for (const e of entries) validateBatch(e.batch);
    for (const e of entries) await this.logBatch(e.runId, e.batch);
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    await this.client.call('POST', 'runs/delete-tag', { run_id: runId, key });
  }

  async getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    const out: Metric[] = [];
    let pageToken: string | undefined;
    do {
      const r = await this.client.call('GET', 'metrics/get-history', { run_id: runId, metric_key: key, ...(pageToken ? { page_token: pageToken } : {}) });
      const page = ((r.metrics as unknown[]) ?? []).map(metricFromJson);
      out.push(...page);
      pageToken = typeof r.next_page_token === 'string' && page.length > 0 ? r.next_page_token : undefined;
    } while (pageToken);
    return out;
  }

  async logInputs(runId: string, datasets: DatasetInput[]): Promise<void> {
    await this.client.call('POST', 'runs/log-inputs', { run_id: runId, datasets: datasets.map(datasetInputJson) });
  }

  async searchRuns(query: SearchRunsQuery): Promise<Page<Run>> {
    const r = await this.client.call('POST', 'runs/search', {
      experiment_ids: query.experimentIds,
      max_results: query.maxResults ?? 1000,
      ...(query.filter ? { filter: query.filter } : {}),
      ...(query.runViewType ? { run_view_type: query.runViewType } : {}),
      ...(query.orderBy?.length ? { order_by: query.orderBy } : {}),
      ...(query.pageToken ? { page_token: query.pageToken } : {}),
    });
    const items = ((r.runs as unknown[]) ?? []).map(runFromJson);
    // MLflow hands out a token whenever a page is full; the next page may then be empty.
    return { items, ...(typeof r.next_page_token === 'string' && items.length > 0 ? { nextPageToken: r.next_page_token } : {}) };
  }

  // ---- artifacts: through the artifact proxy, or where the run's URI points when this machine reaches it

  private async artifactRoot(runId: string): Promise<{ root: string; info: RunInfo } | { proxy: ProxiedArtifacts; info: RunInfo }> {
    const info = (await this.getRun(runId)).info;
    const uri = info.artifactUri;
    if (isProxiedUri(uri)) return { proxy: new ProxiedArtifacts(this.client, uri, runId), info };
    if (/^[a-z][a-z0-9+.-]*:/i.test(uri) && !/^file:/i.test(uri)) {
      throw unreachableArtifacts(runId, uri);
    }
    return { root: artifactDir(uri, runId), info };
  }

  /**
   * Why this client could not write artifacts under `location` (an experiment's), or undefined when it can: through
   * the server's proxy, or into a folder this machine shares with the server.
   */
  async artifactRootProblem(location: string): Promise<string | undefined> {
    if (isProxiedUri(location)) {
      try {
        await new ProxiedArtifacts(this.client, location, '').list('');
        return undefined;
      } catch (e) {
        if (e instanceof ModelOpsError && e.code === 'ENDPOINT_NOT_FOUND')
          return `but ${this.url} does not serve the artifact proxy: start the server with --serve-artifacts`;
        throw e;
      }
    }
    const local = localPathOf(location);
    if (local !== undefined) {
      return existsSync(dirname(local))
        ? undefined
        : `a folder of the server's machine that this one does not have (${dirname(local)}): mount it here at the same path, or start the server with --serve-artifacts`;
    }
    if (uriScheme(location) === undefined)
      return `a path relative to the server's own folder, which this client cannot reach: start the server with --serve-artifacts (or an absolute --default-artifact-root shared with this machine)`;
    const scheme = uriScheme(location)!;
    return `which this client cannot write (${scheme}: is reached with the cloud's own SDK and credentials): start the MLflow server with --serve-artifacts (and --artifacts-destination ${scheme}://…) so artifacts go through it; experiments made before keep their location, so log into a new experiment`;
  }

  async logArtifact(runId: string, localPath: string, artifactPath?: string): Promise<void> {
    const where = await this.artifactRoot(runId);
    if (where.info.lifecycleStage !== 'active')
      throw new ModelOpsError('INVALID_PARAMETER_VALUE', `The run ${runId} must be in the 'active' state. Current state is ${where.info.lifecycleStage}.`, {
        location: runId,
      });
    if ('proxy' in where) await where.proxy.log(localPath, artifactPath);
    else copyArtifact(where.root, localPath, artifactPath);
  }

  async listArtifacts(runId: string, path?: string): Promise<ArtifactInfo[]> {
    const where = await this.artifactRoot(runId);
    return 'proxy' in where ? where.proxy.list(path) : listArtifactDir(where.root, path);
  }

  async artifactLocalPath(runId: string, path: string): Promise<string> {
    const where = await this.artifactRoot(runId);
    return 'proxy' in where ? where.proxy.localPath(path) : artifactPathIn(where.root, path);
  }

  async close(): Promise<void> {
    /* nothing held open */
  }
}

/**
 * Artifacts in object storage (`s3://`, `gs://`, `wasbs://`, `hdfs://`, …) are written by MLflow's clients with the
 * cloud's own SDK and credentials, which this client does not carry: it reaches artifacts through the server's proxy.
 */
export function unreachableArtifacts(runId: string, uri: string): ModelOpsError {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1] ?? uri;
  return new ModelOpsError(
    'INVALID_PARAMETER_VALUE',
    `run ${runId}: its artifacts live at ${uri}, which this client cannot reach (${scheme}: is read with the cloud's own SDK). Start the MLflow server with --serve-artifacts (and --artifacts-destination ${scheme}://…), so artifacts go through the server as mlflow-artifacts: URIs; runs made before keep their location (or give a --default-artifact-root folder this machine shares)`,
    { location: uri },
  );
}
