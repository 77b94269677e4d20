import type { Tag } from './tracking';

/**
 * A JSON text kept as MLflow tags, when it may be longer than one tag value holds (MLflow 2.10's limit is 5,000
 * characters for run and model-version tags). A text that fits is one tag, `<key>` = the text. A longer one is split:
 * `<key>.more.<i>` hold parts 1…n-1 and `<key>` holds `<n>:` followed by part 0. Writers send the continuation tags
 * first and `<key>` last, so a reader that sees `<key>` sees a complete text (or, if the parts were overwritten by a
 * crashed rewrite, a text that does not parse, which readers skip).
 */
export const TAG_CHUNK_CHARS = 4000;

const moreKey = (key: string, i: number): string => `${key}.more.${i}`;

export function chunkTags(key: string, text: string, limit: number = TAG_CHUNK_CHARS): Tag[] {
  if (text.length <= limit && !/^\d+:/.test(text)) return [{ key, value: text }];
  const size = limit - 16;
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
  const more = parts.slice(1).map((value, i) => ({ key: moreKey(key, i + 1), value }));
  return [...more, { key, value: `${parts.length}:${parts[0] ?? ''}` }];
}

/** The text under `key`, or undefined when it is absent or incomplete. */
export function unchunk(tags: ReadonlyMap<string, string>, key: string): string | undefined {
  const head = tags.get(key);
  if (head === undefined) return undefined;
  const m = /^(\d+):/.exec(head);
  if (!m) return head;
  const n = Number(m[1]);
  const parts = [head.slice(m[0].length)];
  for (let i = 1; i < n; i++) {
    const p = tags.get(moreKey(key, i));
    if (p === undefined) return undefined;
    parts.push(p);
  }
  return parts.join('');
}

/** The JSON object under `key`, or undefined when absent, incomplete or not an object. */
export function unchunkJson<T>(tags: ReadonlyMap<string, string>, key: string): T | undefined {
  const text = unchunk(tags, key);
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as T) : undefined;
  } catch {
    return undefined;
  }
}

/** Is `key` one of the continuation tags of some chunked text? (Listings skip them.) */
export function isChunkContinuation(key: string): boolean {
  return /\.more\.\d+$/.test(key);
}

export function tagMap(tags: readonly Tag[]): Map<string, string> {
  return new Map(tags.map((t) => [t.key, t.value]));
}
