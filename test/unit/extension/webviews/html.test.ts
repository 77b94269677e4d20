import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { contentSecurityPolicy, makeNonce, panelHtml } from '../../../../src/extension/webviews/html';

describe('panel HTML', () => {
  const html = panelHtml({
    title: '<img src=x onerror=alert(1)>',
    cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
    nonce: 'abc123',
    scriptUri: 'https://r/compare.js',
    styleUri: 'https://r/compare.css',
  });

  test("the CSP denies by default and allows only the nonce script and the extension's own resources", () => {
    const csp = contentSecurityPolicy('https://src', 'n0nce');
    assert.match(csp, /^default-src 'none'; /);
    assert.match(csp, /script-src 'nonce-n0nce'$/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*|http:/);
  });

  test('the one script carries the nonce and the title is escaped', () => {
    assert.match(html, /<script nonce="abc123" src="https:\/\/r\/compare.js"><\/script>/);
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.match(html, /<title>&lt;img src=x onerror=alert\(1\)&gt;<\/title>/);
  });

  test('nonces are fresh, long and safe inside an attribute', () => {
    const a = makeNonce();
    assert.notEqual(a, makeNonce());
    assert.match(a, /^[A-Za-z0-9]{20,}$/);
  });
});
