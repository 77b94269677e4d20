import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ModelOpsError } from '../core/errors';
import { csvLine } from '../shared/csv';

/**
 * Writes a CSV file atomically (cells through csvCell: formula prefixes neutralised): a temp file in the same folder, fsync, rename over the target. A
 * reader (or a crash) sees the old file or the complete new one, never half of it.
 */
export function writeCsvAtomic(path: string, header: readonly string[], rows: Iterable<readonly string[]>): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'w', 0o644);
    let buf: string[] = [csvLine(header)];
    let size = 0;
    for (const r of rows) {
      const line = csvLine(r);
      buf.push(line);
      size += line.length;
      if (size > 1 << 20) {
        writeSync(fd, buf.join('\n') + '\n');
        buf = [];
        size = 0;
      }
    }
    if (buf.length) writeSync(fd, buf.join('\n') + '\n');
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      /* never created */
    }
    throw new ModelOpsError('STORE_IO', `${path}: cannot write the output file (${(e as Error).message})`, { location: path, cause: e });
  }
}
