import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, EXTENSION_ID, firstSession } from './helpers';

suite('activation', () => {
  test('activates in a workspace that has no store yet', async () => {
    const api = await activateExtension();
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, true);
    assert.ok(api.activationMs >= 0);
    await firstSession(api).get();
    assert.equal(firstSession(api).state.kind, 'missing', 'no store file is created just by opening the views');
    assert.deepEqual(await api.experiments.getChildren(), [], 'an empty view shows its welcome content');
  });
});
