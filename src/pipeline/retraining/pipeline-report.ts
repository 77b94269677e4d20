import type { ValidationReport } from '../../registry/report';
import type { DataValidationReport } from './data-validation';
import type { InferenceTestReport } from './inference-test';

/** What a pipeline run ends with, and the exit code CI gets for it. */
export type PipelineOutcome = 'staging' | 'data_invalid' | 'gates_failed' | 'dry_run_passed';

export const EXIT_CODE: Readonly<Record<PipelineOutcome, number>> = { staging: 0, dry_run_passed: 0, data_invalid: 3, gates_failed: 4 };

export type StepName = 'data_validation' | 'train' | 'validate' | 'inference_test';
export type StepStatus = 'passed' | 'failed' | 'not run';

export const STEP_TITLES: Readonly<Record<StepName, string>> = {
  data_validation: 'Data validation',
  train: 'Train',
  validate: 'Validate and promote to Staging',
  inference_test: 'Inference test',
};

export interface StepRecord {
  step: StepName;
  status: StepStatus;
  /** The step's nested MLflow run. */
  runId?: string;
  startTime?: number;
  endTime?: number;
  summary: string;
}

/** Everything the pipeline did, as the Markdown / HTML / JSON reports show it. */
export interface PipelineReport {
  format: 'modelops.pipeline-report/1';
  model: string;
  file?: string;
  dataset: string;
  dryRun: boolean;
  startedAt: number;
  endedAt: number;
  outcome: PipelineOutcome;
  exitCode: number;
  /** One sentence: what happened and what to do. */
  summary: string;
  pipelineRunId?: string;
  experimentId?: string;
  steps: StepRecord[];
  dataValidation: DataValidationReport;
  training?: { runId: string; from: string; fromRunId?: string; seed: number; metrics: Record<string, number> };
  validation?: ValidationReport;
  inference?: InferenceTestReport;
  /** The version registered, and where it is now. */
  registered?: { version: string; stage: string };
}

export function newSteps(): StepRecord[] {
  return (Object.keys(STEP_TITLES) as StepName[]).map((step) => ({ step, status: 'not run', summary: '' }));
}
