import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { checkJsonInput, schemaRepr } from '../../../src/serve/input-check';
import type { InputColumns } from '../../../src/serve/request-body';
import { parseJsonRequest, pyList } from '../../../src/serve/request-body';
import { ServeError } from '../../../src/serve/serve-error';

/** Columns are null-prototype records (names are data); compare their entries. */
const plain = (i: InputColumns): InputColumns => ({ ...i, columns: { ...i.columns } });

const refused = (status: number, pattern: RegExp) => (e: unknown) => e instanceof ServeError && e.status === status && pattern.test(e.message);

describe('scoring request bodies (MLflow 2.x formats)', () => {
  test('records, split, instances and inputs become the same named columns; params ride along', () => {
    const want = { names: ['a', 'b'], columns: { a: [1, 2], b: ['x', null] }, nRows: 2 };
    assert.deepEqual(plain(parseJsonRequest('{"dataframe_records": [{"a": 1, "b": "x"}, {"a": 2}]}').input), want);
    const proto = parseJsonRequest('{"dataframe_records": [{"__proto__": 1, "a": 2}]}').input;
    assert.deepEqual([proto.names, proto.columns.__proto__, proto.columns.a], [['__proto__', 'a'], [1], [2]], 'column names are data');
    assert.deepEqual(plain(parseJsonRequest('{"dataframe_split": {"columns": ["a", "b"], "data": [[1, "x"], [2, null]]}}').input), want);
    assert.deepEqual(plain(parseJsonRequest('{"instances": [{"a": 1, "b": "x"}, {"a": 2, "b": null}]}').input), want);
    const r = parseJsonRequest('{"inputs": {"a": [1, 2], "b": ["x", null]}, "params": {"predict_proba": true}}');
    assert.deepEqual(plain(r.input), want);
    assert.deepEqual(r.params, { predict_proba: true });
  });

  test('unnamed rows get positional names, as pandas gives them; one input takes a lone unnamed column', () => {
    assert.deepEqual(parseJsonRequest('{"dataframe_split": {"data": [[1, 2]]}}').input.names, ['0', '1']);
    const single = parseJsonRequest('{"instances": [3.5, 4]}').input;
    const frame = checkJsonInput(single, [{ name: 'x', type: 'double' }]);
    assert.deepEqual({ ...frame.columns }, { x: [3.5, 4] });
  });

  test('malformed bodies are refused with MLflow messages', () => {
    assert.throws(() => parseJsonRequest('{"dataframe_split": {"columns": ["a"]}}'), refused(400, /Dataframe split format must have 'data' field/));
    assert.throws(
      () => parseJsonRequest('{"dataframe_split": {"columns": ["a"], "data": [[1, 2]]}}'),
      refused(400, /1 columns passed, passed data had 2 columns/),
    );
    assert.throws(
      () => parseJsonRequest('{"dataframe_records": {"a": 1}}'),
      refused(400, /^Invalid input\. Dataframe records format must be a list of records\. Got dictionary/),
    );
    assert.throws(() => parseJsonRequest('{"inputs": {"a": [1, 2], "b": [1]}}'), refused(400, /same length/));
    assert.throws(() => parseJsonRequest('{"data": []}'), refused(400, /Received dictionary with input fields: \['data'\]/));
    assert.throws(() => parseJsonRequest('"rows"'), refused(400, /Received unexpected input type/));
    assert.throws(() => parseJsonRequest('{"dataframe_records": [], "params": [1]}'), refused(400, /'params' must be a JSON object/));
  });

  test('schemas and names print as MLflow (Python) prints them', () => {
    assert.equal(pyList(["it's", 'b']), "['it\\'s', 'b']");
    assert.equal(
      schemaRepr([
        { name: 'plan', type: 'string' },
        { name: 'age', type: 'double', required: false },
      ]),
      "['plan': string (required), 'age': double (optional)]",
    );
  });

  test('cells of the wrong type name their column and row; missing markers and numeric text are values', () => {
    const inputs = [
      { name: 'n', type: 'double' },
      { name: 'flag', type: 'boolean' },
    ];
    const ok = checkJsonInput({ names: ['n', 'flag'], columns: { n: ['1.5', 'NA', null, true], flag: [true, 'no', null, 1] }, nRows: 4 }, inputs);
    assert.deepEqual(ok.columns.n, ['1.5', 'NA', null, true]);
    assert.throws(
      () => checkJsonInput({ names: ['n', 'flag'], columns: { n: [1, 2], flag: [true, 'maybe'] }, nRows: 2 }, inputs),
      refused(400, /column flag\. Can not safely convert the text "maybe" \(row 2\) to boolean/),
    );
    assert.throws(
      () => checkJsonInput({ names: ['n', 'flag'], columns: { n: [{ x: 1 }], flag: [true] }, nRows: 1 }, inputs),
      refused(400, /column n\. Can not safely convert an object \(row 1\)/),
    );
  });
});
