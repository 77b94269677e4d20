import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { ModelOpsError } from '../core/errors';

/**
 * Where a command may write a file the user named (`predict --out`, a params file, an export):
 * never over its own input, never over the store or one of its side files (journal, WAL, lock,
 * backups), never inside the store's folder (`.modelops/`: artifacts, models) — checked before any
 * work is done, with both paths named.
 */
export interface Protected {
  /** Files the command reads (an output must not replace them). */
  inputs?: readonly string[];
  /** The workspace store file, when there is one. */
  store?: string;
  /** Extra folders nothing may be written into (e.g. the artifact root when it lies elsewhere). */
  folders?: readonly string[];
}

/** The real path of a file that may not exist yet (its folder resolved instead). */
function real(path: string): string {
  const abs = resolve(path);
  if (existsSync(abs)) return realpathSync(abs);
  const dir = dirname(abs);
  return dir === abs ? abs : join(real(dir), basename(abs));
}

function inside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith('/'));
}

/**
 * Throws (INVALID_PARAMETER_VALUE, naming both paths) when `out` would land on something protected;
 * returns its real path. `given`: the path as the user wrote it, for the message.
 */
export function checkOutputPath(out: string, option: string, p: Protected, given: string = out): string {
  const target = real(out);
  const refuse = (why: string): ModelOpsError =>
    new ModelOpsError(
      'INVALID_PARAMETER_VALUE',
      `${option} ${given}${given === target ? '' : ` (${target})`}: refusing to write there: ${why}; nothing was written`,
      { location: option },
    );
  for (const input of p.inputs ?? []) {
    if (target === real(input)) throw refuse(`it is the input file ${input}; choose another file`);
  }
  if (p.store) {
    const store = real(p.store);
    const folder = dirname(store);
    if (target === store) throw refuse('it is the store itself');
    if (dirname(target) === folder && basename(target).startsWith(basename(store)))
      throw refuse(`it is a file of the store ${store} (journal, lock or backup)`);
    if (inside(folder, target)) throw refuse(`it is inside the store's folder ${folder}, which holds the store, its artifacts and models`);
  }
  for (const f of p.folders ?? []) if (inside(real(f), target)) throw refuse(`it is inside ${f}, which the store keeps its artifacts and models in`);
  return target;
}
