import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

// Objects that survive a few collections each, as a CSV's cells and labels do while it loads.
const churn = `
  const keep = [];
  for (let i = 0; i < 3e6; i++) { keep.push({ a: i, b: 'x' + i }); if (keep.length > 2e5) keep.splice(0, 1e5); }
  const ns = require('node:v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  console.log(ns.space_size);
`;

function newSpaceBytes(setUp: string): number {
  const r = spawnSync(process.execPath, ['-e', setUp + churn], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.trim());
}

test('keepYoungGenerationSmall keeps V8 from growing the young generation under allocation that survives', () => {
  const module = JSON.stringify(join(__dirname, '..', '..', '..', 'src', 'core', 'young-generation.js'));
  const kept = newSpaceBytes(`require(${module}).keepYoungGenerationSmall();`);
  const grown = newSpaceBytes('');
  const MB = 2 ** 20;
  assert.ok(grown > 8 * MB, `without it the young generation grows (${grown / MB} MB): the load is enough to show it`);
  assert.ok(kept <= 4 * MB, `with it the young generation stays at its start (${kept / MB} MB)`);
});
