import { readFileSync } from 'node:fs';
import { ModelOpsError } from '../core/errors';
import { parseJsonText } from '../core/json-text';
import type { ParamValue } from '../core/tuning';
import type { MemberType } from '../ml/estimators';
import { checkParamNames } from '../ml/member-params';
import type { SearchSpace } from '../tuning/distributions';
import { parseSearchSpace } from '../tuning/distributions';
import type { TrainParamsFile } from './train-options';

/** What `modelops tune` searches when no --space is given, for the members in use. */
export const DEFAULT_SPACE: Record<string, SearchSpace> = {
  rf: {
    'rf.nEstimators': { type: 'int', low: 50, high: 300, step: 50 },
    'rf.maxDepth': { type: 'categorical', choices: [null, 6, 12, 24] },
    'rf.minSamplesLeaf': { type: 'int', low: 1, high: 8 },
    'rf.maxFeatures': { type: 'categorical', choices: ['sqrt', 'log2', 0.5] },
  },
  knn: {
    'knn.nNeighbors': { type: 'int', low: 1, high: 30, log: true },
    'knn.weights': { type: 'categorical', choices: ['uniform', 'distance'] },
  },
  tree: {
    'tree.maxDepth': { type: 'categorical', choices: [null, 4, 8, 16] },
    'tree.minSamplesLeaf': { type: 'int', low: 1, high: 16, log: true },
  },
};

/** A search space: a JSON file, the object itself, or (undefined) the members' default space. */
export function readSpace(space: string | Record<string, unknown> | undefined, members: MemberType[]): SearchSpace {
  if (space === undefined) {
    const out: SearchSpace = {};
    for (const m of members) Object.assign(out, DEFAULT_SPACE[m] ?? {});
    if (Object.keys(out).length === 0)
      throw new ModelOpsError('INVALID_PARAMETER_VALUE', `no default search space for ${members.join(', ')}; give --space <file.json>`, { location: 'space' });
    return parseSearchSpace(out, 'default search space');
  }
  if (typeof space !== 'string') return parseSearchSpace(space, 'search space');
  let text: string;
  try {
    text = readFileSync(space, 'utf8');
  } catch (e) {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${space}: cannot read the search space (${(e as Error).message})`, { location: space, cause: e });
  }
  return parseSearchSpace(parseJsonText(text, space), space);
}

/** Where a sampled name goes: `rf.x` → file.rf.x, `weights` → file.weights, `engine` → file.engine. */
export function applyParams(base: TrainParamsFile, params: Record<string, ParamValue>, members: MemberType[], source?: string): TrainParamsFile {
  const out: TrainParamsFile = { ...base, rf: { ...(base.rf ?? {}) }, knn: { ...(base.knn ?? {}) }, tree: { ...(base.tree ?? {}) } };
  for (const [name, value] of Object.entries(params)) {
    const dot = name.indexOf('.');
    if (dot < 0) {
      if (name === 'weights') out.weights = value as TrainParamsFile['weights'];
      else if (name === 'engine') out.engine = value as TrainParamsFile['engine'];
      else
        throw new ModelOpsError('INVALID_PARAMETER_VALUE', `search space: unknown parameter '${name}' (use <member>.<param>, weights or engine)`, {
          location: name,
        });
      continue;
    }
    const member = name.slice(0, dot);
    if (member !== 'rf' && member !== 'knn' && member !== 'tree')
      throw new ModelOpsError('INVALID_PARAMETER_VALUE', `search space: '${name}' names no tunable member (rf, knn, tree)`, { location: name });
    if (!members.includes(member))
      throw new ModelOpsError('INVALID_PARAMETER_VALUE', `search space: '${name}' tunes ${member}, which is not among --models ${members.join(',')}`, {
        location: name,
      });
    checkParamNames(member, [name.slice(dot + 1)], source, base.engine);
    out[member]![name.slice(dot + 1)] = value;
  }
  return out;
}

/** Refuses a space naming a parameter the members do not have, before any run exists. */
export function checkSpaceNames(base: TrainParamsFile, space: SearchSpace, members: MemberType[], source: string | Record<string, unknown> | undefined): void {
  applyParams(base, Object.fromEntries(Object.keys(space).map((k) => [k, null])), members, typeof source === 'string' ? source : 'the search space');
}
