import { readFileSync } from 'node:fs';
import { ModelOpsError } from '../../core/errors';
import { CsvTokenizer } from './csv-tokenizer';
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

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/**
 * UTF-8 (with or without a BOM), or UTF-16 as Windows tools save "Unicode text" — told by its BOM,
 * or without one by the zero bytes every ASCII character brings. Read as UTF-8, UTF-16 looks like
 * one field per row full of NULs, which users met as "ragged rows". `head` is the file's first bytes.
 */
export function detectEncoding(head: Uint8Array): TextEncoding {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  const n = Math.min(head.length, 4096);
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < n; i++) {
    if (head[i] !== 0) continue;
    if (i % 2 === 0) evenZeros++;
    else oddZeros++;
  }
  if (n >= 4 && (evenZeros + oddZeros) * 4 >= n) return oddZeros >= evenZeros ? 'utf-16le' : 'utf-16be';
  return 'utf-8';
}

/** The text of a file's bytes (the BOM removed). */
export function decodeText(bytes: Uint8Array): string {
  return new TextDecoder(detectEncoding(bytes)).decode(bytes);
}

/** Parses CSV text (quotes, escaped quotes, CRLF/LF/CR, BOM, custom delimiters) into rows kept in memory. */
export function parseCsv(input: string, source: string, options: CsvOptions = {}): RawTable {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  if (text.trim() === '') throw new ModelOpsError('DATA_INVALID', `${source}: the file is empty`, { location: source });
  const maxRows = options.maxRows ?? MAX_ROWS;
  const rows: string[][] = [];
  const lines: number[] = [];
  let header: string[] | undefined;
  const delimiter = options.delimiter ?? detectDelimiter(text);
  const tokenizer = new CsvTokenizer(delimiter, source, (fields, line) => {
    if (isBlankRow(fields)) return;
    if (header === undefined) {
      header = checkHeader(fields, source, line);
      return;
    }
    checkWidth(fields, header, source, line);
    if (rows.length >= maxRows) {
      throw new ModelOpsError(
        'DATA_INVALID',
        `${source}:${line}: more than ${maxRows.toLocaleString('en-US')} rows; the loader keeps the whole file in memory, split or sample the data first`,
        {
          location: `${source}:${line}`,
        },
      );
    }
    rows.push(fields);
    lines.push(line);
  });
  tokenizer.feed(text);
  tokenizer.end();
  if (header === undefined) throw new ModelOpsError('DATA_INVALID', `${source}: the file is empty`, { location: source });
  if (rows.length === 0) throw noRows(source);
  const table: RawTable = { source, header, rows, lines, text };
  const { warnings } = applyDecimalMark(table, delimiter, options.decimal);
  if (warnings.length > 0) table.warnings = warnings;
  return table;
}

export function noRows(source: string): ModelOpsError {
  return new ModelOpsError('DATA_INVALID', `${source}: the file has a header but no data rows`, { location: source });
}

/** A line with nothing but spaces is no row (the line still counts). */
export function isBlankRow(fields: readonly string[]): boolean {
  return fields.length === 1 && fields[0]!.trim() === '';
}

/** The header's names, trimmed; empty and duplicate names are refused with their column. */
export function checkHeader(fields: readonly string[], source: string, line: number): string[] {
  const header = fields.map((h) => h.trim());
  const seen = new Set<string>();
  for (let i = 0; i < header.length; i++) {
    const h = header[i]!;
    const where = `${source}:${line}:${i + 1}`;
    if (h === '') throw new ModelOpsError('DATA_INVALID', `${where}: column ${i + 1} has an empty name`, { location: where });
    if (seen.has(h)) throw new ModelOpsError('DATA_INVALID', `${where}: duplicate column name '${h}'`, { location: where });
    seen.add(h);
  }
  return header;
}

export function checkWidth(fields: readonly string[], header: readonly string[], source: string, line: number): void {
  if (fields.length === header.length) return;
  const where = `${source}:${line}:${Math.min(fields.length, header.length) + 1}`;
  throw new ModelOpsError('DATA_INVALID', `${where}: row has ${fields.length} fields but the header has ${header.length}`, { location: where });
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
