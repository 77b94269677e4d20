import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_SPACE } from '../../../src/pipeline/tune-space';
import type { SpaceRow } from '../../../src/shared/space-table';
import { emptyRow, parseChoices, rowsOfSpace, spaceOfRows } from '../../../src/shared/space-table';
import { parseSearchSpace } from '../../../src/tuning/distributions';

const row = (o: Partial<SpaceRow>): SpaceRow => ({ ...emptyRow(), ...o });

describe('search space table', () => {
  test('every default space goes to rows and back unchanged', () => {
    for (const space of Object.values(DEFAULT_SPACE)) {
      const back = spaceOfRows(rowsOfSpace(parseSearchSpace(space, 'default')));
      assert.deepEqual(back.problems, []);
      assert.deepEqual(back.space, parseSearchSpace(space, 'default'));
    }
  });

  test('choices: numbers, null, booleans and text; a quoted or JSON-listed item stays a string', () => {
    assert.deepEqual(parseChoices('sqrt, 0.5, null, true, "1"'), ['sqrt', 0.5, null, true, '1']);
    assert.deepEqual(parseChoices('["a,b", 2]'), ['a,b', 2]);
    assert.match(String(parseChoices('  ')), /at least one value/);
    // Strings that would read back as something else are written quoted.
    const rows = rowsOfSpace({ c: { type: 'categorical', choices: ['1', 'null', 'x', 2, ' y'] }, d: { type: 'categorical', choices: ['a,b', 'c'] } });
    assert.deepEqual(
      rows.map((r) => r.choices),
      ['"1", "null", x, 2, " y"', '["a,b","c"]'],
    );
    assert.deepEqual(spaceOfRows(rows).space, {
      c: { type: 'categorical', choices: ['1', 'null', 'x', 2, ' y'] },
      d: { type: 'categorical', choices: ['a,b', 'c'] },
    });
  });

  test("each problem is put on its row and field, in the check's words", () => {
    const { problems } = spaceOfRows([
      row({ name: 'rf.a', type: 'int', low: 'x', high: '3' }),
      row({ name: '', type: 'float', low: '1', high: '2' }),
      row({ name: 'rf.a', type: 'categorical', choices: '' }),
    ]);
    assert.deepEqual(
      problems.map((p) => [p.row, p.field, p.message]),
      [
        [0, 'low', "row 1 (rf.a): low must be a number (got 'x')"],
        [1, 'name', 'row 2: the parameter needs a name (rf.maxDepth, knn.weights, …)'],
        [2, 'name', 'row 3: rf.a is already row 1'],
        [2, 'choices', 'row 3 (rf.a): choices must list at least one value (comma-separated, or a JSON list)'],
      ],
    );
    const checked = spaceOfRows([
      row({ name: 'knn.n', type: 'int', low: '5', high: '1' }),
      row({ name: 'rf.f', type: 'float', low: '0', high: '1', log: true }),
      row({ name: 'rf.s', type: 'int', low: '1', high: '9', step: '1.5' }),
      row({ name: 'w', type: 'categorical', choices: 'a, a' }),
    ]).problems;
    assert.deepEqual(
      checked.map((p) => [p.row, p.field, p.message]),
      [
        [0, 'low', 'row 1 (knn.n): low (5) is greater than high (1)'],
        [1, 'low', 'row 2 (rf.f): low a log-scaled range needs low > 0 (got 0)'],
        [2, 'step', 'row 3 (rf.s): step an int step must be an integer'],
        [3, 'choices', 'row 4 (w): choices choices must be distinct'],
      ],
    );
    assert.equal(spaceOfRows([]).problems[0].message, 'the search space needs at least one parameter');
  });

  test('hostile names are names: __proto__ and <script> are parameters, $schema is refused', () => {
    const r = spaceOfRows([
      row({ name: '__proto__', type: 'int', low: '1', high: '2' }),
      row({ name: '<script>', type: 'categorical', choices: '<img src=x>' }),
    ]);
    assert.deepEqual(Object.keys(r.space!), ['__proto__', '<script>']);
    assert.deepEqual(r.space!['<script>'], { type: 'categorical', choices: ['<img src=x>'] });
    assert.equal(Object.getPrototypeOf(r.space), Object.prototype);
    assert.match(spaceOfRows([row({ name: '$schema', low: '1', high: '2' })]).problems[0].message, /\$schema names the file's schema/);
  });
});
