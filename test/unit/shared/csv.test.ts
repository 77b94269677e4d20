import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeCsvAtomic } from '../../../src/pipeline/csv-output';
import { csvCell } from '../../../src/shared/csv';

test('every formula prefix OWASP lists is neutralised in text cells; numbers stay numbers', () => {
  for (const hostile of [
    '=HYPERLINK("http://evil.example","x")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    '@SUM(1+1)',
    '\t=1+1',
    '\r=1+1',
    '-1+1',
    '+1e3x',
  ]) {
    const cell = csvCell(hostile);
    const unquoted = cell.startsWith('"') ? cell.slice(1, -1).replace(/""/g, '"') : cell;
    assert.ok(unquoted.startsWith("'"), `${JSON.stringify(hostile)} → ${cell}`);
  }
  for (const number of ['-1.5', '+2', '3', '-0.25e-3', '.5', '1e10']) assert.equal(csvCell(number), number);
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
});

test('the predictions file neutralises hostile input cells and class labels', () => {
  const dir = mkdtempSync(join(tmpdir(), 'modelops-csv-'));
  try {
    const file = join(dir, 'preds.csv');
    writeCsvAtomic(
      file,
      ['name', 'x', 'prediction'],
      [
        ['=HYPERLINK("http://evil.example","x")', '-1.5', '@label'],
        ['ok', '2', 'yes'],
      ],
    );
    assert.equal(readFileSync(file, 'utf8'), 'name,x,prediction\n"\'=HYPERLINK(""http://evil.example"",""x"")",-1.5,\'@label\nok,2,yes\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
