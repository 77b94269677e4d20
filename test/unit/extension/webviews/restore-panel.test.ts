import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import type { WebviewLog } from '../../../../src/extension/webviews/deps';
import { panelRestorer } from '../../../../src/extension/webviews/restore-panel';

class FakePanel {
  disposed = false;
  dispose(): void {
    this.disposed = true;
  }
}

function fixture(): { errors: string[]; deps: Parameters<typeof panelRestorer>[1] } {
  const errors: string[] = [];
  const log: WebviewLog = { info: () => undefined, error: (key) => void errors.push(key) };
  return { errors, deps: { log } };
}

const read = (state: unknown): { id: string } => {
  if (typeof state !== 'object' || state === null || typeof (state as { id?: unknown }).id !== 'string') throw new Error('saved state: id expected');
  return { id: (state as { id: string }).id };
};

describe('panels restored after a reload', () => {
  test('a readable saved state revives the panel with it', async () => {
    const { errors, deps } = fixture();
    const revived: string[] = [];
    const panel = new FakePanel();
    await panelRestorer('k', deps, read, (_p: FakePanel, s) => revived.push(s.id))(panel, { id: 'r1' });
    assert.deepEqual([revived, errors, panel.disposed], [['r1'], [], false]);
  });

  test('without a fallback an unreadable state, or a revive that throws, closes the panel and logs why', async () => {
    const { errors, deps } = fixture();
    const bad = new FakePanel();
    await panelRestorer('k.bad', deps, read, (_p: FakePanel) => assert.fail('not revived'))(bad, { id: 3 });
    const throwing = new FakePanel();
    await panelRestorer('k.throw', deps, read, (_p: FakePanel) => {
      throw new Error('the file is gone');
    })(throwing, { id: 'r' });
    assert.deepEqual([bad.disposed, throwing.disposed, errors], [true, true, ['k.bad', 'k.throw']]);
  });

  test('with a fallback an unreadable state opens the panel with it, and logs why', async () => {
    const { errors, deps } = fixture();
    const revived: string[] = [];
    const panel = new FakePanel();
    await panelRestorer('k', deps, read, (_p: FakePanel, s) => revived.push(s.id), { id: 'default' })(panel, undefined);
    assert.deepEqual([revived, errors, panel.disposed], [['default'], ['k'], false]);
  });
});
