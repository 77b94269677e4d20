// Where the space editor's Save writes, without VS Code, so the unit tests cover its refusals.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelOpsError } from '../../core/errors';
import type { SearchSpace } from '../../tuning/distributions';

export const SPACE_SUFFIX = '.modelops-space.json';

/**
 * Writes the space as `<name>.modelops-space.json` at the folder's top (the name its schema is
 * registered for); resolves to the name. The file the space came from (`ownFile`) is rewritten;
 * another existing file is refused rather than overwritten.
 */
export function saveSpaceFile(folder: string, fileName: string, space: SearchSpace, ownFile: string | undefined): string {
  const name = fileName.trim();
  if (!name.endsWith(SPACE_SUFFIX) || name === SPACE_SUFFIX || /[\\/]/.test(name) || name.startsWith('.'))
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `File name: expected <name>${SPACE_SUFFIX} in the workspace folder (got '${name}')`, {
      location: 'fileName',
    });
  const path = join(folder, name);
  if (name !== ownFile && existsSync(path))
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `File name: ${name} exists already in the workspace folder; choose another name`, {
      location: 'fileName',
    });
  writeFileSync(path, `${JSON.stringify(space, null, 2)}\n`, { flag: name === ownFile ? 'w' : 'wx' });
  return name;
}
