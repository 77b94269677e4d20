import type { Gate, GateVerdict, SignatureColumns } from './gate';

interface SignatureConfig {
  /** `compatible`: the candidate must accept every input column Production accepts, with the same types. */
  signature: 'compatible' | 'off';
}

/**
 * Is the candidate a drop-in replacement for Production? Every input the candidate requires must be
 * one Production's callers already send, with the same type; and the output must keep its type.
 * Inputs Production took that the candidate no longer needs are fine (they are ignored).
 */
export function compareSignatures(production: SignatureColumns, candidate: SignatureColumns, productionVersion: string): GateVerdict {
  const problems: string[] = [];
  const prod = new Map(production.inputs.filter((c) => c.name !== undefined).map((c) => [c.name!, c]));
  for (const c of candidate.inputs) {
    if (c.name === undefined) continue;
    const p = prod.get(c.name);
    if (!p) {
      if (c.required !== false) problems.push(`requires input '${c.name}' (${c.type}) that Production does not take`);
    } else if (p.type !== c.type) {
      problems.push(`input '${c.name}' is ${c.type}, Production's is ${p.type}`);
    }
  }
  const po = production.outputs[0];
  const co = candidate.outputs[0];
  if (po && co && po.type !== co.type) problems.push(`output is ${co.type}, Production's is ${po.type}`);
  if (po?.name !== undefined && co?.name !== undefined && po.name !== co.name) problems.push(`predicts '${co.name}', Production predicts '${po.name}'`);
  const describe = (s: SignatureColumns): string => s.inputs.map((c) => `${c.name}:${c.type}`).join(', ');
  return {
    name: `signature compatible with Production v${productionVersion}`,
    expected: `inputs within (${describe(production)})`,
    actual: `(${describe(candidate)})`,
    outcome: problems.length === 0 ? 'pass' : 'fail',
    message: problems.length === 0 ? 'the candidate accepts what Production accepts' : `the candidate ${problems.join('; ')}`,
  };
}

/** Signature compatibility with Production (skipped while there is no Production version). */
export const signatureGate: Gate<SignatureConfig, 'signature'> = {
  kind: 'signature',
  fields: {
    signature: {
      schema: {
        enum: ['compatible', 'off'],
        default: 'compatible',
        description: '`compatible`: the candidate must accept every input Production accepts, with the same types.',
      },
      parse: (v, where, bad) => (v === 'compatible' || v === 'off' ? v : bad(where, 'must be "compatible" or "off"')),
      default: 'compatible',
    },
  },
  evaluate({ signature }, { production, signature: candidate, inputColumns }) {
    if (signature !== 'compatible') return [];
    if (production) return [compareSignatures(production.signature, candidate, production.version)];
    return [
      {
        name: 'signature compatible with Production',
        expected: 'the inputs Production accepts',
        actual: `${inputColumns} inputs`,
        outcome: 'skipped',
        message: 'no Production version yet',
      },
    ];
  },
};
