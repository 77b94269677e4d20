import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ALL_COMMANDS, NEEDS_TRUST, VIEW } from '../../../src/extension/commands/ids';
import { SETTING_DEFAULTS, STORE_SETTINGS } from '../../../src/extension/settings-defaults';
import { repoRoot } from '../../repo-paths';

interface Manifest {
  contributes: {
    commands: { command: string; enablement?: string }[];
    configuration: { properties: Record<string, { default?: unknown }> };
    views: Record<string, { id: string }[]>;
  };
}

const manifest = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as Manifest;

/** Lists the code keeps that package.json must repeat (VS Code reads only the manifest). */
describe('package.json and the code agree', () => {
  test('the contributed commands are exactly the command table', () => {
    assert.deepEqual(manifest.contributes.commands.map((c) => c.command).sort(), [...ALL_COMMANDS].sort());
  });

  test('a command is greyed out in Restricted Mode exactly when the extension refuses it there', () => {
    const greyed = manifest.contributes.commands
      .filter((c) => c.enablement?.includes('isWorkspaceTrusted'))
      .map((c) => c.command)
      .sort();
    assert.deepEqual(greyed, [...NEEDS_TRUST].sort());
  });

  test('every setting is contributed with the default the code falls back to', () => {
    const contributed = Object.fromEntries(Object.entries(manifest.contributes.configuration.properties).map(([k, v]) => [k, v.default]));
    const code = Object.fromEntries(Object.entries(SETTING_DEFAULTS).map(([k, v]) => [`modelops.${k}`, v]));
    assert.deepEqual(contributed, code);
    for (const s of STORE_SETTINGS) assert.ok(s in contributed, s);
  });

  test('the contributed views are the view table', () => {
    assert.deepEqual(
      Object.values(manifest.contributes.views)
        .flat()
        .map((v) => v.id)
        .sort(),
      Object.values(VIEW).sort(),
    );
  });
});
