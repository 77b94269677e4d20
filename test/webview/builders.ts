/**
 * Test data builders for the webview panels (unit tests, browser tests and the benchmark share
 * them), so fixtures say what matters and default the rest.
 */
import type { CompareRun, CompareState, MetricHistory } from '../../src/shared/compare-protocol';
import type { MetricComparison, PromotionReview, ReviewSide, VersionSummary } from '../../src/shared/promotion-protocol';

export const HOSTILE_NAME = '<img src=x onerror=alert(1)>';

/** Small deterministic generator (mulberry32) so fixtures are the same on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function aRun(
  overrides: Partial<Omit<CompareRun, 'params' | 'metrics'>> & { params?: Record<string, string>; metrics?: Record<string, number | null> } = {},
): CompareRun {
  const { params, metrics, ...rest } = overrides;
  const runId =
    rest.runId ??
    `run${Math.abs(hash(JSON.stringify(overrides)))
      .toString(16)
      .padStart(8, '0')}`;
  return {
    runId,
    runName: 'run',
    experimentId: '0',
    status: 'FINISHED',
    startTime: 1_764_000_000_000,
    endTime: 1_764_000_060_000,
    hasModel: true,
    ...rest,
    params: Object.entries(params ?? { n_estimators: '100' }).map(([key, value]) => ({ key, value })),
    metrics: Object.entries(metrics ?? { accuracy: 0.9 }).map(([key, value]) => ({ key, value })),
  };
}

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return h;
}

export const METRIC_KEYS = ['accuracy', 'f1', 'precision', 'recall', 'log_loss'];

/** `count` runs of a tuning sweep with `metricCount` metrics; values depend on the params. */
export function manyRuns(count: number, metricCount = 5, seed = 7): CompareRun[] {
  const rnd = seeded(seed);
  const runs: CompareRun[] = [];
  for (let i = 0; i < count; i++) {
    const trees = 10 + Math.floor(rnd() * 290);
    const k = 1 + Math.floor(rnd() * 15);
    const metrics: Record<string, number> = {};
    METRIC_KEYS.slice(0, metricCount).forEach((key, j) => {
      const base = 0.7 + 0.2 * Math.min(trees / 300, 1) - 0.005 * k + 0.05 * rnd();
      metrics[key] = key === 'log_loss' ? 1 - base : base - 0.01 * j;
    });
    runs.push(
      aRun({
        runId: `r${String(i).padStart(4, '0')}`,
        runName: `trial-${i}`,
        params: { n_estimators: String(trees), n_neighbors: String(k), weights: i % 2 ? 'distance' : 'uniform', seed: '42' },
        metrics,
        confusionMatrix:
          i < 4
            ? {
                labels: ['setosa', 'versicolor', 'virginica'],
                matrix: [
                  [10, 0, 0],
                  [0, 9, 1],
                  [0, i % 3, 10 - (i % 3)],
                ],
              }
            : undefined,
        featureImportance:
          i < 4
            ? { features: ['petal_length', 'petal_width', 'sepal_length', 'sepal_width'], importances: [0.45 - 0.02 * i, 0.4, 0.1, 0.05 + 0.02 * i] }
            : undefined,
      }),
    );
  }
  // Builders must not leave `undefined` optional fields: the protocol drops them anyway.
  for (const r of runs) for (const k of ['confusionMatrix', 'featureImportance'] as const) if (r[k] === undefined) delete r[k];
  return runs;
}

export function historiesFor(runs: readonly CompareRun[], key: string, steps: number, seed = 11): MetricHistory[] {
  const rnd = seeded(seed + hash(key));
  return runs.map((run) => {
    const final = run.metrics.find((m) => m.key === key)?.value ?? 0.5;
    const stepList = new Array<number>(steps);
    const values = new Array<number | null>(steps);
    for (let s = 0; s < steps; s++) {
      stepList[s] = s;
      const progress = 1 - Math.exp((-5 * (s + 1)) / steps);
      values[s] = final * progress + 0.01 * (rnd() - 0.5);
    }
    return { runId: run.runId, steps: stepList, values };
  });
}

export function aState(runs: CompareRun[], overrides: Partial<CompareState> = {}): CompareState {
  return { status: 'ready', runs, ...overrides };
}

export function aVersion(overrides: Partial<VersionSummary> = {}): VersionSummary {
  return { name: 'iris-classifier', version: '3', stage: 'Staging', runId: 'cand0001', creationTime: 1_764_000_000_000, ...overrides };
}

export function aSide(overrides: Partial<ReviewSide> = {}): ReviewSide {
  return {
    version: aVersion(),
    signature: {
      inputs: [
        { name: 'sepal_length', type: 'double' },
        { name: 'sepal_width', type: 'double' },
        { name: 'petal_length', type: 'double' },
        { name: 'petal_width', type: 'double' },
      ],
      outputs: [{ name: 'species', type: 'string' }],
    },
    datasets: [{ name: 'iris', digest: '3f2a9c1e', source: 'data/iris.csv', rows: 150, context: 'training' }],
    featureImportance: { features: ['petal_length', 'petal_width', 'sepal_length', 'sepal_width'], importances: [0.44, 0.42, 0.1, 0.04] },
    ...overrides,
  };
}

export function aMetric(overrides: Partial<MetricComparison> & { key: string }): MetricComparison {
  return { candidate: 0.95, production: 0.93, goal: 'maximize', ...overrides };
}

export function aReview(overrides: Partial<PromotionReview> = {}): PromotionReview {
  return {
    candidate: aSide(),
    production: aSide({
      version: aVersion({ version: '2', stage: 'Production', runId: 'prod0001' }),
      signature: {
        inputs: [
          { name: 'sepal_length', type: 'double' },
          { name: 'sepal_width', type: 'float' },
          { name: 'petal_length', type: 'double' },
          { name: 'petal_width', type: 'double' },
          { name: 'region', type: 'string', optional: true },
        ],
        outputs: [{ name: 'species', type: 'string' }],
      },
      datasets: [{ name: 'iris', digest: '77b0d4aa', source: 'data/iris.csv', rows: 120, context: 'training' }],
    }),
    metrics: [
      aMetric({ key: 'accuracy', candidate: 0.953, production: 0.933, gate: { rule: '>= 0.90', passed: true, detail: '0.953 >= 0.90' } }),
      aMetric({ key: 'f1_macro', candidate: 0.951, production: 0.94, gate: { rule: 'no worse than Production by 0.01', passed: true, detail: '+0.011' } }),
      aMetric({
        key: 'log_loss',
        candidate: 0.21,
        production: 0.18,
        goal: 'minimize',
        gate: { rule: '<= Production + 0.02', passed: false, detail: '+0.03 > 0.02' },
      }),
    ],
    validation: {
      passed: true,
      createdAt: 1_764_000_100_000,
      checks: [
        { name: 'metric thresholds', passed: true, detail: 'accuracy 0.953 >= 0.90' },
        { name: 'signature', passed: true, detail: 'inputs compatible with Production' },
        { name: 'inference smoke test', passed: true, detail: '5 rows predicted in 3 ms' },
      ],
    },
    decision: null,
    ...overrides,
  };
}
