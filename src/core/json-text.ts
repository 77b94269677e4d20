import { ModelOpsError } from './errors';
import type { ErrorCode } from './errors';

/**
 * JSON (and YAML flow collections) from files the user or a model brings: nesting is measured
 * with a linear scan before anything recursive touches the text, so a hostile file gets a clear
 * error instead of a stack overflow deep inside a parser or `JSON.stringify`.
 */
export const MAX_NESTING = 64;

/** The deepest `[`/`{` nesting outside string literals. */
export function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let quote = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote !== 0) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === quote) quote = 0;
    } else if (c === 34 || c === 39) quote = c;
    else if (c === 91 || c === 123) {
      if (++depth > max) max = depth;
    } else if (c === 93 || c === 125) depth--;
  }
  return max;
}

export function checkNesting(text: string, where: string, code: ErrorCode = 'INVALID_PARAMETER_VALUE', max = MAX_NESTING): void {
  const depth = nestingDepth(text);
  if (depth > max) throw new ModelOpsError(code, `${where}: nested ${depth} levels deep; at most ${max} are read`, { location: where });
}

/** `file:line:column` of a JSON syntax error (the parser gives an offset, or none at the end of the text). */
export function jsonErrorPlace(text: string, message: string, where: string): string {
  const m = /position (\d+)/.exec(message);
  const offset = m ? Number(m[1]) : text.length;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `${where}:${line}:${column}`;
}

/** JSON.parse with the nesting checked first; errors name `where` and the line and column. */
export function parseJsonText(text: string, where: string, code: ErrorCode = 'INVALID_PARAMETER_VALUE'): unknown {
  checkNesting(text, where, code);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const place = jsonErrorPlace(text, (e as Error).message, where);
    throw new ModelOpsError(code, `${place}: not valid JSON (${(e as Error).message.replace(/ in JSON at position \d+.*$/, '')})`, {
      location: place,
      cause: e,
    });
  }
}
