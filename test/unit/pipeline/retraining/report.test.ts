import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promoteModelVersion } from '../../../../src/pipeline/promote';
import { registerModel } from '../../../../src/pipeline/register';
import { readPipelineFile } from '../../../../src/pipeline/retraining/pipeline-file';
import type { PipelineResult } from '../../../../src/pipeline/retraining/run-pipeline';
import { runPipeline } from '../../../../src/pipeline/retraining/run-pipeline';
import { train } from '../../../../src/pipeline/train';
import type { Stores } from '../../../../src/store/open';
import { openStores } from '../../../../src/store/open';

/**
 * The report names what the data holds — column names, categories — so hostile ones must reach it
 * as text: escaped in the HTML (which also has no script and a CSP) and in the Markdown's tables.
 */
const NUM = '<img src=x onerror=alert(1)>';
const CAT = 'plan|tier';
const SCRIPT = '<script>alert(1)</script>';
let dir: string;
let db: Stores;
let result: PipelineResult;

function csv(rows: number, shift: number, categories: string[]): string {
  const lines = [`${NUM},${CAT},y`];
  for (let i = 0; i < rows; i++) lines.push(`${(i % 50) + shift},${categories[i % categories.length]},${i % 50 < 25 ? 'yes' : 'no'}`);
  return `${lines.join('\n')}\n`;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'modelops-pipeline-report-'));
  db = await openStores(join(dir, '.modelops', 'mlflow.db'));
  writeFileSync(join(dir, 'v1.csv'), csv(400, 0, ['a', 'b']));
  const first = await train(db.tracking, {
    data: join(dir, 'v1.csv'),
    target: 'y',
    experiment: 'e',
    cv: 0,
    params: { rf: { nEstimators: 5 } },
    models: ['rf'],
    threads: 1,
  });
  await registerModel(db, { runId: first.runId, name: 'm', actor: 'alice', validation: { workspace: dir } });
  await promoteModelVersion(db, { name: 'm', version: '1', approve: true, comment: 'v1', actor: 'alice' });
  writeFileSync(join(dir, 'v2.csv'), csv(400, 100, ['a', SCRIPT]));
  writeFileSync(join(dir, 'modelops.pipeline.json'), JSON.stringify({ model: 'm', dataset: 'v2.csv', training: { params: 'best_run', cv: 0 } }));
  result = await runPipeline(db, readPipelineFile(join(dir, 'modelops.pipeline.json')), { actor: 'ci', workspace: dir, dryRun: true });
});
after(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the dry run stops at data validation (exit 3): the new category and the shifted column', () => {
  assert.equal(result.report.exitCode, 3, result.markdown);
  const failed = result.report.dataValidation.checks.filter((c) => c.outcome === 'fail').map((c) => `${c.test} ${c.column ?? ''}`);
  assert.ok(failed.includes(`new categories ${CAT}`), failed.join('; '));
  assert.ok(failed.includes(`training range ${NUM}`), failed.join('; '));
});

test('the HTML report shows hostile names as text, runs nothing, and draws a histogram pair per drift row', () => {
  const html = result.html;
  assert.ok(!html.includes('<img'), 'no element from a column name');
  assert.ok(!html.includes('<script'), 'no script from a category');
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">/);
  const drift = result.report.dataValidation.drift;
  assert.ok(drift, 'drift was measured against version 1');
  assert.deepEqual(
    drift.columns.map((d) => [d.column, d.test]).sort(),
    [
      [NUM, 'ks'],
      [CAT, 'chisquare'],
    ].sort(),
    '400 reference rows: KS and chi-squared',
  );
  assert.equal(html.match(/<svg class="hist"/g)?.length, drift.columns.length);
  assert.match(html, /<td><code>&lt;img src=x onerror=alert\(1\)&gt;<\/code><\/td><td>Kolmogorov–Smirnov<\/td>/);
});

test('the Markdown report escapes the names in its tables', () => {
  const md = result.markdown;
  assert.ok(!md.includes('<img') && !md.includes('<script'), 'no HTML from the data');
  assert.ok(md.includes('plan\\|tier'), 'a pipe in a name does not break the table');
  const driftRow = md.split('\n').find((l) => l.startsWith('| `&lt;img'));
  assert.ok(driftRow, md);
  assert.match(driftRow, /Kolmogorov–Smirnov/);
});
