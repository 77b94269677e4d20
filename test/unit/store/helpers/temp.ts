import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mlflowReference } from '../../../repo-paths';

export const REFERENCE_SCHEMA_DIR = mlflowReference('schema');

/** A fresh temp folder, removed by the returned cleanup. */
export function tempDir(prefix = 'modelops-store-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Copies a reference database into `dir` (the fixture itself is never written). */
export function copyReference(name: string, dir: string): string {
  const dest = join(dir, name);
  copyFileSync(join(REFERENCE_SCHEMA_DIR, name), dest);
  return dest;
}
