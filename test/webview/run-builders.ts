/**
 * Test data builders for the run explorer's pages (runs table and run page), shared by the unit
 * tests, the browser tests and the benchmark. The large fixtures are built by self-contained
 * functions (no imports, no closures) so they can also run inside the page via page.evaluate:
 * 10,000 runs × 200 columns need not travel through an init script.
 */
import type { KeyLists, RunRow, RunsState } from '../../src/shared/runs-protocol';
import type { ArtifactPreview, MetricHistoryPoints, RunPage, RunState } from '../../src/shared/run-protocol';

/** Every field of the hostile fixtures: markup, script, formula prefixes, RTL, NUL-ish and huge text. */
export const HOSTILE_STRINGS = [
  '<img src=x onerror=alert(1)>',
  '"><script>alert(2)</script>',
  '=HYPERLINK("http://evil.example","click")',
  "+1+cmd|' /C calc'!A0",
  '-2+3',
  '@SUM(A1:A9)',
  '\tTAB',
  '\rCR',
  'javascript:alert(3)',
  '‮evil‬ rtl',
  'line\nbreak',
  '{{constructor.constructor("alert(4)")()}}',
];

export interface RunsTableData {
  keys: KeyLists;
  rows: RunRow[];
}

export interface TableSpec {
  runs: number;
  params?: number;
  metrics?: number;
  tags?: number;
  /** Every `nest`-th run is a parent of the following nest-1 runs (0: flat). */
  nest?: number;
  seed?: number;
  hostile?: boolean;
  /** Start of the newest run (default 2026-01-01); the screenshots use a recent time so running runs read sensibly. */
  t0?: number;
}

/** `runs` runs with `params` params, `metrics` metrics and `tags` tags each; self-contained (see above). */
export function generateRunsTable(spec: TableSpec): RunsTableData {
  let a = (spec.seed ?? 7) >>> 0;
  const rnd = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const hostile = spec.hostile
    ? [
        '<img src=x onerror=alert(1)>',
        '"><script>alert(2)</script>',
        '=HYPERLINK("http://evil.example","click")',
        "+1+cmd|' /C calc'!A0",
        '@SUM(A1:A9)',
        '\tTAB',
        '‮evil‬ rtl',
      ]
    : [];
  const pick = (i: number, plain: string): string => (hostile.length ? `${hostile[i % hostile.length]}${plain}` : plain);
  const nParams = spec.params ?? 4;
  const nMetrics = spec.metrics ?? 4;
  const nTags = spec.tags ?? 1;
  const keys = {
    params: Array.from({ length: nParams }, (_, i) => (i === 0 ? 'model' : i === 1 ? 'n_estimators' : pick(i, `param_${String(i).padStart(3, '0')}`))),
    metrics: Array.from({ length: nMetrics }, (_, i) => (i === 0 ? 'accuracy' : i === 1 ? 'log_loss' : pick(i, `metric_${String(i).padStart(3, '0')}`))),
    tags: Array.from({ length: nTags }, (_, i) => (i === 0 ? 'team' : pick(i, `tag_${i}`))),
  };
  const statuses = ['FINISHED', 'FINISHED', 'FINISHED', 'FAILED', 'RUNNING', 'KILLED'] as const;
  const rows: RunRow[] = [];
  const t0 = spec.t0 ?? Date.UTC(2026, 0, 1);
  const nest = spec.nest ?? 0;
  for (let i = 0; i < spec.runs; i++) {
    const start = t0 - i * 60_000;
    const status = statuses[Math.floor(rnd() * statuses.length)]!;
    const parent = nest > 1 && i % nest !== 0 ? `run${String(i - (i % nest)).padStart(6, '0')}` : null;
    const pv: string[] = [];
    for (let p = 0; p < nParams; p++)
      pv.push(p === 0 ? (i % 2 ? 'knn' : 'rf') : p === 1 ? String(10 + Math.floor(rnd() * 290)) : pick(i + p, String(Math.round(rnd() * 1000) / 1000)));
    const mv: (number | null)[] = [];
    for (let m = 0; m < nMetrics; m++) mv.push(m === 0 ? 0.7 + 0.3 * rnd() : m === 1 && i % 97 === 0 ? null : rnd() * 10);
    rows.push({
      runId: `run${String(i).padStart(6, '0')}`,
      runName: hostile.length ? pick(i, ` run ${i}`) : `${parent ? 'trial' : 'run'}-${i}`,
      status,
      startTime: start,
      endTime: status === 'RUNNING' ? null : start + Math.floor(rnd() * 600_000),
      userId: hostile.length ? pick(i + 1, 'user') : i % 3 ? 'alice' : 'bob',
      source: hostile.length ? pick(i + 2, 'train.py') : 'modelops train',
      parentRunId: parent,
      pk: Array.from({ length: nParams }, (_, p) => p),
      pv,
      mk: Array.from({ length: nMetrics }, (_, m) => m),
      mv,
      tk: Array.from({ length: nTags }, (_, t) => t),
      tv: Array.from({ length: nTags }, (_, t) => pick(i + t, t === 0 ? (i % 2 ? 'vision' : 'nlp') : `v${i % 5}`)),
    });
  }
  return { keys, rows };
}

export function aRunsState(overrides: Partial<RunsState> = {}): RunsState {
  return { status: 'ready', experimentId: '1', experimentName: 'iris', stamp: 0, loaded: 0, complete: true, writable: true, ...overrides };
}

/** The state the host sends once it holds these rows (stamp = one change per row). */
export function stateFor(data: RunsTableData, overrides: Partial<RunsState> = {}): RunsState {
  return aRunsState({ stamp: data.rows.length, loaded: data.rows.length, ...overrides });
}

export function aRunPage(overrides: Partial<RunPage> = {}): RunPage {
  return {
    runId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
    runName: 'steady-duck-100',
    experimentId: '1',
    experimentName: 'iris',
    status: 'FINISHED',
    lifecycleStage: 'active',
    startTime: Date.UTC(2026, 0, 2, 9, 30),
    endTime: Date.UTC(2026, 0, 2, 9, 31, 12),
    userId: 'alice',
    source: 'modelops train',
    sourceType: 'LOCAL',
    gitCommit: '',
    artifactUri: '/work/.modelops/artifacts/1/a1b2c3d4e5f60718293a4b5c6d7e8f90/artifacts',
    parent: { runId: 'p0000000000000000000000000000001', runName: 'iris-species-study' },
    children: [],
    note: 'First forest + kNN on the cleaned data.',
    tags: [
      { key: 'mlflow.source.name', value: 'modelops train' },
      { key: 'mlflow.user', value: 'alice' },
      { key: 'modelops.task', value: 'classification' },
    ],
    params: [
      { key: 'cv', value: '5' },
      { key: 'models', value: 'rf,knn' },
      { key: 'rf.nEstimators', value: '100' },
      { key: 'seed', value: '42' },
    ],
    metrics: [
      { key: 'accuracy', value: 0.9533, step: 4, timestamp: Date.UTC(2026, 0, 2, 9, 31) },
      { key: 'f1_macro', value: 0.9533, step: 4, timestamp: Date.UTC(2026, 0, 2, 9, 31) },
      { key: 'log_loss', value: 0.1123, step: 4, timestamp: Date.UTC(2026, 0, 2, 9, 31) },
    ],
    datasets: [
      {
        name: 'iris',
        digest: '91eb642c',
        sourceType: 'local',
        source: 'examples/iris.csv',
        context: 'training',
        rows: 150,
        schema: [
          { name: 'sepal_length', type: 'double' },
          { name: 'species', type: 'string' },
        ],
        profileColumns: [
          { name: 'sepal_length', type: 'numeric', missing: 0, min: 4.3, max: 7.9, mean: 5.8433, std: 0.828 },
          { name: 'species', type: 'target', missing: 0, distinct: 3, top: 'setosa (50), versicolor (50), virginica (50)' },
        ],
      },
    ],
    versions: [{ name: 'iris', version: '2', stage: 'Staging', aliases: ['challenger'] }],
    ...overrides,
  };
}

export function aRunState(run: RunPage = aRunPage(), overrides: Partial<RunState> = {}): RunState {
  return { status: 'ready', writable: true, run, ...overrides };
}

/** A run with `count` metrics (the histories are made by `generateHistory`). */
export function manyMetricsRun(count: number): RunPage {
  const metrics = Array.from({ length: count }, (_, i) => ({
    key: `metric_${String(i).padStart(4, '0')}`,
    value: Math.sin(i) + 1,
    step: 999,
    timestamp: Date.UTC(2026, 0, 2, 10),
  }));
  return aRunPage({ metrics, runName: `${count} metrics` });
}

/** One metric's history of `steps` points, a noisy learning curve; self-contained (runs in the page too). */
export function generateHistory(key: string, steps: number): MetricHistoryPoints {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (Math.imul(31, h) + key.charCodeAt(i)) | 0;
  let a = h >>> 0;
  const rnd = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const stepsOut: number[] = [];
  const timestamps: number[] = [];
  const values: (number | null)[] = [];
  const t0 = Date.UTC(2026, 0, 2, 9, 30);
  for (let s = 0; s < steps; s++) {
    stepsOut.push(s);
    timestamps.push(t0 + s * 250);
    values.push(1 - Math.exp((-4 * (s + 1)) / steps) + 0.03 * (rnd() - 0.5));
  }
  return { key, steps: stepsOut, timestamps, values };
}

export const SVG_WITH_SCRIPT =
  '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60" onload="alert(1)"><script>alert(2)</script><rect width="120" height="60" fill="teal"/><text x="10" y="35" fill="white">plot</text></svg>';

export function anImagePreview(path: string, svg = SVG_WITH_SCRIPT): ArtifactPreview {
  return { path, kind: 'image', size: svg.length, dataUri: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` };
}
