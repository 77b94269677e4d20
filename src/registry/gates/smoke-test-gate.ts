import type { Evidence, Gate, SampleRun } from './gate';
import { isObject, onlyKeys } from './gate';

interface SmokeTestConfig {
  /** Score this many held-out rows and check every prediction is well-formed. `false` turns it off. */
  smoke_test: { rows: number } | false;
}

const DEFAULT_ROWS = 100;

/** What is wrong with the sample's predictions, or '' when each row got one well-formed answer. */
function problemOf(run: SampleRun, evidence: Evidence): string {
  if (run.error !== undefined) return run.error;
  const n = run.predictions.length;
  if (n !== run.rows) return `${n} predictions for ${run.rows} rows`;
  if (evidence.task === 'classification') {
    const classes = new Set(evidence.classes);
    const bad = run.predictions.findIndex((p) => !classes.has(String(p)));
    const badP = (run.probabilities ?? []).findIndex((p) => Math.abs(p.reduce((a, b) => a + b, 0) - 1) > 1e-6 || p.some((x) => !(x >= 0 && x <= 1)));
    if (bad >= 0) return `row ${bad + 1}: prediction '${String(run.predictions[bad])}' is not a known class`;
    if (badP >= 0) return `row ${badP + 1}: probabilities do not sum to 1`;
    return '';
  }
  const bad = run.predictions.findIndex((p) => !Number.isFinite(Number(p)));
  return bad >= 0 ? `row ${bad + 1}: prediction is not a finite number` : '';
}

/** Inference smoke test: score a sample and check every answer is well-formed. */
export const smokeTestGate: Gate<SmokeTestConfig, 'smoke_test'> = {
  kind: 'smoke_test',
  fields: {
    smoke_test: {
      schema: {
        description: `Score a sample (held-out rows, else the model’s input example) and check every prediction is well-formed; true means ${DEFAULT_ROWS} rows, false turns it off.`,
        oneOf: [
          { title: 'true or false', type: 'boolean' },
          { title: '{"rows": n}', type: 'object', additionalProperties: false, properties: { rows: { type: 'integer', minimum: 1, default: DEFAULT_ROWS } } },
        ],
      },
      parse(v, where, bad) {
        if (v === false) return false;
        if (v === true) return { rows: DEFAULT_ROWS };
        if (!isObject(v)) bad(where, 'must be false, true or {"rows": <n>}');
        const o = v as Record<string, unknown>;
        onlyKeys(o, ['rows'], where, bad);
        if (o.rows !== undefined && !(typeof o.rows === 'number' && Number.isInteger(o.rows) && o.rows > 0)) bad(`${where}.rows`, 'must be a positive integer');
        return { rows: (o.rows as number | undefined) ?? DEFAULT_ROWS };
      },
      default: { rows: DEFAULT_ROWS },
    },
  },
  evaluate({ smoke_test: config }, evidence) {
    if (config === false) return [];
    const run = evidence.sample(config.rows);
    if (!run) {
      return [
        {
          name: 'inference smoke test',
          expected: 'held-out rows to score',
          actual: 'no held-out data and no input example',
          outcome: 'skipped',
          message: 'set "data" in .modelops/gates.json or pass --data to run it',
        },
      ];
    }
    const problem = problemOf(run, evidence);
    return [
      {
        name: `inference smoke test on ${run.rows} ${run.from}`,
        expected: 'one well-formed prediction per row',
        actual: problem ? 'failed' : `${run.predictions.length} predictions`,
        outcome: problem ? 'fail' : 'pass',
        message: problem || 'every prediction is well-formed',
      },
    ];
  },
};
