import { ModelOpsError } from '../core/errors';
import type { MemberSpec, MemberType } from './estimators';

/**
 * What each ensemble member takes, checked before any training starts: a name the member does not
 * know (a snake_case `n_estimators`, a typo) is refused with the right spelling, and a value out of
 * range (`nEstimators: 1e9`) with the range allowed — instead of being recorded on the run and
 * ignored, or running the machine out of memory.
 */
type Rule =
  | { kind: 'int'; min: number; max: number; nullable?: boolean }
  | { kind: 'number'; min: number; max: number; minExclusive?: boolean }
  | { kind: 'bool' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'maxFeatures' };

const SEED: Rule = { kind: 'int', min: 0, max: 2 ** 31 - 1 };
const TREE: Record<string, Rule> = {
  maxDepth: { kind: 'int', min: 1, max: 1000, nullable: true },
  minSamplesLeaf: { kind: 'int', min: 1, max: 1_000_000 },
  minSamplesSplit: { kind: 'int', min: 2, max: 1_000_000 },
  seed: SEED,
};

export const MEMBER_PARAMS: Readonly<Record<MemberType, Readonly<Record<string, Rule>>>> = {
  rf: {
    nEstimators: { kind: 'int', min: 1, max: 5000 },
    ...TREE,
    maxFeatures: { kind: 'maxFeatures' },
    bootstrap: { kind: 'bool' },
    maxBins: { kind: 'int', min: 2, max: 256 },
  },
  knn: { nNeighbors: { kind: 'int', min: 1, max: 10_000 }, weights: { kind: 'enum', values: ['uniform', 'distance'] }, standardize: { kind: 'bool' } },
  tree: TREE,
  dummy: {},
};

/** What the mljs engine's wrappers take (src/ml/mljs/). */
const MLJS_PARAMS: Readonly<Partial<Record<MemberType, Readonly<Record<string, Rule>>>>> = {
  rf: {
    nEstimators: { kind: 'int', min: 1, max: 5000 },
    maxFeatures: { kind: 'number', min: 0, max: 1, minExclusive: true },
    maxDepth: TREE.maxDepth!,
    minSamplesLeaf: TREE.minSamplesLeaf!,
    seed: SEED,
  },
  knn: { nNeighbors: { kind: 'int', min: 1, max: 10_000 } },
};

function camel(name: string): string {
  return name.replace(/[_-]+([a-z0-9])/gi, (_, c: string) => c.toUpperCase());
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const t = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      prev = t;
    }
  }
  return d[b.length]!;
}

function suggestion(name: string, known: string[]): string {
  const c = camel(name);
  if (known.includes(c)) return ` — did you mean '${c}'?`;
  const near = known.map((k) => [k, distance(name, k)] as const).sort((x, y) => x[1] - y[1])[0];
  return near && near[1] <= 3 ? ` — did you mean '${near[0]}'?` : '';
}

function checkValue(where: string, rule: Rule, v: unknown): void {
  const bad = (allowed: string): ModelOpsError =>
    new ModelOpsError('INVALID_PARAMETER_VALUE', `${where} must be ${allowed}, got ${JSON.stringify(v)}`, { location: where });
  switch (rule.kind) {
    case 'int':
      if (v === null && rule.nullable) return;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < rule.min || v > rule.max)
        throw bad(`an integer from ${rule.min} to ${rule.max}${rule.nullable ? ' (or null: no limit)' : ''}`);
      return;
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v) || (rule.minExclusive ? v <= rule.min : v < rule.min) || v > rule.max)
        throw bad(`a number in ${rule.minExclusive ? '(' : '['}${rule.min}, ${rule.max}]`);
      return;
    case 'bool':
      if (typeof v !== 'boolean') throw bad('true or false');
      return;
    case 'enum':
      if (typeof v !== 'string' || !rule.values.includes(v)) throw bad(`one of ${rule.values.map((x) => `'${x}'`).join(', ')}`);
      return;
    case 'maxFeatures':
      if (v === null || v === 'sqrt' || v === 'log2') return;
      if (typeof v === 'number' && Number.isFinite(v) && ((v > 0 && v <= 1) || (Number.isInteger(v) && v >= 1 && v <= 100_000))) return;
      throw bad("'sqrt', 'log2', a fraction in (0, 1], a whole number of features, or null (all)");
  }
}

function rulesOf(type: MemberType, engine: MemberSpec['engine']): Readonly<Record<string, Rule>> | undefined {
  return (engine === 'mljs' ? MLJS_PARAMS[type] : undefined) ?? MEMBER_PARAMS[type];
}

/** `source`: the file the parameters come from, named first in every message. */
function prefixed(e: ModelOpsError, source: string | undefined): ModelOpsError {
  return source === undefined ? e : new ModelOpsError(e.code, `${source}: ${e.message}`, { location: `${source}:${e.location ?? ''}` });
}

function unknownName(type: MemberType, engine: MemberSpec['engine'], name: string, rules: Readonly<Record<string, Rule>>): ModelOpsError {
  const known = Object.keys(rules);
  return new ModelOpsError(
    'INVALID_PARAMETER_VALUE',
    `${type}${engine === 'mljs' ? ' (mljs)' : ''}: unknown parameter '${name}'${suggestion(name, known)} (${known.length ? `it takes ${known.join(', ')}` : 'it takes none'})`,
    { location: `${type}.${name}` },
  );
}

/** Throws a ModelOpsError naming the member, the parameter and what it may be (and the file, when given). */
export function checkMemberParams(spec: MemberSpec, source?: string): void {
  const rules = rulesOf(spec.type, spec.engine);
  if (!rules) return;
  try {
    for (const [name, value] of Object.entries(spec.params ?? {})) {
      const rule = Object.hasOwn(rules, name) ? rules[name] : undefined;
      if (!rule) throw unknownName(spec.type, spec.engine, name, rules);
      checkValue(`${spec.type}.${name}`, rule, value);
    }
  } catch (e) {
    throw e instanceof ModelOpsError ? prefixed(e, source) : e;
  }
}

/** Only the names (a search space, before any value is drawn). */
export function checkParamNames(type: MemberType, names: readonly string[], source?: string, engine?: MemberSpec['engine']): void {
  const rules = rulesOf(type, engine);
  if (!rules) return;
  for (const name of names) if (!Object.hasOwn(rules, name)) throw prefixed(unknownName(type, engine, name, rules), source);
}
