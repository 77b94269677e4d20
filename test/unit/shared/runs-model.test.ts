import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { allColumns, isVisible, setGroupVisible, setVisible } from '../../../src/shared/runs-columns';
import { filterFromSearchText, RunsModel } from '../../../src/shared/runs-model';
import type { DisplayOptions } from '../../../src/shared/runs-model';
import { formatDuration, runsToCsv } from '../../../src/shared/runs-format';
import { csvCell, csvNumber } from '../../../src/shared/csv';
import type { ChangesResult, RunRow } from '../../../src/shared/runs-protocol';
import { changesResultCheck, EMPTY_VIEW } from '../../../src/shared/runs-protocol';
import { generateRunsTable, HOSTILE_STRINGS } from '../../webview/run-builders';

function modelOf(rows: RunRow[], keys = generateRunsTable({ runs: 0 }).keys): RunsModel {
  const m = new RunsModel();
  m.apply({ stamp: rows.length, reset: true, more: false, keys, runs: rows, removed: [] });
  return m;
}

const options = (o: Partial<DisplayOptions> = {}): DisplayOptions => ({
  matched: null,
  sort: null,
  expanded: new Set(),
  expandAll: false,
  now: Date.UTC(2026, 0, 2),
  ...o,
});

describe('runs table model', () => {
  test('rows show newest first by default, nested runs under their parent (collapsed until expanded)', () => {
    const { keys, rows } = generateRunsTable({ runs: 9, nest: 3 });
    const m = modelOf(rows, keys);
    const cols = allColumns(m.keys);
    assert.deepEqual(
      m.display(cols, options()).map((r) => [r.runId, r.children]),
      [
        ['run000000', 2],
        ['run000003', 2],
        ['run000006', 2],
      ],
    );
    const open = m.display(cols, options({ expanded: new Set(['run000003']) }));
    assert.deepEqual(
      open.map((r) => `${r.depth}:${r.runId}`),
      ['0:run000000', '0:run000003', '1:run000004', '1:run000005', '0:run000006'],
    );
    assert.equal(m.display(cols, options({ expandAll: true })).length, 9);
  });

  test('a nested run whose parent the filter left out is shown at the top level; parent links that loop do not hide runs', () => {
    const { keys, rows } = generateRunsTable({ runs: 6, nest: 3 });
    const m = modelOf(rows, keys);
    const cols = allColumns(m.keys);
    assert.deepEqual(
      m.display(cols, options({ matched: new Set(['run000001', 'run000004', 'run000003']) })).map((r) => r.runId),
      ['run000001', 'run000003'],
    );
    const loop = modelOf(
      [
        { ...rows[0]!, runId: 'a', parentRunId: 'b' },
        { ...rows[1]!, runId: 'b', parentRunId: 'a' },
      ],
      keys,
    );
    assert.deepEqual(
      loop
        .display(cols, options({ expandAll: true }))
        .map((r) => r.runId)
        .sort(),
      ['a', 'b'],
    );
  });

  test('sorts by any column: numbers as numbers (params too), text case-insensitively, missing last both ways', () => {
    const { keys, rows } = generateRunsTable({ runs: 5 });
    const values = ['10', '9', undefined, '100', '2.5'];
    // The third run never logged n_estimators.
    const m = modelOf(
      rows.map((r, i) =>
        values[i] === undefined
          ? { ...r, pk: r.pk.filter((k) => k !== 1), pv: r.pv.filter((_, j) => j !== 1) }
          : { ...r, pv: r.pv.map((v, j) => (j === 1 ? values[i]! : v)) },
      ),
      keys,
    );
    const cols = allColumns(m.keys);
    const sorted = (direction: 'asc' | 'desc') =>
      m.display(cols, options({ sort: { column: 'param:n_estimators', direction } })).map((r) =>
        m.value(
          m.rows.get(r.runId)!,
          cols.find((c) => c.id === 'param:n_estimators')!,
        ),
      );
    assert.deepEqual(sorted('asc'), ['2.5', '9', '10', '100', null]);
    assert.deepEqual(sorted('desc'), ['100', '10', '9', '2.5', null]);
    const names = modelOf(
      ['beta', 'Alpha', 'gamma'].map((n, i) => ({ ...rows[i]!, runName: n })),
      keys,
    );
    assert.deepEqual(
      names.display(cols, options({ sort: { column: 'attr:name', direction: 'asc' } })).map((r) => names.rows.get(r.runId)!.runName),
      ['Alpha', 'beta', 'gamma'],
    );
  });

  test('a metric column reads the latest value; min and max only once the host sent them', () => {
    const { keys, rows } = generateRunsTable({ runs: 2 });
    const m = modelOf(rows, keys);
    const cols = allColumns(m.keys);
    const acc = cols.find((c) => c.id === 'metric:accuracy')!;
    const max = cols.find((c) => c.id === 'metric:accuracy:max')!;
    assert.equal(m.value(rows[0]!, acc), rows[0]!.mv[0]);
    assert.equal(m.value(rows[0]!, max), null);
    m.setRange('accuracy', ['run000000'], [0.1], [0.99]);
    assert.equal(m.value(rows[0]!, max), 0.99);
    // New data for a run may move its min/max: they are asked for again.
    m.apply({ stamp: 9, reset: false, more: false, keys, runs: [rows[0]!], removed: [] });
    assert.equal(m.ranges.size, 0);
  });

  test('changes apply in order: upserts, removals, and a reset that starts over', () => {
    const { keys, rows } = generateRunsTable({ runs: 3 });
    const m = modelOf(rows, keys);
    assert.equal(m.apply({ stamp: 5, reset: false, more: false, keys, runs: [], removed: ['run000001'] }), true);
    assert.deepEqual([...m.rows.keys()], ['run000000', 'run000002']);
    assert.equal(m.stamp, 5);
    assert.equal(m.apply({ stamp: 5, reset: false, more: false, keys, runs: [], removed: [] }), false);
    m.apply({ stamp: 1, reset: true, more: false, keys, runs: [rows[2]!], removed: [] });
    assert.deepEqual([...m.rows.keys()], ['run000002']);
  });

  test('plain words search run names the way MLflow’s box does; filters pass through unchanged', () => {
    assert.equal(filterFromSearchText('  forest '), "attributes.run_name ILIKE '%forest%'");
    assert.equal(filterFromSearchText('metrics.acc > 0.9'), 'metrics.acc > 0.9');
    assert.equal(filterFromSearchText('params.model'), 'params.model', 'an incomplete filter reaches the parser, which says what is wrong');
    assert.equal(filterFromSearchText("it's"), "it's");
    assert.equal(filterFromSearchText(''), '');
  });

  test('rows of 200 columns pass the page’s validation unchanged', () => {
    const { keys, rows } = generateRunsTable({ runs: 50, params: 100, metrics: 90, tags: 10, hostile: true });
    const changes: ChangesResult = { stamp: 50, reset: true, more: false, keys, runs: rows, removed: [] };
    assert.deepEqual(changesResultCheck(JSON.parse(JSON.stringify(changes)), 'changes'), changes);
    assert.throws(
      () => changesResultCheck({ ...changes, runs: [{ ...rows[0]!, mv: ['NaN'] }] }, 'changes'),
      /changes\.runs\[0\]\.mv\[0\]: expected a finite number or null/,
    );
  });
});

describe('runs table columns', () => {
  test('attributes, then metrics (latest, min, max), params and tags, each sorted by name', () => {
    const cols = allColumns({ params: ['b', 'a'], metrics: ['z', 'y'], tags: ['t'] });
    assert.deepEqual(
      cols.map((c) => c.id),
      [
        'attr:name',
        'attr:status',
        'attr:start',
        'attr:duration',
        'attr:user',
        'attr:source',
        'metric:y',
        'metric:y:min',
        'metric:y:max',
        'metric:z',
        'metric:z:min',
        'metric:z:max',
        'param:a',
        'param:b',
        'tag:t',
      ],
    );
    assert.deepEqual(
      cols.filter((c) => isVisible(c, EMPTY_VIEW)).map((c) => c.id),
      ['attr:name', 'attr:status', 'attr:start', 'attr:duration', 'attr:user', 'attr:source', 'metric:y', 'metric:z', 'param:a', 'param:b'],
    );
  });

  test('the view keeps only what departs from the defaults; the run name cannot be hidden', () => {
    const cols = allColumns({ params: ['a'], metrics: ['m'], tags: ['t'] });
    const col = (id: string) => cols.find((c) => c.id === id)!;
    let view = setVisible(EMPTY_VIEW, col('param:a'), false);
    view = setVisible(view, col('tag:t'), true);
    view = setVisible(view, col('metric:m:min'), true);
    assert.deepEqual(view, { ...EMPTY_VIEW, hidden: ['param:a'], shown: ['tag:t', 'metric:m:min'] });
    assert.deepEqual(setVisible(view, col('param:a'), true).hidden, []);
    assert.equal(isVisible(col('attr:name'), setGroupVisible(EMPTY_VIEW, cols, false)), true);
  });
});

describe('runs CSV', () => {
  test('cells a spreadsheet would run as formulas are prefixed; numbers stay numbers', () => {
    for (const s of HOSTILE_STRINGS.filter((x) => /^[=+\-@\t\r]/.test(x) && !/^-2\+3$/.test(x))) assert.ok(csvCell(s).replace(/^"/, '').startsWith("'"), s);
    assert.equal(csvCell('-2+3'), "'-2+3", 'an expression that starts like a number is still neutralised');
    assert.equal(csvCell('-0.5'), '-0.5');
    assert.equal(csvCell('a,"b"'), '"a,""b"""');
    assert.equal(csvNumber(1 / 3), String(1 / 3));
    assert.equal(csvNumber(null), '');
  });

  test('the export holds the shown columns for the given runs, times in ISO 8601 and durations in seconds', () => {
    const { keys, rows } = generateRunsTable({ runs: 2, params: 2, metrics: 1, tags: 0 });
    const m = modelOf(rows, keys);
    const cols = allColumns(m.keys).filter((c) => isVisible(c, EMPTY_VIEW));
    const csv = runsToCsv(m, ['run000001'], cols).split('\n');
    assert.equal(csv[0], 'run_id,Run,Status,Started,Duration (s),User,Source,metrics.accuracy,params.model,params.n_estimators');
    const r = rows[1]!;
    assert.equal(
      csv[1],
      [
        'run000001',
        r.runName,
        r.status,
        new Date(r.startTime).toISOString(),
        r.endTime === null ? '' : String((r.endTime - r.startTime) / 1000),
        r.userId,
        r.source,
        String(r.mv[0]),
        r.pv[0],
        r.pv[1],
      ].join(','),
    );
    assert.equal(csv.length, 3);
  });

  test('durations read like a person would say them', () => {
    assert.deepEqual([850, 12_340, 245_000, 7_380_000].map(formatDuration), ['850 ms', '12.3 s', '4 min 5 s', '2 h 3 min']);
  });
});
