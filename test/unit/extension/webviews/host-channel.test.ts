import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelOpsError } from '../../../../src/core/errors';
import { HostChannel } from '../../../../src/extension/webviews/host-channel';
import type { HostChannelOptions, WebviewPort } from '../../../../src/extension/webviews/host-channel';
import type { CompareContract } from '../../../../src/shared/compare-protocol';
import { compareContract } from '../../../../src/shared/compare-protocol';
import { aRun, aState } from '../../../webview/builders';

class FakePort implements WebviewPort {
  readonly sent: unknown[] = [];
  private listener: ((m: unknown) => void) | undefined;
  delivered = true;
  postMessage(message: unknown): Promise<boolean> {
    if (this.delivered) this.sent.push(message);
    return Promise.resolve(this.delivered);
  }
  onDidReceiveMessage(listener: (m: unknown) => void) {
    this.listener = listener;
    return { dispose: () => (this.listener = undefined) };
  }
  receive(message: unknown): void {
    this.listener?.(message);
  }
}

const tick = () => new Promise((r) => setImmediate(r));
const ready = { kind: 'notification', method: 'webview/ready', params: { protocol: 1 } };

function channel(port: FakePort, overrides: Partial<HostChannelOptions<CompareContract>> = {}, problems: string[] = []) {
  return new HostChannel(port, compareContract, {
    requests: {
      'compare/metricHistory': async ({ key, runIds }) => ({ key, histories: runIds.map((runId) => ({ runId, steps: [0], values: [1] })) }),
      'compare/openArtifacts': async ({ runId }) => {
        throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', `no artifacts for ${runId}`);
      },
      'compare/registerModel': async () => ({}),
      'clipboard/write': async () => ({}),
    },
    onProblem: (m) => problems.push(m),
    ...overrides,
  });
}

describe('host channel', () => {
  test('holds state until the webview is ready and then sends only the newest', async () => {
    const port = new FakePort();
    const c = channel(port);
    c.notify('compare/state', aState([], { status: 'loading' }));
    c.notify('compare/state', aState([aRun({ runId: 'a' })]));
    await tick();
    assert.deepEqual(port.sent, []);
    port.receive(ready);
    await tick();
    assert.equal(port.sent.length, 1);
    assert.deepEqual(
      (port.sent[0] as { params: { runs: { runId: string }[] } }).params.runs.map((r) => r.runId),
      ['a'],
    );
  });

  test('calls onReady on every handshake so a reloaded page gets its data again', async () => {
    const port = new FakePort();
    let readies = 0;
    channel(port, { onReady: () => readies++ });
    port.receive(ready);
    port.receive(ready);
    await tick();
    assert.equal(readies, 2);
  });

  test('answers a request with its result under the same id', async () => {
    const port = new FakePort();
    channel(port);
    port.receive(ready);
    port.receive({ kind: 'request', id: 7, method: 'compare/metricHistory', params: { key: 'acc', runIds: ['a'] } });
    await tick();
    assert.deepEqual(port.sent, [{ kind: 'response', id: 7, result: { key: 'acc', histories: [{ runId: 'a', steps: [0], values: [1] }] } }]);
  });

  test('refuses params that do not match the contract before any handler runs', async () => {
    const port = new FakePort();
    let called = false;
    channel(port, {
      requests: {
        'compare/metricHistory': async () => {
          called = true;
          return { key: '', histories: [] };
        },
        'compare/openArtifacts': async () => ({}),
        'compare/registerModel': async () => ({}),
        'clipboard/write': async () => ({}),
      },
    });
    port.receive(ready);
    port.receive({ kind: 'request', id: 1, method: 'compare/metricHistory', params: { key: 5, runIds: [] } });
    await tick();
    assert.equal(called, false);
    assert.deepEqual(port.sent, [
      { kind: 'response', id: 1, error: { code: 'BAD_REQUEST', message: 'compare/metricHistory params.key: expected a string, got number' } },
    ]);
  });

  test('turns a handler failure into an error response with its code', async () => {
    const port = new FakePort();
    channel(port);
    port.receive(ready);
    port.receive({ kind: 'request', id: 2, method: 'compare/openArtifacts', params: { runId: 'r1' } });
    await tick();
    assert.deepEqual(port.sent, [{ kind: 'response', id: 2, error: { code: 'RESOURCE_DOES_NOT_EXIST', message: 'no artifacts for r1' } }]);
  });

  test('answers an unknown method with an error and reports malformed messages', async () => {
    const port = new FakePort();
    const problems: string[] = [];
    channel(port, {}, problems);
    port.receive(ready);
    port.receive({ kind: 'request', id: 3, method: 'fs/readFile', params: { path: '/etc/passwd' } });
    port.receive('not a message');
    await tick();
    assert.deepEqual(port.sent, [{ kind: 'response', id: 3, error: { code: 'BAD_REQUEST', message: 'unknown request fs/readFile' } }]);
    assert.equal(problems.length, 1);
    assert.match(problems[0], /malformed message/);
  });

  test('a state the hidden webview did not take is sent again after the next handshake', async () => {
    const port = new FakePort();
    const c = channel(port);
    port.receive(ready);
    port.delivered = false;
    c.notify('compare/state', aState([aRun({ runId: 'b' })]));
    await tick();
    assert.equal(c.isReady, false);
    port.delivered = true;
    port.receive(ready);
    await tick();
    assert.equal(port.sent.length, 1);
  });
});
