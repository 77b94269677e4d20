import { ModelOpsError } from '../core/errors';
import type { Distribution, ParamValue } from './distributions';
import { parseSearchSpace } from './distributions';

/**
 * Optuna's distributions (`trial_params.distribution_json`, as `optuna.distributions.
 * distribution_to_json` writes them) as ours, and a param's stored number (`param_value`, Optuna's
 * "internal representation": the choice's index for a categorical) as its value.
 */

type Attributes = Record<string, unknown>;

function fail(where: string, why: string): never {
  throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${where}: ${why}`, { location: where });
}

const numberOr = (v: unknown, fallback: number | undefined): number | undefined => (v === null || v === undefined ? fallback : (v as number));

/** The distribution Optuna's JSON names, in our words (checked by our own search-space parser). */
function translate(name: string, a: Attributes, where: string): Record<string, unknown> {
  const range = { low: a.low, high: a.high };
  switch (name) {
    case 'FloatDistribution': {
      const step = numberOr(a.step, undefined);
      return { type: 'float', ...range, log: a.log === true, ...(step !== undefined ? { step } : {}) };
    }
    case 'IntDistribution': {
      // Optuna keeps step 1 beside log=True; ours says log alone.
      const step = numberOr(a.step, 1);
      return { type: 'int', ...range, log: a.log === true, ...(a.log === true || step === 1 ? {} : { step }) };
    }
    case 'CategoricalDistribution':
      return { type: 'categorical', choices: a.choices };
    // The classes Optuna < 3.0 wrote (3.x still reads them).
    case 'UniformDistribution':
      return { type: 'float', ...range };
    case 'LogUniformDistribution':
      return { type: 'float', ...range, log: true };
    case 'DiscreteUniformDistribution':
      return { type: 'float', ...range, step: a.q };
    case 'IntUniformDistribution': {
      const step = numberOr(a.step, 1);
      return { type: 'int', ...range, ...(step === 1 ? {} : { step }) };
    }
    case 'IntLogUniformDistribution':
      return { type: 'int', ...range, log: true };
    default:
      return fail(
        where,
        `unknown Optuna distribution '${name}' (known: FloatDistribution, IntDistribution, CategoricalDistribution and Optuna 2's Uniform, LogUniform, DiscreteUniform, IntUniform, IntLogUniform)`,
      );
  }
}

/** Parses param `name`'s `distribution_json`; `where` names the file, study and trial. */
export function fromOptunaDistribution(json: string, name: string, where: string): Distribution {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    fail(`${where}: ${name}`, `distribution_json is not JSON: ${json.slice(0, 80)}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`${where}: ${name}`, 'distribution_json is not an object');
  const o = v as Record<string, unknown>;
  // Optuna also reads an abbreviated form ({"type": "int", "low": ..}), which is ours already.
  const ours = typeof o.name === 'string' ? translate(o.name, (o.attributes ?? {}) as Attributes, `${where}: ${name}`) : o;
  return parseSearchSpace({ [name]: ours }, where)[name]!;
}

/** A param's value from Optuna's stored number: the choice for a categorical, an integer for an int. */
export function optunaParamValue(d: Distribution, internal: number, where: string): ParamValue {
  if (d.type === 'categorical') {
    const i = Math.round(internal);
    if (!(i >= 0 && i < d.choices.length)) fail(where, `choice index ${internal} is outside the ${d.choices.length} choices`);
    return d.choices[i]!;
  }
  if (!Number.isFinite(internal)) fail(where, `param value ${internal} is not a finite number`);
  return d.type === 'int' ? Math.round(internal) : internal;
}

/** Two trials' distributions of one param agree (an Optuna study may change a param's range between trials). */
export function sameDistribution(a: Distribution, b: Distribution): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
