import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { ModelOpsError } from '../../core/errors';
import type { DecimalMark } from './decimal';
import { applyDecimalMark } from './decimal';

/** A parsed CSV file: header and rows of raw strings, with the source line of every row. */
export interface RawTable {
  /** The file path (or a label) used in error messages. */
  source: string;
  header: string[];
  rows: string[][];
  /** 1-based line in the file where each row starts (quoted fields may span lines). */
  lines: number[];
  /** The exact text parsed (BOM removed), kept for the content digest. */
  text: string;
  /** What the reader noticed without refusing the file (a decimal comma it read as such). */
  warnings?: string[];
}

export interface CsvOptions {
  /** Field delimiter; detected from the header when absent. */
  delimiter?: string;
  /** Refuse files with more data rows than this (the loader holds everything in memory). */
  maxRows?: number;
  /** The decimal mark of numbers in the file; detected when absent (decimal.ts). */
  decimal?: DecimalMark;
}

export const MAX_ROWS = 1_000_000;

export function readCsvFile(path: string, options: CsvOptions = {}): RawTable {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new ModelOpsError('DATA_INVALID', `${path}: cannot read the file (${(e as Error).message})`, { location: path, cause: e });
  }
  return parseCsv(decodeText(bytes), path, options);
}

/**
 * UTF-8 (with or without a BOM), or UTF-16 as Windows tools save "Unicode text" — told by its BOM,
 * or without one by the zero bytes every ASCII character brings. Read as UTF-8, UTF-16 looks like
 * one field per row full of NULs, which users met as "ragged rows".
 */
export function decodeText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return swapBytes(bytes.subarray(2)).toString('utf16le');
  const head = bytes.subarray(0, Math.min(bytes.length, 4096));
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < head.length; i++) {
    if (head[i] !== 0) continue;
    if (i % 2 === 0) evenZeros++;
    else oddZeros++;
  }
  if (head.length >= 4 && (evenZeros + oddZeros) * 4 >= head.length) return oddZeros >= evenZeros ? bytes.toString('utf16le') : swapBytes(bytes).toString('utf16le');
  return bytes.toString('utf8');
}

function swapBytes(b: Buffer): Buffer {
  const out = Buffer.from(b.subarray(0, b.length - (b.length % 2)));
  out.swap16();
  return out;
}

/** Parses CSV text with papaparse (quotes, escaped quotes, CRLF/LF/CR, BOM, custom delimiters). */
export function parseCsv(input: string, source: string, options: CsvOptions = {}): RawTable {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  if (text.trim() === '') throw new ModelOpsError('DATA_INVALID', `${source}: the file is empty`, { location: source });
  const maxRows = options.maxRows ?? MAX_ROWS;
  const rows: string[][] = [];
  const lines: number[] = [];
  let header: string[] | undefined;
  let failure: ModelOpsError | undefined;
  // Line numbers come from the parser's cursor: count newlines between consecutive row ends.
  let scanned = 0;
  let line = 1;
  const lineAt = (offset: number): number => {
    for (; scanned < offset && scanned < text.length; scanned++) {
      const c = text.charCodeAt(scanned);
      if (c === 10 || (c === 13 && text.charCodeAt(scanned + 1) !== 10)) line++;
    }
    return line;
  };
  let rowStart = 0;
  const delimiter = options.delimiter ?? detectDelimiter(text);
  Papa.parse<string[]>(text, {
    delimiter,
    skipEmptyLines: false,
    step: (result, parser) => {
      const startLine = lineAt(rowStart);
      // Skip leading whitespace/newlines belonging to this row's start (blank lines).
      rowStart = result.meta.cursor;
      const fields = result.data;
      if (fields.length === 1 && fields[0].trim() === '') return; // blank line
      // "Could not detect the delimiter" is papaparse's notice for one-column files, not a failure.
      const errors = result.errors.filter((e) => e.type !== 'Delimiter');
      if (errors.length > 0) {
        const err = errors[0];
        failure = new ModelOpsError('DATA_INVALID', `${source}:${startLine}: malformed CSV (${err.message})`, { location: `${source}:${startLine}` });
        parser.abort();
        return;
      }
      if (header === undefined) {
        header = fields.map((h) => h.trim());
        const seen = new Set<string>();
        for (let i = 0; i < header.length; i++) {
          const h = header[i];
          const where = `${source}:${startLine}:${i + 1}`;
          if (h === '') {
            failure = new ModelOpsError('DATA_INVALID', `${where}: column ${i + 1} has an empty name`, { location: where });
            parser.abort();
            return;
          }
          if (seen.has(h)) {
            failure = new ModelOpsError('DATA_INVALID', `${where}: duplicate column name '${h}'`, { location: where });
            parser.abort();
            return;
          }
          seen.add(h);
        }
        return;
      }
      if (fields.length !== header.length) {
        const col = Math.min(fields.length, header.length) + 1;
        const where = `${source}:${startLine}:${col}`;
        failure = new ModelOpsError('DATA_INVALID', `${where}: row has ${fields.length} fields but the header has ${header.length}`, { location: where });
        parser.abort();
        return;
      }
      if (rows.length >= maxRows) {
        failure = new ModelOpsError(
          'DATA_INVALID',
          `${source}:${startLine}: more than ${maxRows.toLocaleString('en-US')} rows; the loader keeps the whole file in memory, split or sample the data first`,
          { location: `${source}:${startLine}` },
        );
        parser.abort();
        return;
      }
      rows.push(fields);
      lines.push(startLine);
    },
  });
  if (failure) throw failure;
  if (header === undefined) throw new ModelOpsError('DATA_INVALID', `${source}: the file is empty`, { location: source });
  if (rows.length === 0) throw new ModelOpsError('DATA_INVALID', `${source}: the file has a header but no data rows`, { location: source });
  const table: RawTable = { source, header, rows, lines, text };
  const { warnings } = applyDecimalMark(table, delimiter, options.decimal);
  if (warnings.length > 0) table.warnings = warnings;
  return table;
}

/** The delimiter is the candidate most frequent in the header line (outside quotes); comma by default. */
export function detectDelimiter(text: string): string {
  let end = text.search(/\r|\n/);
  if (end < 0) end = text.length;
  const header = text.slice(0, end).replace(/"[^"]*"/g, '');
  let best = ',';
  let bestCount = 0;
  for (const d of [',', ';', '\t', '|']) {
    const c = header.split(d).length - 1;
    if (c > bestCount) {
      best = d;
      bestCount = c;
    }
  }
  return best;
}
