/**
 * Messages of the run page ("ModelOps: Open Run"): one run's overview, params, metrics (charts per
 * metric, histories fetched for the charts on screen), dataset inputs, artifacts (listed a folder at a
 * time, previewed on request) and the model versions registered from it.
 */
import type { Infer } from './validate';
import { arr, bool, literal, matching, nullable, num, numbers, numbersOrNull, numOrNull, obj, str } from './validate';
import { emptyParams, okResult, readyParams, READY } from './protocol';
import { RUN_STATUS_VALUES } from './runs-protocol';

const keyValue = obj({ key: str, value: str });

export const runMetricCheck = obj({ key: str, value: numOrNull, step: num, timestamp: num });

export const profileColumnCheck = obj({ name: str, type: str }, { missing: num, min: num, max: num, mean: num, std: num, distinct: num, top: str });

export const datasetCheck = obj(
  { name: str, digest: str, sourceType: str, source: str, context: str },
  { rows: num, schema: arr(obj({ name: str, type: str }), 10_000), profileColumns: arr(profileColumnCheck, 10_000), profileText: str },
);

export const versionLinkCheck = obj({ name: str, version: str, stage: str, aliases: arr(str, 100) });

export const runLinkCheck = obj({ runId: str, runName: str });

export const runPageCheck = obj({
  runId: str,
  runName: str,
  experimentId: str,
  experimentName: str,
  status: literal(...RUN_STATUS_VALUES),
  lifecycleStage: literal('active', 'deleted'),
  startTime: num,
  endTime: numOrNull,
  userId: str,
  source: str,
  sourceType: str,
  gitCommit: str,
  artifactUri: str,
  parent: nullable(runLinkCheck),
  children: arr(runLinkCheck, 100_000),
  note: str,
  tags: arr(keyValue, 100_000),
  params: arr(keyValue, 100_000),
  metrics: arr(runMetricCheck, 100_000),
  datasets: arr(datasetCheck, 1000),
  versions: arr(versionLinkCheck, 10_000),
});

export const runStateCheck = obj(
  {
    status: literal('loading', 'ready', 'error'),
    /** Whether the note may be edited (trusted workspace, active run). */
    writable: bool,
  },
  { message: str, run: runPageCheck, folder: str },
);

/** Where the page should go when it opens or is shown again: a section, an artifact to preview. */
export const revealCheck = obj({}, { section: literal('overview', 'params', 'metrics', 'datasets', 'artifacts', 'versions'), artifact: str, metric: str });

export const historyCheck = obj({ key: str, steps: numbers(), timestamps: numbers(), values: numbersOrNull() });

export const artifactEntryCheck = obj({ path: str, isDir: bool, size: numOrNull });

/** How a file previews: as text, a table (CSV), an image (base64 PNG or SVG data URI, shown in an <img>), an MLmodel, or not here. */
export const ARTIFACT_KINDS = ['text', 'json', 'yaml', 'csv', 'image', 'mlmodel', 'external', 'too-large'] as const;

export const colSpecCheck = obj({ name: str, type: str }, { required: bool });

export const mlmodelCheck = obj(
  { flavors: arr(str, 100), inputs: arr(colSpecCheck, 10_000), outputs: arr(colSpecCheck, 10_000) },
  { runId: str, created: str, modelUuid: str, params: arr(colSpecCheck, 10_000) },
);

export const artifactPreviewCheck = obj(
  { path: str, kind: literal(...ARTIFACT_KINDS), size: num },
  {
    text: str,
    truncated: bool,
    csv: obj({ header: arr(str, 10_000), rows: arr(arr(str, 10_000), 100_000) }),
    /** Only raster PNG or SVG as base64 data URIs: shown as an image, which runs no script. */
    dataUri: matching(/^data:image\/(png|svg\+xml);base64,[A-Za-z0-9+/]+=*$/, 'a base64 PNG or SVG data URI', 20_000_000),
    mlmodel: mlmodelCheck,
    message: str,
  },
);

export const runContract = {
  requests: {
    'run/metricHistories': { params: obj({ keys: arr(str, 200) }), result: obj({ histories: arr(historyCheck, 200) }) },
    'run/listArtifacts': { params: obj({ path: str }), result: obj({ path: str, entries: arr(artifactEntryCheck, 100_000) }) },
    'run/previewArtifact': { params: obj({ path: str }), result: artifactPreviewCheck },
    'run/openArtifact': { params: obj({ path: str }), result: okResult },
    'run/saveNote': { params: obj({ text: str }), result: okResult },
    'run/openRun': { params: obj({ runId: str }), result: okResult },
    'run/openVersion': { params: obj({ name: str, version: str }), result: okResult },
    'run/openRunsTable': { params: emptyParams, result: okResult },
    'clipboard/write': { params: obj({ text: str }), result: okResult },
  },
  toWebview: {
    'run/state': runStateCheck,
    'run/reveal': revealCheck,
  },
  toHost: {
    [READY]: readyParams,
    'run/refresh': emptyParams,
  },
} as const;

export type RunContract = typeof runContract;
export type RunPage = Infer<typeof runPageCheck>;
export type RunState = Infer<typeof runStateCheck>;
export type RunMetric = Infer<typeof runMetricCheck>;
export type DatasetView = Infer<typeof datasetCheck>;
export type ProfileColumn = Infer<typeof profileColumnCheck>;
export type VersionLink = Infer<typeof versionLinkCheck>;
export type MetricHistoryPoints = Infer<typeof historyCheck>;
export type ArtifactEntry = Infer<typeof artifactEntryCheck>;
export type ArtifactPreview = Infer<typeof artifactPreviewCheck>;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];
export type MlModelView = Infer<typeof mlmodelCheck>;
export type Reveal = Infer<typeof revealCheck>;

export const runSavedStateCheck = obj({ runId: str }, { folder: str });
export type RunSavedState = Infer<typeof runSavedStateCheck>;
