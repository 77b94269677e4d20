import { writeFileAtomic } from '../core/atomic-file';
import { ModelOpsError } from '../core/errors';
import { csvLine } from '../shared/csv';

/** Lines joined into writes of about 1 MB: a large output is streamed, never held as one string. */
function* chunks(header: readonly string[], rows: Iterable<readonly string[]>): Generator<string> {
  let buf: string[] = [csvLine(header)];
  let size = 0;
  for (const r of rows) {
    const line = csvLine(r);
    buf.push(line);
    size += line.length;
    if (size > 1 << 20) {
      yield buf.join('\n') + '\n';
      buf = [];
      size = 0;
    }
  }
  if (buf.length) yield buf.join('\n') + '\n';
}

/**
 * Writes a CSV file atomically (cells through csvCell: formula prefixes neutralised; core/atomic-file.ts).
 * A reader (or a crash) sees the old file or the complete new one, never half of it.
 */
export function writeCsvAtomic(path: string, header: readonly string[], rows: Iterable<readonly string[]>): void {
  try {
    writeFileAtomic(path, chunks(header, rows));
  } catch (e) {
    throw new ModelOpsError('STORE_IO', `${path}: cannot write the output file (${(e as Error).message})`, { location: path, cause: e });
  }
}
