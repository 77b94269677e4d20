import { ModelOpsError } from '../../core/errors';

/** A row's fields and the 1-based line it starts on (quoted fields may span lines). */
export type RowSink = (fields: string[], line: number) => void;

const QUOTE = 34;
const LF = 10;
const CR = 13;

/**
 * RFC 4180 CSV read incrementally: text arrives in chunks of any size (a file read a megabyte at a
 * time) and whole rows come out, each with its line. Quoted fields hold delimiters, doubled quotes
 * and newlines; `\n`, `\r\n` and `\r` all end a row. One parser for files and strings, so a file
 * streamed and the same text in memory give the same rows and the same errors.
 */
export class CsvTokenizer {
  private pending = '';
  /** The line the pending text starts on. */
  private line = 1;
  private readonly delim: number;
  private readonly delimChar: string;
  /** Where the next delimiter, LF and CR are in the text being consumed (its length when none): found with indexOf, once each. */
  private nextDelim = -1;
  private nextLf = -1;
  private nextCr = -1;

  constructor(
    delimiter: string,
    private readonly source: string,
    private readonly sink: RowSink,
  ) {
    if (delimiter.length !== 1)
      throw new ModelOpsError('INVALID_PARAMETER_VALUE', `the delimiter must be one character (got '${delimiter}')`, { location: 'delimiter' });
    this.delim = delimiter.charCodeAt(0);
    this.delimChar = delimiter;
  }

  feed(chunk: string): void {
    this.pending = this.pending === '' ? chunk : this.pending + chunk;
    this.consume(false);
  }

  end(): void {
    this.consume(true);
  }

  /** Emits every complete row of the pending text; an incomplete last row waits for more text. */
  private consume(final: boolean): void {
    const text = this.pending;
    let pos = 0;
    this.nextDelim = this.nextLf = this.nextCr = -1;
    while (pos < text.length) {
      const row = this.row(text, pos, final);
      if (row === undefined) break;
      this.sink(row.fields, this.line);
      this.line += row.newlines;
      pos = row.next;
    }
    this.pending = text.slice(pos);
  }

  /** The row starting at `start`, or undefined when the text ends before the row does (and more may come). */
  private row(text: string, start: number, final: boolean): { fields: string[]; next: number; newlines: number } | undefined {
    const fields: string[] = [];
    let pos = start;
    let newlines = 0;
    for (;;) {
      let value: string;
      if (text.charCodeAt(pos) === QUOTE) {
        const q = this.quoted(text, pos, final, newlines);
        if (q === undefined) return undefined;
        value = q.value;
        pos = q.next;
        newlines = q.newlines;
      } else {
        const end = this.fieldEnd(text, pos);
        value = text.slice(pos, end);
        pos = end;
      }
      fields.push(value);
      if (pos >= text.length) return final ? { fields, next: pos, newlines } : undefined;
      const c = text.charCodeAt(pos);
      if (c === this.delim) {
        pos++;
        continue;
      }
      // CR LF is one line end; a CR at the end of a chunk may be half of one.
      if (c === CR && pos + 1 >= text.length && !final) return undefined;
      const next = c === CR && text.charCodeAt(pos + 1) === LF ? pos + 2 : pos + 1;
      return { fields, next, newlines: newlines + 1 };
    }
  }

  /** The end of an unquoted field: the next delimiter or line end (the text's end when neither comes). */
  private fieldEnd(text: string, pos: number): number {
    if (this.nextDelim < pos) this.nextDelim = after(text, this.delimChar, pos);
    if (this.nextLf < pos) this.nextLf = after(text, '\n', pos);
    if (this.nextCr < pos) this.nextCr = after(text, '\r', pos);
    return Math.min(this.nextDelim, this.nextLf, this.nextCr);
  }

  private quoted(text: string, open: number, final: boolean, newlinesBefore: number): { value: string; next: number; newlines: number } | undefined {
    let value = '';
    let from = open + 1;
    let newlines = newlinesBefore;
    for (;;) {
      const close = text.indexOf('"', from);
      if (close < 0 || (close + 1 >= text.length && !final)) {
        if (!final) return undefined;
        throw this.malformed('Quoted field unterminated');
      }
      newlines += countLines(text, from, close);
      value += text.slice(from, close);
      if (text.charCodeAt(close + 1) === QUOTE) {
        value += '"';
        from = close + 2;
        continue;
      }
      // Spaces may follow the closing quote; anything else before the delimiter is a broken field.
      let next = close + 1;
      while (text.charCodeAt(next) === 32 || (text.charCodeAt(next) === 9 && this.delim !== 9)) next++;
      if (next < text.length) {
        const c = text.charCodeAt(next);
        if (c !== this.delim && c !== LF && c !== CR) throw this.malformed('Trailing quote on quoted field is malformed');
      } else if (!final) return undefined;
      return { value, next, newlines };
    }
  }

  private malformed(what: string): ModelOpsError {
    const where = `${this.source}:${this.line}`;
    return new ModelOpsError('DATA_INVALID', `${where}: malformed CSV (${what})`, { location: where });
  }
}

function after(text: string, c: string, from: number): number {
  const i = text.indexOf(c, from);
  return i < 0 ? text.length : i;
}

function countLines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === LF || (c === CR && text.charCodeAt(i + 1) !== LF)) n++;
  }
  return n;
}
