/** The comparison table: run columns, param and metric rows, sort buttons in the row headers. */
import type { BaselineVerdict } from '../../../src/shared/compare-protocol';
import type { RowKind, TableCell, TableModel, TableRow, TableSort } from '../../../src/shared/compare-table';
import { formatNumber } from '../../../src/shared/format';
import { el } from '../common/dom';
import type { ChartTheme } from '../common/theme';
import { compactButton } from '../toolkit/components';

export interface TableActions {
  sortBy(kind: RowKind, key: string): void;
  openArtifacts(runId: string): void;
  registerModel(runId: string): void;
}

function sortState(sort: TableSort | null, row: TableRow): 'ascending' | 'descending' | 'none' {
  if (!sort || sort.kind !== row.kind || sort.key !== row.key) return 'none';
  return sort.direction === 'asc' ? 'ascending' : 'descending';
}

function rowTitle(row: TableRow): string {
  if (row.kind !== 'metric') return `Sort runs by ${row.key}`;
  const what =
    row.metricKind === 'spread'
      ? 'a spread over the folds: smaller is steadier, never "best"'
      : row.metricKind === 'fold'
        ? 'one value per fold (step = fold): see its history chart'
        : row.metricKind === 'baseline'
          ? "the majority-class / mean baseline's score on the same folds"
          : row.goal
            ? `${row.goal === 'minimize' ? 'lower' : 'higher'} is better`
            : 'no direction known: never marked best';
  return `${row.label ?? row.key} (${row.key}): ${what}. Click to sort the runs by it.`;
}

function cellElement(row: TableRow, c: TableCell): HTMLTableCellElement {
  const classes = [
    c.missing ? 'missing' : '',
    c.best ? 'best' : '',
    c.belowBaseline ? 'below-baseline' : '',
    row.kind === 'metric' || c.number !== null ? 'num' : '',
  ];
  return el(
    'td',
    {
      className: classes.filter(Boolean).join(' '),
      ...(c.belowBaseline
        ? { attrs: { title: `Not better than the baseline's ${formatNumber(c.belowBaseline.baseline)} (majority class / mean on the same folds)` } }
        : {}),
    },
    c.missing ? el('span', { attrs: { 'aria-label': 'not logged' } }, '–') : c.text,
    c.best
      ? el(
          'span',
          { className: 'best-mark', attrs: { title: `best ${row.key} (${row.goal === 'minimize' ? 'lowest' : 'highest'})`, 'aria-label': 'best' } },
          ' ★',
        )
      : null,
    c.belowBaseline
      ? el(
          'span',
          { className: 'baseline-mark', attrs: { 'aria-label': `not better than the baseline's ${formatNumber(c.belowBaseline.baseline)}` } },
          ` ▼ baseline ${formatNumber(c.belowBaseline.baseline)}`,
        )
      : null,
  );
}

function rowElement(row: TableRow, sort: TableSort | null, actions: TableActions): HTMLTableRowElement {
  const state = sortState(sort, row);
  const arrow = state === 'ascending' ? ' ▲' : state === 'descending' ? ' ▼' : '';
  const named = row.kind === 'metric' && row.label && row.label !== row.key;
  const sortButton = el(
    'button',
    { className: 'sort', attrs: { type: 'button', title: rowTitle(row) }, on: { click: () => actions.sortBy(row.kind, row.key) } },
    named ? row.label! : row.key,
    named ? el('span', { className: 'metric-key' }, ` ${row.key}`) : null,
    el('span', { className: 'sort-arrow', attrs: { 'aria-hidden': 'true' } }, arrow),
  );
  const header = el('th', { attrs: { scope: 'row', 'aria-sort': state } }, sortButton);
  const kind = row.metricKind ? `kind-${row.metricKind}` : '';
  return el(
    'tr',
    { className: [row.differs ? 'differs' : 'same', kind].filter(Boolean).join(' '), attrs: { 'data-kind': row.kind, 'data-key': row.key } },
    header,
    ...row.cells.map((c) => cellElement(row, c)),
  );
}

/** Under the run's name: whether it beats its majority-class / mean baseline, on the metric its training chose. */
function verdictElement(v: BaselineVerdict | undefined): HTMLElement | null {
  if (!v) return null;
  const text = v.beats
    ? `✓ beats baseline (${v.metric} ${formatNumber(v.model)} vs ${formatNumber(v.baseline)})`
    : `✗ below baseline (${v.metric} ${formatNumber(v.model)} vs ${formatNumber(v.baseline)})`;
  return el(
    'div',
    { className: `baseline-verdict ${v.beats ? 'pass' : 'fail'}`, attrs: { 'data-testid': 'baseline-verdict', ...(v.reason ? { title: v.reason } : {}) } },
    text,
  );
}

export function tableView(
  model: TableModel,
  runsHaveModel: ReadonlyMap<string, boolean>,
  sort: TableSort | null,
  theme: ChartTheme,
  actions: TableActions,
  verdicts: ReadonlyMap<string, BaselineVerdict | undefined> = new Map(),
): HTMLElement {
  const headRow = el(
    'tr',
    {},
    el('th', { className: 'corner', attrs: { scope: 'col' } }, 'Run'),
    ...model.columns.map((c) => {
      const swatch = el('span', { className: 'swatch', attrs: { 'aria-hidden': 'true' } });
      swatch.style.backgroundColor = theme.runColor(c.colorIndex);
      return el(
        'th',
        { attrs: { scope: 'col', 'data-run-id': c.runId } },
        el('div', { className: 'run-name' }, swatch, c.runName || c.runId),
        el('div', { className: 'run-id' }, c.runId.slice(0, 8)),
        verdictElement(verdicts.get(c.runId)),
        el(
          'div',
          { className: 'run-actions' },
          compactButton('Artifacts', () => actions.openArtifacts(c.runId), { title: `Open the artifacts of ${c.runName}` }),
          compactButton('Register', () => actions.registerModel(c.runId), {
            title: `Register the model of ${c.runName}`,
            disabled: !runsHaveModel.get(c.runId),
          }),
        ),
      );
    }),
  );
  const section = (title: string, rows: TableRow[]): HTMLTableSectionElement | null =>
    rows.length === 0
      ? null
      : el(
          'tbody',
          {},
          el('tr', { className: 'section' }, el('th', { attrs: { scope: 'rowgroup', colspan: String(model.columns.length + 1) } }, title)),
          ...rows.map((r) => rowElement(r, sort, actions)),
        );
  const table = el(
    'table',
    { className: 'compare-table', attrs: { 'data-testid': 'compare-table' } },
    el('thead', {}, headRow),
    section('Parameters', model.params),
    section('Metrics', model.metrics),
  );
  return el('div', { className: 'table-scroll', attrs: { tabindex: '0', role: 'region', 'aria-label': 'Parameters and metrics of the compared runs' } }, table);
}
