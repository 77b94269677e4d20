import type { Gate, GateVerdict } from './gate';

interface DataConfig {
  /** Held-out data (CSV, relative to the workspace) every candidate and the Production version are scored on. */
  data?: string;
  /** Target column in `data`; defaults to the model's own target. */
  target?: string;
}

/** "The held-out data fits the candidate": its rows carry the target and the candidate's inputs (and Production can score them). */
export const dataGate: Gate<DataConfig, 'data'> = {
  kind: 'data',
  fields: {
    data: {
      schema: {
        type: 'string',
        minLength: 1,
        description: 'Held-out CSV (relative to the workspace) the candidate and Production are both scored on; `--data` overrides it.',
      },
      parse: (v, where, bad) => (typeof v === 'string' && v !== '' ? v : bad(where, 'must be a path to a CSV file')),
    },
    target: {
      schema: { type: 'string', minLength: 1, description: 'Target column of the held-out data (default: the model’s own target).' },
      parse: (v, where, bad) => (typeof v === 'string' && v !== '' ? v : bad(where, 'must be a column name')),
    },
  },
  evaluate(_config, { heldOut, inputColumns, production }) {
    if (!heldOut) return [];
    const { issues } = heldOut;
    const count = [...heldOut.unknownLabels.values()].reduce((a, b) => a + b, 0);
    const labels = [...heldOut.unknownLabels.keys()].slice(0, 5).map((l) => `'${l}'`);
    // Rows whose label the candidate never saw cannot be scored as right or wrong: say so.
    const unknown = count > 0 ? `; ${count} row(s) with labels the model never saw (${labels.join(', ')}) are left out of the metrics` : '';
    const out: GateVerdict[] = [
      {
        name: 'held-out data fits the candidate',
        expected: `a CSV with ${inputColumns} input columns and '${heldOut.target}'`,
        actual: `${heldOut.rows} rows, ${heldOut.columns} columns`,
        outcome: issues.length === 0 ? 'pass' : 'fail',
        message: issues.length === 0 ? `${heldOut.path} fits${unknown}` : `${heldOut.path} ${issues.join('; ')}`,
      },
    ];
    if (heldOut.productionError !== undefined) {
      out.push({
        name: `held-out data fits Production v${production?.version ?? '?'}`,
        expected: 'Production scores the same rows',
        actual: 'it cannot',
        outcome: 'fail',
        message: heldOut.productionError,
      });
    }
    return out;
  },
};
