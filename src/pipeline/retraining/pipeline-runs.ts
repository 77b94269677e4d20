import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Metric, RunStatus, Tag } from '../../core/tracking';
import type { TrackingStore } from '../../store/tracking-store';
import { logRunParams, runTags } from '../run-logging';
import type { StepName } from './pipeline-report';

/**
 * The MLflow runs of one pipeline run: a parent run, and a nested run per step with its status,
 * timing and report artifacts. Each run carries its owner (store/run-owner.ts), so a process
 * killed mid-way leaves runs the next open of the store ends FAILED, not RUNNING forever.
 */
export const PIPELINE_TAG = {
  kind: 'modelops.pipeline',
  file: 'modelops.pipeline.file',
  step: 'modelops.pipeline.step',
  outcome: 'modelops.pipeline.outcome',
  run: 'modelops.pipeline.run',
} as const;

/** MLflow metric keys take letters, digits, `_ - . / ` and spaces. */
export function metricKey(text: string): string {
  return text.replace(/[^\w\-./ ]/g, '_').slice(0, 200);
}

export class PipelineRuns {
  /** Step runs started and not ended yet (ended FAILED or KILLED if the pipeline stops on an error). */
  private readonly open = new Set<string>();

  private constructor(
    private readonly tracking: TrackingStore,
    readonly experimentId: string,
    readonly runId: string,
  ) {}

  static async start(
    tracking: TrackingStore,
    experimentId: string,
    o: { model: string; file?: string; params: Record<string, string> },
  ): Promise<PipelineRuns> {
    const tags = runTags(
      'modelops pipeline run',
      [{ key: PIPELINE_TAG.kind, value: 'retrain' }, ...(o.file ? [{ key: PIPELINE_TAG.file, value: o.file }] : [])],
      true,
    );
    const run = await tracking.createRun({ experimentId, runName: `pipeline-${o.model}`, tags });
    await logRunParams(tracking, run.info.runId, o.params);
    return new PipelineRuns(tracking, experimentId, run.info.runId);
  }

  /** Tags a step's run gets (the training run is made by train() with them). */
  stepTags(step: StepName): Tag[] {
    return [
      { key: PIPELINE_TAG.step, value: step },
      { key: PIPELINE_TAG.run, value: this.runId },
    ];
  }

  async startStep(step: StepName): Promise<string> {
    const run = await this.tracking.createRun({
      experimentId: this.experimentId,
      runName: step,
      parentRunId: this.runId,
      tags: runTags('modelops pipeline run', this.stepTags(step)),
    });
    this.open.add(run.info.runId);
    return run.info.runId;
  }

  /** Logs a step's report files and metrics, then ends its run. */
  async endStep(runId: string, status: RunStatus, files: Record<string, string>, metrics: Record<string, number> = {}): Promise<void> {
    await this.logFiles(runId, files);
    const now = Date.now();
    const list: Metric[] = Object.entries(metrics).map(([key, value]) => ({ key: metricKey(key), value, step: 0, timestamp: now }));
    for (let i = 0; i < list.length; i += 1000) await this.tracking.logBatch(runId, { metrics: list.slice(i, i + 1000) });
    await this.tracking.updateRun(runId, { status, endTime: Date.now() });
    this.open.delete(runId);
  }

  /** Where a report artifact of the pipeline run is on disk. */
  localPath(name: string): Promise<string> {
    return this.tracking.artifactLocalPath(this.runId, name);
  }

  async logFiles(runId: string, files: Record<string, string>): Promise<void> {
    const tmp = mkdtempSync(join(tmpdir(), 'modelops-pipeline-'));
    try {
      for (const [name, text] of Object.entries(files)) {
        writeFileSync(join(tmp, name), text);
        await this.tracking.logArtifact(runId, join(tmp, name));
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }

  async finish(status: RunStatus, outcome: string, files: Record<string, string>): Promise<void> {
    await this.logFiles(this.runId, files);
    await this.tracking.logBatch(this.runId, { tags: [{ key: PIPELINE_TAG.outcome, value: outcome }] });
    await this.tracking.updateRun(this.runId, { status, endTime: Date.now() });
  }

  /** Ends the open step runs and the pipeline run after an error (KILLED when cancelled); never throws over the error being reported. */
  async abandon(cancelled: boolean): Promise<void> {
    const status = cancelled ? 'KILLED' : 'FAILED';
    for (const runId of [...this.open, this.runId]) await this.tracking.updateRun(runId, { status, endTime: Date.now() }).catch(() => undefined);
    this.open.clear();
  }
}
