/** The comparison table: run columns, param and metric rows, sort buttons in the row headers. */
import type { RowKind, TableModel, TableRow, TableSort } from '../../../src/shared/compare-table';
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

function rowElement(row: TableRow, sort: TableSort | null, actions: TableActions): HTMLTableRowElement {
  const state = sortState(sort, row);
  const arrow = state === 'ascending' ? ' ▲' : state === 'descending' ? ' ▼' : '';
  const sortButton = el(
    'button',
    { className: 'sort', attrs: { type: 'button', title: `Sort runs by ${row.key}` }, on: { click: () => actions.sortBy(row.kind, row.key) } },
    row.key,
    el('span', { className: 'sort-arrow', attrs: { 'aria-hidden': 'true' } }, arrow),
  );
  const header = el('th', { attrs: { scope: 'row', 'aria-sort': state } }, sortButton);
  const cells = row.cells.map((c) =>
    el(
      'td',
      { className: [c.missing ? 'missing' : '', c.best ? 'best' : '', row.kind === 'metric' || c.number !== null ? 'num' : ''].filter(Boolean).join(' ') },
      c.missing ? el('span', { attrs: { 'aria-label': 'not logged' } }, '–') : c.text,
      c.best ? el('span', { className: 'best-mark', attrs: { title: `best ${row.key} (${row.goal === 'minimize' ? 'lowest' : 'highest'})`, 'aria-label': 'best' } }, ' ★') : null,
    ),
  );
  return el('tr', { className: row.differs ? 'differs' : 'same', attrs: { 'data-kind': row.kind, 'data-key': row.key } }, header, ...cells);
}

export function tableView(model: TableModel, runsHaveModel: ReadonlyMap<string, boolean>, sort: TableSort | null, theme: ChartTheme, actions: TableActions): HTMLElement {
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
        el(
          'div',
          { className: 'run-actions' },
          compactButton('Artifacts', () => actions.openArtifacts(c.runId), { title: `Open the artifacts of ${c.runName}` }),
          compactButton('Register', () => actions.registerModel(c.runId), { title: `Register the model of ${c.runName}`, disabled: !runsHaveModel.get(c.runId) }),
        ),
      );
    }),
  );
  const section = (title: string, rows: TableRow[]): HTMLTableSectionElement | null =>
    rows.length === 0 ? null : el('tbody', {}, el('tr', { className: 'section' }, el('th', { attrs: { scope: 'rowgroup', colspan: String(model.columns.length + 1) } }, title)), ...rows.map((r) => rowElement(r, sort, actions)));
  const table = el('table', { className: 'compare-table', attrs: { 'data-testid': 'compare-table' } }, el('thead', {}, headRow), section('Parameters', model.params), section('Metrics', model.metrics));
  return el('div', { className: 'table-scroll', attrs: { tabindex: '0', role: 'region', 'aria-label': 'Parameters and metrics of the compared runs' } }, table);
}
