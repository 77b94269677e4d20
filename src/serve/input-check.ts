import { ModelOpsError } from '../core/errors';
import { parseCsv } from '../ml/dataset/csv';
import type { Cell, Frame } from '../ml/dataset/dataset';
import { isMissing, parseBoolean, parseNumber } from '../ml/dataset/schema';
import type { InputColumn } from '../pipeline/predict-input';
import { checkInput } from '../pipeline/predict-input';
import type { InputColumns, JsonCell } from './request-body';
import { pyList } from './request-body';
import { ServeError, badRequest } from './serve-error';

const NUMERIC = new Set(['double', 'float', 'long', 'integer']);

/** MLflow's repr of a column-based schema: `['plan': string (required), …]`. */
export function schemaRepr(inputs: readonly InputColumn[]): string {
  return `[${inputs.map((c) => `${pyList([c.name]).slice(1, -1)}: ${c.type} (${c.required === false ? 'optional' : 'required'})`).join(', ')}]`;
}

/** PyFuncModel.predict's wrapping of a schema failure (the data itself is left out: it can be megabytes). */
function enforceError(inputs: readonly InputColumn[], detail: string): ServeError {
  return new ServeError(400, 'INVALID_PARAMETER_VALUE', `Failed to enforce schema of data with schema '${schemaRepr(inputs)}'. Error: ${detail}`);
}

function missingInputs(inputs: readonly InputColumn[], given: readonly string[]): ServeError | undefined {
  const have = new Set(given);
  const known = new Set(inputs.map((c) => c.name));
  const missing = inputs.filter((c) => c.required !== false && !have.has(c.name)).map((c) => c.name);
  if (missing.length === 0) return undefined;
  const extra = given.filter((n) => !known.has(n));
  return enforceError(inputs, `Model is missing inputs ${pyList(missing)}.${extra.length ? ` Note that there were extra inputs: ${pyList(extra)}` : ''}`);
}

/** A JSON cell as the column's type reads it, or why it cannot be. */
function typedCell(type: string, v: JsonCell): { cell: Cell } | { bad: string } {
  if (v === null || v === undefined) return { cell: null };
  if (typeof v === 'object') return { bad: Array.isArray(v) ? 'a list' : 'an object' };
  if (NUMERIC.has(type)) {
    if (typeof v === 'number' || typeof v === 'boolean') return { cell: v };
    return isMissing(v) || !Number.isNaN(parseNumber(v)) ? { cell: v } : { bad: `the text ${JSON.stringify(v)}` };
  }
  if (type === 'boolean') {
    if (typeof v === 'boolean' || isMissing(v)) return { cell: v };
    return Number.isNaN(parseBoolean(v)) ? { bad: typeof v === 'number' ? `the number ${v}` : `the text ${JSON.stringify(v)}` } : { cell: v };
  }
  return { cell: v };
}

/** The model's input columns from a JSON request: required columns present, every cell of its column's type. */
export function checkJsonInput(input: InputColumns, inputs: readonly InputColumn[]): Frame {
  let given = input;
  // One input and one unnamed column (a list of scalars): that column is the input, as MLflow maps it.
  if (inputs.length === 1 && given.names.length === 1 && given.names[0] === '0' && inputs[0]!.name !== '0') {
    given = { names: [inputs[0]!.name], columns: { [inputs[0]!.name]: given.columns['0']! }, nRows: given.nRows };
  }
  const missing = missingInputs(inputs, given.names);
  if (missing) throw missing;
  const columns = Object.create(null) as Record<string, Cell[]>;
  for (const c of inputs) {
    const cells = Object.hasOwn(given.columns, c.name) ? given.columns[c.name] : undefined;
    if (!cells) {
      columns[c.name] = new Array<Cell>(given.nRows).fill(null);
      continue;
    }
    const out = new Array<Cell>(cells.length);
    for (let r = 0; r < cells.length; r++) {
      const t = typedCell(c.type, cells[r]);
      if ('bad' in t) throw enforceError(inputs, `Incompatible input types for column ${c.name}. Can not safely convert ${t.bad} (row ${r + 1}) to ${c.type}.`);
      out[r] = t.cell;
    }
    columns[c.name] = out;
  }
  return { nRows: given.nRows, columns };
}

/** The model's input columns from a CSV body (text/csv), checked as `modelops predict` checks a file. */
export function checkCsvInput(text: string, inputs: readonly InputColumn[]): Frame {
  let table;
  try {
    table = parseCsv(text, 'request body');
  } catch (e) {
    const why = e instanceof ModelOpsError ? ` (${e.message})` : '';
    throw badRequest(
      `Failed to parse input as a Pandas DataFrame. Ensure that the input is a valid CSV-formatted Pandas DataFrame produced using the \`pandas.DataFrame.to_csv()\` method.${why}`,
    );
  }
  const missing = missingInputs(
    inputs,
    table.header.map((h) => h.trim()),
  );
  if (missing) throw missing;
  const checked = checkInput(table, inputs);
  const wrong = checked.errors[0];
  if (wrong) throw enforceError(inputs, `Incompatible input types for ${wrong.message}`);
  return checked.frame;
}
