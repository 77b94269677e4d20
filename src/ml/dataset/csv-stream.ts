import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { TextDecoder } from 'node:util';
import { ModelOpsError } from '../../core/errors';
import type { RowSink } from './csv-tokenizer';
import { CsvTokenizer } from './csv-tokenizer';
import type { TextEncoding } from './csv';
import { checkHeader, checkWidth, detectDelimiter, detectEncoding, isBlankRow, noRows } from './csv';

/** Bytes read at a time: per-chunk work vanishes, and the short-lived strings of a chunk stay small (1 MB chunks cost 60 MB more peak memory on a 50 MB file). */
const CHUNK_BYTES = 1 << 16;

export interface CsvPass {
  /** Called with the header (checked: names present and unique) before any row. */
  header?: (header: string[], line: number, delimiter: string) => void;
  /** Every data row, checked to have the header's width. Blank lines are skipped. */
  row: RowSink;
  /** The decoded text, chunk by chunk (BOM removed), for the content hash. */
  text?: (chunk: string) => void;
  /** Bytes read so far and the file's size. */
  progress?: (read: number, size: number) => void;
  /** Bytes per read; tests make it tiny so that rows, quotes and characters straddle reads. */
  chunkBytes?: number;
}

export interface CsvFileInfo {
  delimiter: string;
  rows: number;
}

/** Ends a pass early (the header is all that was wanted). */
class Stop extends Error {}

/**
 * One pass over a CSV file read a chunk at a time: memory stays at a chunk however large the file,
 * and a file that must be refused (bad header, ragged row, unclosed quote) is refused at the line
 * where it goes wrong, before the rest is read. Rows and errors are those of `parseCsv` on the
 * whole text: the same tokenizer and the same checks.
 */
export function streamCsvFile(path: string, delimiter: string | undefined, pass: CsvPass): CsvFileInfo {
  const fd = openFile(path);
  try {
    return readChunks(fd, path, delimiter, pass);
  } finally {
    closeSync(fd);
  }
}

/** The header of a CSV file and its delimiter, reading no further than the header's line. */
export function readCsvHeader(path: string, delimiter: string | undefined): { header: string[]; delimiter: string } {
  let found: { header: string[]; delimiter: string } | undefined;
  try {
    streamCsvFile(path, delimiter, {
      header: (header, _line, used) => {
        found = { header, delimiter: used };
        throw new Stop();
      },
      row: () => undefined,
    });
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
  }
  if (found === undefined) throw new ModelOpsError('DATA_INVALID', `${path}: the file is empty`, { location: path });
  return found;
}

function openFile(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (e) {
    throw new ModelOpsError('DATA_INVALID', `${path}: cannot read the file (${(e as Error).message})`, { location: path, cause: e });
  }
}

function readChunks(fd: number, path: string, delimiter: string | undefined, pass: CsvPass): CsvFileInfo {
  const size = fstatSync(fd).size;
  const chunk = pass.chunkBytes ?? CHUNK_BYTES;
  const buf = Buffer.allocUnsafe(chunk);
  let read = 0;
  const decoder = new TextDecoder(sniffEncoding(fd));
  let tokenizer: CsvTokenizer | undefined;
  let head = '';
  let header: string[] | undefined;
  let rows = 0;
  let used = delimiter;
  const sink: RowSink = (fields, line) => {
    if (isBlankRow(fields)) return;
    if (header === undefined) {
      header = checkHeader(fields, path, line);
      pass.header?.(header, line, used!);
      return;
    }
    checkWidth(fields, header, path, line);
    rows++;
    pass.row(fields, line);
  };
  const take = (text: string): void => {
    if (text === '') return;
    pass.text?.(text);
    if (tokenizer) return tokenizer.feed(text);
    // The delimiter is told from the header line: wait until the first line is whole.
    head += text;
    if (!/[\r\n]/.test(head)) return;
    startTokenizer();
  };
  const startTokenizer = (): void => {
    used ??= detectDelimiter(head);
    tokenizer = new CsvTokenizer(used, path, sink);
    tokenizer.feed(head);
    head = '';
  };
  for (;;) {
    const n = readSync(fd, buf, 0, chunk, null);
    if (n === 0) break;
    read += n;
    // A UTF-8 BOM survives only when the decoder saw none (it strips its own); drop a stray one too.
    let text = decoder.decode(buf.subarray(0, n), { stream: true });
    if (read === n && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    take(text);
    pass.progress?.(read, size);
  }
  take(decoder.decode());
  if (!tokenizer) startTokenizer();
  tokenizer!.end();
  if (header === undefined) throw new ModelOpsError('DATA_INVALID', `${path}: the file is empty`, { location: path });
  if (rows === 0) throw noRows(path);
  return { delimiter: used!, rows };
}

/** The encoding, told from the file's first bytes whatever the size of a read. */
function sniffEncoding(fd: number): TextEncoding {
  const head = Buffer.alloc(4096);
  return detectEncoding(head.subarray(0, readSync(fd, head, 0, head.length, 0)));
}
