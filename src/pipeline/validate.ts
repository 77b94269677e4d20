import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ModelOpsError } from '../core/errors';
import type { ModelVersion } from '../core/registry';
import type { RawTable } from '../ml/dataset/csv';
import { readCsvFile } from '../ml/dataset/csv';
import type { GateSpec } from '../registry/gates/gate-list';
import { DEFAULT_GATES_PATH, gatesFor, loadGatesFile } from '../registry/gates-config';
import { checkTransition, stageAfterValidation } from '../registry/lifecycle';
import type { ValidationReport } from '../registry/report';
import { formatReport, reportPassed } from '../registry/report';
import type { Stores } from './model-resolve';
import { versionModelDir } from './model-resolve';
import { ownerTags, VALIDATION_TAG } from '../store/run-owner';
import { openScoringModel } from './scoring';
import type { HeldOut } from './validate-gates';
import { runGates } from './validate-gates';
import { BASELINE_TAG } from './train-baseline';

export interface ValidateOptions {
  name: string;
  /** Default: the newest version still in None that has no validation report. */
  version?: string;
  /** Who asks (OS user, or the editor account). */
  actor: string;
  /** Workspace folder: `.modelops/gates.json` and relative data paths are found from here. */
  workspace?: string;
  /** Gates file; default `<workspace>/.modelops/gates.json`. */
  gatesPath?: string;
  /** Held-out CSV; overrides the gates file's `data`. */
  data?: string;
  /** Gates merged over the gates file's entry for the model (a pipeline file's inline gates). */
  gates?: Partial<GateSpec>;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

export interface ValidateResult {
  report: ValidationReport;
  version: ModelVersion;
  /** Run artifact paths the report was logged to (empty when the run cannot take artifacts). */
  artifacts: string[];
}

async function markValidating(stores: Stores, name: string, version: string): Promise<void> {
  for (const tag of [{ key: VALIDATION_TAG, value: 'running' }, ...ownerTags()]) await stores.registry.setModelVersionTag(name, version, tag);
}

async function unmarkValidating(stores: Stores, name: string, version: string): Promise<void> {
  for (const tag of [{ key: VALIDATION_TAG }, ...ownerTags()]) await stores.registry.deleteModelVersionTag(name, version, tag.key);
}

/** Picks the version to validate: the one named, else the newest unvalidated version in None. */
export async function versionToValidate(stores: Stores, name: string, version?: string): Promise<ModelVersion> {
  if (version !== undefined) return stores.registry.getModelVersion(name, version);
  const versions = (await stores.registry.searchModelVersions({ filter: `name = '${name.replace(/'/g, "''")}'`, orderBy: ['version_number DESC'] })).items;
  if (versions.length === 0) {
    await stores.registry.getRegisteredModel(name);
    throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', `'${name}' has no versions yet; register one with modelops register --run <id> --name ${name}`, {
      location: name,
    });
  }
  for (const v of versions) {
    if (v.currentStage !== 'None') continue;
    if ((await stores.registry.listValidationReports(name, v.version)).length === 0) return v;
  }
  throw new ModelOpsError(
    'INVALID_STATE',
    `'${name}' has no unvalidated version in None; to validate one again, give it: modelops validate --name ${name} --version <n>`,
    { location: name },
  );
}

/**
 * Runs the validation gates on a version and applies the lifecycle: every gate passes → Staging;
 * a failure leaves a None (or Archived) version where it is and sends a failing Staging version back
 * to None. The report is stored with the stage change in one transaction, and logged as artifacts of
 * the version's run (`validation/`).
 */
export async function validateModelVersion(stores: Stores, options: ValidateOptions): Promise<ValidateResult> {
  const workspace = resolve(options.workspace ?? process.cwd());
  const progress = options.onProgress ?? (() => undefined);
  const version = await versionToValidate(stores, options.name, options.version);
  const gatesPath = resolve(workspace, options.gatesPath ?? DEFAULT_GATES_PATH);
  const gates: GateSpec = { ...gatesFor(loadGatesFile(gatesPath), options.name), ...(options.gates ?? {}) };
  progress(`validating ${options.name} version ${version.version}`);
  // Marked while it runs: a process killed mid-way leaves it `interrupted` (store/sqlite/orphans.ts);
  // the report clears the marks in its own transaction, an error here clears them at once.
  await markValidating(stores, options.name, version.version);
  try {
    return await runValidation(stores, options, version, gates, workspace);
  } catch (e) {
    await unmarkValidating(stores, options.name, version.version).catch(() => undefined);
    throw e;
  }
}

/** Without held-out data the gates judge the metrics the candidate's and Production's training runs logged. */
async function trainingMetrics(
  stores: Stores,
  version: ModelVersion,
  production: ModelVersion | undefined,
): Promise<{ candidate: Record<string, number>; baseline?: Record<string, number> }> {
  const metricsOf = async (runId: string): Promise<Record<string, number>> => {
    const run = await stores.tracking.getRun(runId);
    return Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value]));
  };
  return {
    candidate: version.runId ? await metricsOf(version.runId) : {},
    ...(production?.runId ? { baseline: await metricsOf(production.runId) } : {}),
  };
}

async function runValidation(
  stores: Stores,
  options: ValidateOptions,
  version: ModelVersion,
  gates: ReturnType<typeof gatesFor>,
  workspace: string,
): Promise<ValidateResult> {
  const progress = options.onProgress ?? (() => undefined);
  const cancelled = (): void => {
    if (options.signal?.aborted) throw new ModelOpsError('CANCELLED', 'validation was cancelled');
  };

  const { dir } = await versionModelDir(stores.tracking, version);
  const candidate = openScoringModel(dir);
  cancelled();

  const [production] = (await stores.registry.getLatestVersions(options.name, ['Production'])).filter((v) => v.version !== version.version);
  let baseline: { model: ReturnType<typeof openScoringModel>; version: string } | undefined;
  if (production) {
    progress(`loading Production version ${production.version}`);
    baseline = { model: openScoringModel((await versionModelDir(stores.tracking, production)).dir), version: production.version };
  }

  let data: HeldOut | undefined;
  const dataPath = options.data ?? gates.data;
  if (dataPath !== undefined) {
    const path = resolve(workspace, dataPath);
    progress(`reading held-out data ${path}`);
    data = { path, table: readCsvFile(path), target: gates.target ?? candidate.model.target };
  }
  const runMetrics = data ? undefined : await trainingMetrics(stores, version, production);
  // The metric the training chose for its baseline comparison (ROC AUC for an imbalanced target, …).
  const baselineMetric = version.runId
    ? (await stores.tracking.getRun(version.runId).catch(() => undefined))?.data.tags.find((t) => t.key === BASELINE_TAG.metric)?.value
    : undefined;
  cancelled();
  progress('running the gates');
  const example = data ? undefined : inputExample(dir);
  const run = runGates({
    gates,
    candidate,
    ...(baseline ? { baseline } : {}),
    ...(data ? { data } : {}),
    ...(example ? { example } : {}),
    ...(runMetrics ? { runMetrics } : {}),
    ...(baselineMetric ? { baselineMetric } : {}),
  });
  const passed = reportPassed(run.gates);
  const toStage = stageAfterValidation(version.currentStage, passed);
  if (toStage !== version.currentStage) {
    checkTransition({ name: version.name, version: version.version, from: version.currentStage, to: toStage, via: 'validation', validationPassed: passed });
  }
  const report: ValidationReport = {
    reportId: randomUUID().replace(/-/g, ''),
    name: version.name,
    version: version.version,
    createdAt: Date.now(),
    actor: options.actor,
    passed,
    fromStage: version.currentStage,
    toStage,
    baseline: production ? { version: production.version, runId: production.runId } : null,
    data: data ? { path: data.path, rows: data.table.rows.length, target: data.target } : null,
    candidateMetrics: run.candidateMetrics,
    baselineMetrics: run.baselineMetrics,
    noSkillMetrics: run.noSkillMetrics,
    gates: run.gates,
  };
  cancelled();
  const artifacts = await logReportArtifacts(stores, version.runId, report);
  const updated = await stores.registry.recordValidation({ report, toStage }, { actor: options.actor, action: 'validate' });
  return { report, version: updated, artifacts };
}

/** The model's `input_example.json` (MLflow's split orientation) as a table, for the smoke test. */
function inputExample(dir: string): RawTable | undefined {
  const file = join(dir, 'input_example.json');
  if (!existsSync(file)) return undefined;
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { columns?: unknown; data?: unknown };
    if (!Array.isArray(doc.columns) || !Array.isArray(doc.data)) return undefined;
    const rows = (doc.data as unknown[][]).map((r) => r.map((v) => (v === null || v === undefined ? '' : String(v))));
    return { source: file, header: doc.columns.map(String), rows, lines: rows.map((_, i) => i + 1), text: '' };
  } catch {
    return undefined; // a broken example is not a gate failure; the smoke test is then skipped
  }
}

async function logReportArtifacts(stores: Stores, runId: string, report: ValidationReport): Promise<string[]> {
  if (!runId) return [];
  const tmp = mkdtempSync(join(tmpdir(), 'modelops-report-'));
  try {
    const base = `validation_v${report.version}_${report.reportId.slice(0, 8)}`;
    writeFileSync(join(tmp, `${base}.json`), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(tmp, `${base}.txt`), formatReport(report));
    await stores.tracking.logArtifact(runId, join(tmp, `${base}.json`), 'validation');
    await stores.tracking.logArtifact(runId, join(tmp, `${base}.txt`), 'validation');
    return [`validation/${base}.json`, `validation/${base}.txt`];
  } catch (e) {
    // A deleted run takes no artifacts; the report is still stored in the registry.
    if (e instanceof ModelOpsError && e.code !== 'INTERNAL_ERROR') return [];
    throw e;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
