import type { Gate } from './gate';
import { fmt } from './gate';

interface SizeConfig {
  max_size_mb?: number;
}

/** The model size budget: megabytes of the candidate's model directory. */
export const sizeGate: Gate<SizeConfig, 'size'> = {
  kind: 'size',
  fields: {
    max_size_mb: {
      schema: { type: 'number', exclusiveMinimum: 0, description: 'Largest model directory allowed, in megabytes.' },
      parse: (v, where, bad) => (typeof v === 'number' && v > 0 ? v : bad(where, 'must be a positive number of megabytes')),
    },
  },
  evaluate({ max_size_mb: max }, evidence) {
    if (max === undefined) return [];
    const mb = evidence.sizeMb();
    return [
      {
        name: 'model size budget',
        expected: `<= ${fmt(max)} MB`,
        actual: `${fmt(mb)} MB`,
        outcome: mb <= max ? 'pass' : 'fail',
        message: `the model directory holds ${fmt(mb)} MB`,
      },
    ];
  },
};
