/**
 * The search space as the space editor's table: one row per parameter with its fields as typed,
 * and back to the space JSON, checked by the `--space` file's own check (SEARCH_SPACE, the schema
 * of `schemas/modelops.space.schema.json`) with each problem put on its row and field. Pure, so
 * the webview, the host and the unit tests share it.
 */
import { ModelOpsError } from '../core/errors';
import type { ParamValue } from '../core/tuning';
import type { SearchSpace } from '../tuning/distributions';
import { SEARCH_SPACE } from '../tuning/distributions';
import type { Infer } from './validate';
import { bool, literal, obj, str } from './validate';

export const SPACE_TYPES = ['float', 'int', 'categorical'] as const;

/** One parameter as typed: numbers and choices are text until the table is read back. */
export const spaceRowCheck = obj({ name: str, type: literal(...SPACE_TYPES), low: str, high: str, step: str, log: bool, choices: str });
export type SpaceRow = Infer<typeof spaceRowCheck>;

export type SpaceField = 'name' | 'type' | 'low' | 'high' | 'step' | 'log' | 'choices';

/** A problem of the table: its row (0-based), the field, and the message naming both. */
export interface SpaceProblem {
  row: number;
  field: SpaceField;
  message: string;
}

/** Plain items where they read back as themselves, quoted where they would not (`"1"`); a JSON list when an item holds a comma or quote. */
function choicesText(choices: readonly ParamValue[]): string {
  if (choices.some((c) => typeof c === 'string' && /[,"[]/.test(c))) return JSON.stringify(choices);
  const plain = (c: ParamValue): string => (typeof c === 'string' && c.trim() === c && c !== '' && choiceItem(c) === c ? c : JSON.stringify(c));
  return choices.map(plain).join(', ');
}

/** The rows of a (checked) space, in its order. */
export function rowsOfSpace(space: SearchSpace): SpaceRow[] {
  return Object.entries(space).map(([name, d]) =>
    d.type === 'categorical'
      ? { name, type: 'categorical', low: '', high: '', step: '', log: false, choices: choicesText(d.choices) }
      : { name, type: d.type, low: String(d.low), high: String(d.high), step: d.step === undefined ? '' : String(d.step), log: d.log === true, choices: '' },
  );
}

export function emptyRow(): SpaceRow {
  return { name: '', type: 'float', low: '', high: '', step: '', log: false, choices: '' };
}

/**
 * Choices as typed: a JSON list (`["a,b", 1]`), or items split at commas, each a number, `null`,
 * `true` / `false`, or else the text itself (a quoted item is a string: `"1"`).
 */
export function parseChoices(text: string): ParamValue[] | string {
  const t = text.trim();
  if (t === '') return 'choices must list at least one value (comma-separated, or a JSON list)';
  if (t.startsWith('[')) {
    try {
      const v: unknown = JSON.parse(t);
      return Array.isArray(v) ? (v as ParamValue[]) : 'choices: expected a JSON list';
    } catch (e) {
      return `choices: not a JSON list (${(e as Error).message})`;
    }
  }
  return t.split(',').map((item) => choiceItem(item.trim()));
}

function choiceItem(item: string): ParamValue {
  if (item === 'null') return null;
  if (item === 'true' || item === 'false') return item === 'true';
  if (/^".*"$/.test(item)) {
    try {
      return JSON.parse(item) as string;
    } catch {
      return item;
    }
  }
  const n = Number(item);
  return item !== '' && Number.isFinite(n) ? n : item;
}

const label = (rows: readonly SpaceRow[], i: number): string => `row ${i + 1}${rows[i].name ? ` (${rows[i].name})` : ''}`;

/** A row's distribution as the file would hold it; a field that is no number is a problem of that field. */
function rowJson(rows: readonly SpaceRow[], i: number, problems: SpaceProblem[]): Record<string, unknown> {
  const r = rows[i];
  const say = (field: SpaceField, why: string): void => void problems.push({ row: i, field, message: `${label(rows, i)}: ${field} ${why}` });
  if (r.type === 'categorical') {
    const choices = parseChoices(r.choices);
    if (typeof choices === 'string') say('choices', choices.replace(/^choices:? ?/, ''));
    return { type: 'categorical', choices: typeof choices === 'string' ? [] : choices };
  }
  const number = (field: 'low' | 'high' | 'step', text: string): number | undefined => {
    const n = Number(text.trim());
    if (text.trim() === '' || !Number.isFinite(n)) say(field, `must be a number (got '${text}')`);
    return n;
  };
  const out: Record<string, unknown> = { type: r.type, low: number('low', r.low), high: number('high', r.high) };
  if (r.log) out.log = true;
  if (r.step.trim() !== '') out.step = number('step', r.step);
  return out;
}

/** A check's refusal of one row (`search space: <name>.low: why`, or `search space: <name>: why`) as the row's field and message. */
function rowProblem(rows: readonly SpaceRow[], i: number, message: string): SpaceProblem {
  const prefix = `search space: ${rows[i].name.trim()}`;
  const rest = message.startsWith(prefix) ? message.slice(prefix.length) : `: ${message}`;
  const field = /^\.(low|high|step|log|choices|type):/.exec(rest)?.[1] as SpaceField | undefined;
  const why = field ? rest.slice(field.length + 3) : rest.replace(/^: /, '');
  const fallback: SpaceField = rows[i].type === 'categorical' ? 'choices' : /step/.test(why) ? 'step' : 'low';
  return { row: i, field: field ?? fallback, message: `${label(rows, i)}: ${field ? `${field} ` : ''}${why}` };
}

/** The space of the rows, or the problems (each on its row and field) that keep it from being one. */
export function spaceOfRows(rows: readonly SpaceRow[]): { space: SearchSpace; problems: [] } | { space?: undefined; problems: SpaceProblem[] } {
  const problems: SpaceProblem[] = [];
  if (rows.length === 0) return { problems: [{ row: -1, field: 'name', message: 'the search space needs at least one parameter' }] };
  const entries: [string, Record<string, unknown>][] = [];
  rows.forEach((r, i) => {
    const name = r.name.trim();
    if (name === '') problems.push({ row: i, field: 'name', message: `row ${i + 1}: the parameter needs a name (rf.maxDepth, knn.weights, …)` });
    else if (name === '$schema') problems.push({ row: i, field: 'name', message: `row ${i + 1}: $schema names the file's schema, not a parameter` });
    else if (entries.some(([n]) => n === name))
      problems.push({ row: i, field: 'name', message: `row ${i + 1}: ${name} is already row ${rows.findIndex((x) => x.name.trim() === name) + 1}` });
    const json = rowJson(rows, i, problems);
    if (name !== '' && name !== '$schema') entries.push([name, json]);
  });
  if (problems.length > 0) return { problems };
  // One row at a time, so each refusal lands on its own row; fromEntries keeps `__proto__` a name.
  for (const [i, [name, json]] of entries.entries()) {
    try {
      SEARCH_SPACE(Object.fromEntries([[name, json]]), 'search space');
    } catch (e) {
      if (!(e instanceof ModelOpsError)) throw e;
      problems.push(rowProblem(rows, i, e.message));
    }
  }
  if (problems.length > 0) return { problems };
  return { space: SEARCH_SPACE(Object.fromEntries(entries), 'search space'), problems: [] };
}
