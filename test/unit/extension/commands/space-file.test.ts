import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { saveSpaceFile } from '../../../../src/extension/commands/space-file';

const dir = mkdtempSync(join(tmpdir(), 'modelops-space-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const space = { 'knn.nNeighbors': { type: 'int' as const, low: 1, high: 9 } };

describe('the space editor saves', () => {
  test('as <name>.modelops-space.json at the folder top; other names, paths and an existing other file are refused naming the field', () => {
    assert.equal(saveSpaceFile(dir, ' wide.modelops-space.json ', space, undefined), 'wide.modelops-space.json');
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'wide.modelops-space.json'), 'utf8')), space);
    for (const bad of ['wide.json', '.modelops-space.json', 'sub/x.modelops-space.json', '..\\x.modelops-space.json', '.hidden.modelops-space.json'])
      assert.throws(
        () => saveSpaceFile(dir, bad, space, undefined),
        /^ModelOpsError: File name: expected <name>\.modelops-space\.json in the workspace folder/,
        bad,
      );
    writeFileSync(join(dir, 'taken.modelops-space.json'), '{"keep": [1]}');
    assert.throws(
      () => saveSpaceFile(dir, 'taken.modelops-space.json', space, undefined),
      /taken\.modelops-space\.json exists already in the workspace folder; choose another name/,
    );
    assert.equal(readFileSync(join(dir, 'taken.modelops-space.json'), 'utf8'), '{"keep": [1]}', 'not overwritten');
    // The file the space came from is rewritten.
    assert.equal(saveSpaceFile(dir, 'taken.modelops-space.json', space, 'taken.modelops-space.json'), 'taken.modelops-space.json');
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'taken.modelops-space.json'), 'utf8')), space);
  });
});
