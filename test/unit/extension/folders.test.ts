import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chooseFolder, folderOf, isUrl, resolveInFolder } from '../../../src/extension/folders';

const A = { fsPath: '/ws/alpha', name: 'alpha' };
const B = { fsPath: '/ws/beta', name: 'beta' };
const NESTED = { fsPath: '/ws/alpha/sub', name: 'sub' };

describe('resolveInFolder', () => {
  test('a relative store path is under its own folder', () => {
    assert.equal(resolveInFolder('/ws/alpha', '.modelops/mlflow.db'), '/ws/alpha/.modelops/mlflow.db');
    assert.equal(resolveInFolder('/ws/beta', 'store/beta.db'), '/ws/beta/store/beta.db');
  });

  test('an absolute store path is used as given, whatever the folder', () => {
    assert.equal(resolveInFolder('/ws/alpha', '/data/shared.db'), '/data/shared.db');
  });

  test('a path that leaves the folder is normalised, not refused', () => {
    assert.equal(resolveInFolder('/ws/alpha', '../shared/mlflow.db'), '/ws/shared/mlflow.db');
  });

  test('sqlite:/// URIs name a file in the folder; a server URL is passed on as it is (not joined into a folder named "http:"); a Windows drive path is a path', () => {
    assert.equal(resolveInFolder('/ws/alpha', 'http://mlflow.internal:5000'), 'http://mlflow.internal:5000');
    assert.equal(resolveInFolder('/ws/alpha', ' sqlite:///x.db '), '/ws/alpha/x.db');
    assert.equal(resolveInFolder('/ws/alpha', 'sqlite:////data/x.db'), '/data/x.db');
    assert.ok(isUrl('https://a/b'));
    assert.ok(!isUrl('C:\\data\\mlflow.db'));
    assert.ok(!isUrl('.modelops/mlflow.db'));
  });
});

describe('folderOf', () => {
  test('finds the folder holding a file, and none for a file outside every folder', () => {
    assert.equal(folderOf([A, B], '/ws/beta/data/iris.csv'), B);
    assert.equal(folderOf([A, B], '/elsewhere/iris.csv'), undefined);
  });

  test('a sibling whose name starts the same is not a parent', () => {
    assert.equal(folderOf([A], '/ws/alphabet/iris.csv'), undefined);
  });

  test('the deepest folder wins when folders nest', () => {
    assert.equal(folderOf([A, NESTED], '/ws/alpha/sub/iris.csv'), NESTED);
    assert.equal(folderOf([NESTED, A], '/ws/alpha/iris.csv'), A);
  });
});

describe('chooseFolder', () => {
  test('no folder: none (the store lives in a folder)', () => {
    assert.deepEqual(chooseFolder([], ['/ws/alpha/iris.csv']), { kind: 'none' });
  });

  test('a single folder is used without asking, even for a file outside it', () => {
    assert.deepEqual(chooseFolder([A], ['/elsewhere/x.csv', undefined]), { kind: 'folder', folder: A });
  });

  test('the clicked file decides before the active editor', () => {
    assert.deepEqual(chooseFolder([A, B], ['/ws/beta/iris.csv', '/ws/alpha/README.md']), { kind: 'folder', folder: B });
  });

  test("without a clicked file, the active editor's folder", () => {
    assert.deepEqual(chooseFolder([A, B], [undefined, '/ws/alpha/README.md']), { kind: 'folder', folder: A });
  });

  test('several folders and no hint inside one: ask', () => {
    assert.deepEqual(chooseFolder([A, B], [undefined, '/elsewhere/notes.md']), { kind: 'ask', folders: [A, B] });
  });
});
