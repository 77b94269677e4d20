import type { Cell } from '../ml/dataset/dataset';
import { REQUIRED_INPUT_FORMAT, SCORING_PROTOCOL_CHANGE_INFO, SUPPORTED_FORMATS, badRequest, invalidInput } from './serve-error';

/** A JSON cell before it is checked against the signature (lists and objects are refused there). */
export type JsonCell = Cell | unknown[] | Record<string, unknown>;

/** The input of one request as named columns, in the order the request gave them. */
export interface InputColumns {
  names: string[];
  columns: Record<string, JsonCell[]>;
  nRows: number;
}

export interface ScoringRequest {
  input: InputColumns;
  /** MLflow's `params` (validated against the model's params schema later). */
  params: Record<string, unknown>;
}

/** Python's repr of a list of strings, as MLflow's messages print them. */
export function pyList(items: readonly string[]): string {
  return `[${items.map((s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(', ')}]`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Records (list of objects): columns in order of first appearance, an absent key is a missing value. */
function fromRecords(records: unknown[], what: string): InputColumns {
  const names: string[] = [];
  const seen = new Set<string>();
  records.forEach((r, i) => {
    if (!isObject(r)) throw invalidInput(`${what} must be a list of records; item ${i} is ${Array.isArray(r) ? 'a list' : JSON.stringify(r)}.`);
    for (const k of Object.keys(r)) {
      if (seen.has(k)) continue;
      names.push(k);
      seen.add(k);
    }
  });
  // Column names are data: `__proto__` is a column like any other.
  const columns = Object.create(null) as Record<string, JsonCell[]>;
  for (const n of names) columns[n] = records.map((r) => ((r as Record<string, unknown>)[n] ?? null) as JsonCell);
  return { names, columns, nRows: records.length };
}

/** Rows of values without names (a split without columns, a tensor): column names are positions, as pandas makes them. */
function fromRows(rows: unknown[], names: string[] | undefined, what: string): InputColumns {
  const width = names?.length ?? (Array.isArray(rows[0]) ? rows[0].length : 1);
  const cols = names ?? Array.from({ length: width }, (_, i) => String(i));
  const columns: Record<string, JsonCell[]> = Object.fromEntries(cols.map((n) => [n, new Array<JsonCell>(rows.length)]));
  rows.forEach((row, r) => {
    const cells = Array.isArray(row) ? row : [row];
    if (cells.length !== width)
      throw invalidInput(
        `Provided ${what} field is not a valid dataframe representation. Error: '${width} columns passed, passed data had ${cells.length} columns' (row ${r}).`,
      );
    cols.forEach((n, c) => (columns[n]![r] = cells[c] as JsonCell));
  });
  return { names: cols, columns, nRows: rows.length };
}

function fromSplit(v: unknown): InputColumns {
  if (!isObject(v)) throw invalidInput(`Dataframe split format must be a dictionary. Got ${Array.isArray(v) ? 'list' : `type ${typeof v}`}.`);
  const keys = Object.keys(v);
  if (!('data' in v) || keys.some((k) => !['columns', 'data', 'index'].includes(k))) {
    throw invalidInput(
      `Dataframe split format must have 'data' field and optionally 'columns' and 'index' fields. Got {${keys.map((k) => `'${k}'`).join(', ')}}.'`,
    );
  }
  if (!Array.isArray(v.data))
    throw invalidInput("Provided dataframe_split field is not a valid dataframe representation in 'split' format. Error: 'data must be a list'");
  if (v.columns !== undefined && (!Array.isArray(v.columns) || !v.columns.every((c) => typeof c === 'string'))) {
    throw invalidInput("Provided dataframe_split field is not a valid dataframe representation in 'split' format. Error: 'columns must be a list of names'");
  }
  return fromRows(v.data, v.columns as string[] | undefined, 'dataframe_split');
}

/** TF-serving's `inputs`: columns (an object of lists) or, as `instances`, a list. */
function fromInputs(v: unknown): InputColumns {
  if (!isObject(v)) return fromInstances(v, 'inputs');
  const names = Object.keys(v);
  const lists = names.map((n) => (Array.isArray(v[n]) ? (v[n] as JsonCell[]) : [v[n] as JsonCell]));
  const nRows = lists[0]?.length ?? 0;
  if (lists.some((l) => l.length !== nRows))
    throw badRequest(
      `Failed to parse data as TF serving input. All columns of 'inputs' must have the same length (got ${lists.map((l) => l.length).join(', ')}).`,
    );
  return { names, columns: Object.fromEntries(names.map((n, i) => [n, lists[i]!])), nRows };
}

function fromInstances(v: unknown, what = 'instances'): InputColumns {
  if (!Array.isArray(v)) throw badRequest(`Failed to parse data as TF serving input. '${what}' must be a list.`);
  if (v.length > 0 && isObject(v[0])) return fromRecords(v, what);
  return fromRows(v, undefined, what);
}

/** A JSON request body in any of MLflow 2.x's formats, with its optional `params`. */
export function parseJsonRequest(text: string): ScoringRequest {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const shown = text.length > 200 ? `${text.slice(0, 200)}…` : text;
    throw badRequest(
      `Failed to parse input from JSON. Ensure that input is a valid JSON formatted string. Error: '${(e as Error).message}'. Input: \n${shown}\n`,
    );
  }
  if (Array.isArray(doc)) throw badRequest(`${REQUIRED_INPUT_FORMAT}. Received a list. ${SCORING_PROTOCOL_CHANGE_INFO}`);
  if (!isObject(doc)) throw badRequest(`${REQUIRED_INPUT_FORMAT}. Received unexpected input type '${doc === null ? 'null' : typeof doc}'.`);
  const { params, ...data } = doc;
  if (params !== undefined && params !== null && !isObject(params))
    throw badRequest(`'params' must be a JSON object (e.g. {"predict_proba": true}), got ${JSON.stringify(params)}`);
  const formats = Object.keys(data).filter((k) => (SUPPORTED_FORMATS as readonly string[]).includes(k));
  if (formats.length !== 1)
    throw badRequest(`${REQUIRED_INPUT_FORMAT}. Received dictionary with input fields: ${pyList(Object.keys(data))}. ${SCORING_PROTOCOL_CHANGE_INFO}`);
  const format = formats[0]!;
  const value = data[format];
  let input: InputColumns;
  if (format === 'dataframe_split') input = fromSplit(value);
  else if (format === 'dataframe_records') {
    if (!Array.isArray(value))
      throw invalidInput(`Dataframe records format must be a list of records. Got ${isObject(value) ? 'dictionary' : `type ${typeof value}`}.`);
    input = fromRecords(value, 'dataframe_records');
  } else if (format === 'instances') input = fromInstances(value);
  else input = fromInputs(value);
  return { input, params: (params as Record<string, unknown> | undefined) ?? {} };
}
