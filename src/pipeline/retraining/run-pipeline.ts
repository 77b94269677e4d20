import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ModelOpsError } from '../../core/errors';
import type { StudyStore } from '../../core/tuning';
import type { RawTable } from '../../ml/dataset/csv';
import { readCsvFile } from '../../ml/dataset/csv';
import { TEST_LABELS } from '../../ml/drift/column-drift';
import { checkTransition } from '../../registry/lifecycle';
import type { GateResult, ValidationReport } from '../../registry/report';
import type { Stores } from '../model-resolve';
import { registerModel } from '../register';
import { resolveExperiment } from '../run-logging';
import { train } from '../train';
import type { DataValidationReport } from './data-validation';
import { validateData } from './data-validation';
import { inferenceTest } from './inference-test';
import type { PipelineSpec } from './pipeline-file';
import { fieldError } from './pipeline-file';
import type { PipelineOutcome, PipelineReport, StepName, StepStatus } from './pipeline-report';
import { EXIT_CODE, newSteps } from './pipeline-report';
import { PipelineRuns } from './pipeline-runs';
import type { ReferenceModel } from './reference';
import { findReferences, loadReference } from './reference';
import { renderHtml } from './report-html';
import { renderMarkdown, stepMarkdown } from './report-markdown';
import type { ResolvedParams } from './training-params';
import { resolveTrainingParams } from './training-params';

export interface PipelineStores extends Stores {
  /** Tuning studies (training.params `study` / `tune`); absent on a remote MLflow server. */
  studies?: StudyStore;
}

export interface PipelineEvent {
  step: StepName;
  kind: 'start' | 'progress' | 'end';
  message: string;
  status?: StepStatus;
  /** 0..1 within the step, when known (training). */
  fraction?: number;
}

export interface RunPipelineOptions {
  /** Who acts, for the registry's audit trail. */
  actor: string;
  /** Workspace folder: `.modelops/gates.json` is found from here. */
  workspace: string;
  /** Run the checks and write nothing (no run, no version, no artifact). */
  dryRun?: boolean;
  signal?: AbortSignal;
  onEvent?: (e: PipelineEvent) => void;
}

export interface PipelineResult {
  report: PipelineReport;
  markdown: string;
  html: string;
  /** Where the report artifacts of the pipeline run are on disk (not for a dry run). */
  files?: { markdown: string; html: string; json: string };
}

const REPORT_FILES = { markdown: 'pipeline_report.md', html: 'pipeline_report.html', json: 'pipeline_report.json' } as const;

function cancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ModelOpsError('CANCELLED', 'the pipeline was cancelled');
}

/** The new data as a table, or the reason it is not one (a failed check, exit 3); a file that is not there is bad input (exit 1). */
function readDataset(spec: PipelineSpec): RawTable | ModelOpsError {
  if (!existsSync(spec.dataset)) throw fieldError(spec, 'dataset', `${spec.dataset} does not exist`);
  try {
    return readCsvFile(spec.dataset);
  } catch (e) {
    if (e instanceof ModelOpsError && e.code === 'DATA_INVALID') return e;
    throw e;
  }
}

interface Prepared {
  schemaRef?: ReferenceModel;
  production?: ReferenceModel;
  target: string;
  validation: DataValidationReport;
}

async function prepare(stores: PipelineStores, spec: PipelineSpec): Promise<Prepared> {
  const table = readDataset(spec);
  const refs = await findReferences(stores, spec.model);
  const schemaRef = refs.schema ? await loadReference(stores, refs.schema) : undefined;
  const production = refs.production ? schemaRef : undefined;
  const target = spec.target ?? schemaRef?.target;
  if (!target) throw fieldError(spec, 'target', `'${spec.model}' has no registered version yet, so the target column must be named`);
  return {
    ...(schemaRef ? { schemaRef } : {}),
    ...(production ? { production } : {}),
    target,
    validation: validateData({ spec, target, table, ...(schemaRef ? { schemaRef } : {}), ...(production ? { production } : {}) }),
  };
}

function failedChecks(v: DataValidationReport): string {
  const failed = v.checks.filter((c) => c.outcome === 'fail');
  const named = failed.slice(0, 3).map((c) => `${c.test}${c.column ? ` of '${c.column}'` : ''}`);
  return `${failed.length} check(s) failed: ${named.join(', ')}${failed.length > 3 ? ', …' : ''}`;
}

/**
 * The retraining pipeline: (1) data validation and drift, (2) train with the chosen params,
 * (3) register and validate through the gates (pass → Staging; Production still needs a human),
 * (4) inference test of the new Staging version. Each step is a nested run of one pipeline run
 * with its report; a failure stops the pipeline and leaves the registry as it was, except for the
 * new version in None with its report. Resolves to the report; throws only for bad input (a
 * ModelOpsError) or an internal error.
 */
export async function runPipeline(stores: PipelineStores, spec: PipelineSpec, o: RunPipelineOptions): Promise<PipelineResult> {
  const startedAt = Date.now();
  const emit = (e: PipelineEvent): void => o.onEvent?.(e);
  const report: PipelineReport = {
    format: 'modelops.pipeline-report/1',
    model: spec.model,
    ...(spec.file ? { file: spec.file } : {}),
    dataset: spec.dataset,
    dryRun: o.dryRun === true,
    startedAt,
    endedAt: startedAt,
    outcome: 'staging',
    exitCode: 0,
    summary: '',
    steps: newSteps(),
    dataValidation: {
      data: { path: spec.dataset, rows: 0, columns: 0, digest: '' },
      target: spec.target ?? '',
      reference: null,
      driftReference: null,
      checks: [],
      drift: null,
      passed: false,
    },
  };
  const first = step(report, 'data_validation');
  emit({ step: 'data_validation', kind: 'start', message: `checking ${spec.dataset}` });
  const t1 = Date.now();
  const prepared = await prepare(stores, spec);
  report.dataValidation = prepared.validation;
  Object.assign(first, {
    status: prepared.validation.passed ? 'passed' : 'failed',
    startTime: t1,
    endTime: Date.now(),
    summary: prepared.validation.passed ? dataSummary(prepared.validation) : failedChecks(prepared.validation),
  });
  emit({ step: 'data_validation', kind: 'end', status: first.status, message: first.summary });
  cancelled(o.signal);
  if (o.dryRun) return dryRun(stores, spec, o, report, prepared);
  // Params that cannot resolve ("best_run" with no version yet, an unknown study) are bad input: found before any run is written.
  if (prepared.validation.passed) await paramsFor(stores, spec, o, prepared, spec.experiment ?? spec.model, true);

  const experiment =
    spec.experiment ??
    (prepared.schemaRef ? (await stores.tracking.getExperiment((await stores.tracking.getRun(prepared.schemaRef.runId)).info.experimentId)).name : spec.model);
  const runs = await PipelineRuns.start(stores.tracking, await resolveExperiment(stores.tracking, experiment), {
    model: spec.model,
    ...(spec.file ? { file: spec.file } : {}),
    params: {
      model: spec.model,
      dataset: spec.dataset,
      target: prepared.target,
      on_drift: spec.drift.onDrift,
      params_from: spec.training.params.kind,
      ...(spec.file ? { pipeline_file: spec.file } : {}),
    },
  });
  report.pipelineRunId = runs.runId;
  report.experimentId = runs.experimentId;
  try {
    return await runSteps(stores, spec, o, report, prepared, runs, experiment);
  } catch (e) {
    const wasCancelled = e instanceof ModelOpsError && e.code === 'CANCELLED';
    await runs.abandon(wasCancelled);
    throw e;
  }
}

function dataSummary(v: DataValidationReport): string {
  const warnings = v.checks.filter((c) => c.outcome === 'warn').length;
  const drift = v.drift ? `${v.drift.drifted} of ${v.drift.total} columns drifted` : (v.checks.find((c) => c.test === 'dataset drift')?.message ?? '');
  return `${v.data.rows} rows, every check passed${warnings ? ` (${warnings} warning(s))` : ''}; ${drift}`;
}

async function dryRun(stores: PipelineStores, spec: PipelineSpec, o: RunPipelineOptions, report: PipelineReport, prepared: Prepared): Promise<PipelineResult> {
  if (prepared.validation.passed) {
    const params = await paramsFor(stores, spec, o, prepared, spec.experiment ?? spec.model, true);
    step(report, 'train').summary = `would train with params from ${params.from}`;
  }
  const outcome: PipelineOutcome = prepared.validation.passed ? 'dry_run_passed' : 'data_invalid';
  const summary = prepared.validation.passed
    ? `Dry run: the data passes every check; nothing was written (run without --dry-run to train, validate and promote).`
    : `Dry run: the data fails validation (${failedChecks(prepared.validation)}); nothing was written.`;
  return finishReport(report, outcome, summary);
}

function step(report: PipelineReport, name: StepName) {
  return report.steps.find((s) => s.step === name)!;
}

function finishReport(report: PipelineReport, outcome: PipelineOutcome, summary: string): PipelineResult {
  report.outcome = outcome;
  report.exitCode = EXIT_CODE[outcome];
  report.summary = summary;
  report.endedAt = Date.now();
  return { report, markdown: renderMarkdown(report), html: renderHtml(report) };
}

async function paramsFor(
  stores: PipelineStores,
  spec: PipelineSpec,
  o: RunPipelineOptions,
  prepared: Prepared,
  experiment: string,
  dry: boolean,
): Promise<ResolvedParams> {
  const referenceRun = prepared.schemaRef ? await stores.tracking.getRun(prepared.schemaRef.runId).catch(() => undefined) : undefined;
  return resolveTrainingParams(spec.training, {
    tracking: stores.tracking,
    ...(stores.studies ? { studies: stores.studies } : {}),
    ...(referenceRun ? { referenceRun } : {}),
    task: prepared.schemaRef?.task ?? 'classification',
    dataset: spec.dataset,
    target: prepared.target,
    experiment,
    model: spec.model,
    where: spec.locations['training.params'] ?? spec.file ?? 'modelops retrain',
    dryRun: dry,
    ...(o.signal ? { signal: o.signal } : {}),
    onProgress: (m) => o.onEvent?.({ step: 'train', kind: 'progress', message: m }),
  });
}

async function runSteps(
  stores: PipelineStores,
  spec: PipelineSpec,
  o: RunPipelineOptions,
  report: PipelineReport,
  prepared: Prepared,
  runs: PipelineRuns,
  experiment: string,
): Promise<PipelineResult> {
  await recordDataStep(runs, report, prepared.validation);
  if (!prepared.validation.passed) {
    return finish(
      runs,
      report,
      'data_invalid',
      `Stopped at data validation: ${failedChecks(prepared.validation)}. Nothing was trained and the registry is unchanged; fix the data (or the pipeline file's expectations) and run again.`,
    );
  }
  cancelled(o.signal);
  const trained = await trainStep(stores, spec, o, report, prepared, runs, experiment);
  cancelled(o.signal);
  const staged = await validateStep(stores, spec, o, report, runs, trained);
  if (!staged) {
    const v = report.validation!;
    const failed = v.gates.filter((g) => g.outcome === 'fail').map((g) => g.name);
    return finish(
      runs,
      report,
      'gates_failed',
      `Version ${v.version} failed its gates (${failed.join('; ')}) and stays in None with its report; Production is unchanged.`,
    );
  }
  cancelled(o.signal);
  const passed = await inferenceStep(stores, spec, o, report, runs);
  const version = report.registered!.version;
  if (!passed) {
    return finish(
      runs,
      report,
      'gates_failed',
      `Version ${version} passed its gates but failed the inference test, so it went back to None with a report; Production is unchanged.`,
    );
  }
  return finish(
    runs,
    report,
    'staging',
    `Version ${version} of '${spec.model}' is in Staging. Production still needs a human: review it (ModelOps: Review for Production) or run modelops promote --name ${spec.model} --version ${version} --to Production --approve --comment "…".`,
  );
}

async function recordDataStep(runs: PipelineRuns, report: PipelineReport, v: DataValidationReport): Promise<void> {
  const s = step(report, 'data_validation');
  const runId = await runs.startStep('data_validation');
  s.runId = runId;
  const metrics: Record<string, number> = {
    rows: v.data.rows,
    failed_checks: v.checks.filter((c) => c.outcome === 'fail').length,
    warnings: v.checks.filter((c) => c.outcome === 'warn').length,
  };
  if (v.drift) {
    Object.assign(metrics, { drifted_columns: v.drift.drifted, drift_share: v.drift.share, dataset_drift: v.drift.datasetDrifted ? 1 : 0 });
    for (const d of v.drift.columns) {
      metrics[`drift_score/${d.column}`] = d.score;
      metrics[`psi/${d.column}`] = d.psi;
    }
  }
  const partial = { ...report, summary: s.summary };
  await runs.endStep(
    runId,
    v.passed ? 'FINISHED' : 'FAILED',
    {
      'data_validation_report.md': stepMarkdown(partial, 'data_validation'),
      'data_validation_report.html': renderHtml(partial),
      'data_validation_report.json': `${JSON.stringify(v, null, 2)}\n`,
    },
    metrics,
  );
}

async function trainStep(
  stores: PipelineStores,
  spec: PipelineSpec,
  o: RunPipelineOptions,
  report: PipelineReport,
  prepared: Prepared,
  runs: PipelineRuns,
  experiment: string,
): Promise<string> {
  const s = step(report, 'train');
  s.startTime = Date.now();
  o.onEvent?.({ step: 'train', kind: 'start', message: 'choosing the params' });
  const params = await paramsFor(stores, spec, o, prepared, experiment, false);
  o.onEvent?.({ step: 'train', kind: 'progress', message: `training with params from ${params.from}` });
  const drift = prepared.validation.drift;
  const result = await train(stores.tracking, {
    data: spec.dataset,
    target: prepared.target,
    experiment,
    params: params.params,
    ...(params.models ? { models: params.models } : {}),
    ...(params.cv !== undefined ? { cv: params.cv } : {}),
    seed: params.seed,
    parentRunId: runs.runId,
    runName: 'train',
    tags: [
      ...runs.stepTags('train'),
      ...(prepared.schemaRef ? [{ key: 'modelops.retrain_of', value: `models:/${spec.model}/${prepared.schemaRef.version}` }] : []),
      ...(params.fromRunId ? [{ key: 'modelops.params_from_run', value: params.fromRunId }] : []),
    ],
    workspace: o.workspace,
    // What step 1 measured travels with the training data's lineage: the Review panel shows it.
    ...(drift
      ? {
          profileExtras: {
            drift: drift.columns.map((d) => ({
              column: d.column,
              score: d.score,
              drifted: d.drifted,
              test: TEST_LABELS[d.test],
              threshold: d.threshold,
              psi: d.psi,
            })),
            drift_reference: `models:/${spec.model}/${report.dataValidation.driftReference?.version}`,
          },
        }
      : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    onProgress: (p) => o.onEvent?.({ step: 'train', kind: 'progress', message: p.message, fraction: p.fraction }),
  });
  report.training = {
    runId: result.runId,
    from: params.from,
    ...(params.fromRunId ? { fromRunId: params.fromRunId } : {}),
    seed: params.seed,
    metrics: result.metrics,
  };
  Object.assign(s, {
    runId: result.runId,
    status: 'passed',
    endTime: Date.now(),
    summary: `${Object.entries(result.metrics)
      .filter(([k]) => ['accuracy', 'roc_auc', 'f1_macro', 'r2', 'rmse'].includes(k))
      .map(([k, v]) => `${k} ${Number(v.toPrecision(4))}`)
      .join(', ')}; params from ${params.from}`,
  });
  await runs.logFiles(result.runId, { 'train_report.md': stepMarkdown(report, 'train'), 'train_report.json': `${JSON.stringify(report.training, null, 2)}\n` });
  o.onEvent?.({ step: 'train', kind: 'end', status: 'passed', message: s.summary });
  return result.runId;
}

async function validateStep(
  stores: PipelineStores,
  spec: PipelineSpec,
  o: RunPipelineOptions,
  report: PipelineReport,
  runs: PipelineRuns,
  trainRunId: string,
): Promise<boolean> {
  const s = step(report, 'validate');
  s.startTime = Date.now();
  o.onEvent?.({ step: 'validate', kind: 'start', message: `registering run ${trainRunId} as a version of '${spec.model}'` });
  const runId = await runs.startStep('validate');
  s.runId = runId;
  const gates = spec.gates;
  const registered = await registerModel(stores, {
    runId: trainRunId,
    name: spec.model,
    actor: o.actor,
    description: `retrained by the pipeline on ${spec.dataset}`,
    tags: [{ key: 'modelops.pipeline.run', value: runs.runId }],
    validation: {
      workspace: o.workspace,
      ...(gates && 'path' in gates ? { gatesPath: gates.path } : {}),
      ...(gates && 'inline' in gates ? { gates: gates.inline } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      onProgress: (m) => o.onEvent?.({ step: 'validate', kind: 'progress', message: m }),
    },
  });
  const validation = registered.validation!;
  report.validation = validation.report;
  report.registered = { version: registered.version.version, stage: registered.version.currentStage };
  const staged = registered.version.currentStage === 'Staging';
  Object.assign(s, {
    status: staged ? 'passed' : 'failed',
    endTime: Date.now(),
    summary: `version ${registered.version.version}: ${validation.report.gates.filter((g) => g.outcome === 'pass').length}/${validation.report.gates.length} gates passed → ${registered.version.currentStage}`,
  });
  const metrics = Object.fromEntries(Object.entries(validation.report.candidateMetrics).map(([k, v]) => [`candidate_${k}`, v]));
  await runs.endStep(
    runId,
    staged ? 'FINISHED' : 'FAILED',
    { 'validate_report.md': stepMarkdown(report, 'validate'), 'validate_report.json': `${JSON.stringify(validation.report, null, 2)}\n` },
    { ...metrics, version: Number(registered.version.version) },
  );
  o.onEvent?.({ step: 'validate', kind: 'end', status: s.status, message: s.summary });
  return staged;
}

async function inferenceStep(stores: PipelineStores, spec: PipelineSpec, o: RunPipelineOptions, report: PipelineReport, runs: PipelineRuns): Promise<boolean> {
  const s = step(report, 'inference_test');
  const version = report.registered!.version;
  s.startTime = Date.now();
  o.onEvent?.({ step: 'inference_test', kind: 'start', message: `scoring with models:/${spec.model}/Staging (version ${version})` });
  const runId = await runs.startStep('inference_test');
  s.runId = runId;
  const result = await inferenceTest(stores, spec.model, version, spec.dataset, spec.inferenceTest);
  report.inference = result;
  if (!result.passed) {
    await demote(
      stores,
      spec,
      o,
      report,
      result.checks
        .filter((c) => c.outcome === 'fail')
        .map((c): GateResult => ({
          gate: 'smoke_test',
          name: `pipeline inference test: ${c.test}`,
          expected: c.expected,
          actual: c.actual,
          outcome: 'fail',
          message: c.message,
        })),
    );
  }
  Object.assign(s, {
    status: result.passed ? 'passed' : 'failed',
    endTime: Date.now(),
    summary: `${result.rows} rows scored with ${result.uri}: ${result.checks.filter((c) => c.outcome === 'pass').length}/${result.checks.length} checks passed${result.passed ? '' : ` → version ${version} back to None`}`,
  });
  await runs.endStep(
    runId,
    result.passed ? 'FINISHED' : 'FAILED',
    { 'inference_test_report.md': stepMarkdown(report, 'inference_test'), 'inference_test_report.json': `${JSON.stringify(result, null, 2)}\n` },
    { rows: result.rows },
  );
  o.onEvent?.({ step: 'inference_test', kind: 'end', status: s.status, message: s.summary });
  return result.passed;
}

/** A version that failed the inference test goes back to None, with a report saying why (one transaction). */
async function demote(stores: PipelineStores, spec: PipelineSpec, o: RunPipelineOptions, report: PipelineReport, gates: GateResult[]): Promise<void> {
  const version = report.registered!.version;
  checkTransition({ name: spec.model, version, from: 'Staging', to: 'None', via: 'validation', validationPassed: false });
  const failed: ValidationReport = {
    reportId: randomUUID().replace(/-/g, ''),
    name: spec.model,
    version,
    createdAt: Date.now(),
    actor: o.actor,
    passed: false,
    fromStage: 'Staging',
    toStage: 'None',
    baseline: report.validation?.baseline ?? null,
    data: { path: resolve(report.inference?.data ?? spec.dataset), rows: report.inference?.rows ?? 0, target: report.dataValidation.target },
    candidateMetrics: {},
    baselineMetrics: null,
    gates,
  };
  const updated = await stores.registry.recordValidation(
    { report: failed, toStage: 'None' },
    { actor: o.actor, action: 'validate', comment: 'the retraining pipeline’s inference test failed' },
  );
  report.registered = { version, stage: updated.currentStage };
}

async function finish(runs: PipelineRuns, report: PipelineReport, outcome: PipelineOutcome, summary: string): Promise<PipelineResult> {
  const result = finishReport(report, outcome, summary);
  await runs.finish(outcome === 'staging' ? 'FINISHED' : 'FAILED', outcome, {
    [REPORT_FILES.markdown]: result.markdown,
    [REPORT_FILES.html]: result.html,
    [REPORT_FILES.json]: `${JSON.stringify(report, null, 2)}\n`,
  });
  return {
    ...result,
    files: {
      markdown: await runs.localPath(REPORT_FILES.markdown),
      html: await runs.localPath(REPORT_FILES.html),
      json: await runs.localPath(REPORT_FILES.json),
    },
  };
}
