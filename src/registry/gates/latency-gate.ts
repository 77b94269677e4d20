import type { Gate } from './gate';
import { fmt, isObject, onlyKeys } from './gate';

interface LatencyConfig {
  latency?: { max_ms_per_row: number };
}

/** Rows timed when the smoke test is off (with it on, the smoke test's own run is timed). */
const TIMED_ROWS = 1000;

/** The latency budget: milliseconds per row when the sample is scored. */
export const latencyGate: Gate<LatencyConfig, 'latency'> = {
  kind: 'latency',
  fields: {
    latency: {
      schema: {
        type: 'object',
        additionalProperties: false,
        required: ['max_ms_per_row'],
        description: 'Latency budget, timed on the smoke test’s rows (or up to 1000 sample rows).',
        properties: { max_ms_per_row: { type: 'number', exclusiveMinimum: 0, description: 'Largest mean scoring time per row, in milliseconds.' } },
      },
      parse(v, where, bad) {
        if (!isObject(v)) bad(where, 'must be {"max_ms_per_row": <number>}');
        const l = v as Record<string, unknown>;
        onlyKeys(l, ['max_ms_per_row'], where, bad);
        if (!(typeof l.max_ms_per_row === 'number' && l.max_ms_per_row > 0)) bad(`${where}.max_ms_per_row`, 'must be a positive number');
        return { max_ms_per_row: l.max_ms_per_row as number };
      },
    },
  },
  evaluate({ latency }, evidence) {
    if (!latency) return [];
    const budget = latency.max_ms_per_row;
    const run = evidence.sample(TIMED_ROWS);
    const ms = run?.perRowMs;
    return [
      {
        name: 'latency budget',
        expected: `<= ${fmt(budget)} ms per row`,
        actual: ms === undefined ? 'not measured' : `${fmt(ms)} ms per row`,
        outcome: ms === undefined ? 'skipped' : ms <= budget ? 'pass' : 'fail',
        message: ms === undefined ? 'no held-out rows to time' : `${fmt(ms)} ms per row on ${run!.rows} rows`,
      },
    ];
  },
};
