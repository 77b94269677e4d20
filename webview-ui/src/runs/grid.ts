/**
 * The runs grid: virtualised in both directions, so 10,000 rows × 500 columns cost what the window
 * shows (a few hundred cells). One scrolling element holds a sticky header row and absolutely
 * placed rows; inside each row the run-name cell is sticky on the left, a spacer stands for the
 * columns scrolled past, and only the columns in view are built. Every value is set as text.
 */
import type { ColumnDef } from '../../../src/shared/runs-columns';
import type { CellValue, DisplayRow, RunsModel } from '../../../src/shared/runs-model';
import { formatCell } from '../../../src/shared/runs-format';
import type { RunRow, SortSpec } from '../../../src/shared/runs-protocol';
import { el } from '../common/dom';

export const ROW_HEIGHT = 24;
const HEADER_HEIGHT = 28;
/** Rows and pixels drawn beyond the window, so a small scroll shows no blank edge. */
const OVERSCAN_ROWS = 4;
const OVERSCAN_PX = 160;
const INDENT = 16;

export interface GridActions {
  sortBy(columnId: string): void;
  openRun(runId: string): void;
  toggleExpanded(runId: string): void;
  /** Click, ctrl/cmd-click (toggle) or shift-click (range) on a row. */
  select(runId: string, mode: 'only' | 'toggle' | 'range'): void;
  /** The columns in view changed: min/max columns may need their values. */
  columnsInView(columns: ColumnDef[]): void;
}

export interface GridData {
  model: RunsModel;
  rows: DisplayRow[];
  /** Visible columns, the pinned run-name column first. */
  columns: ColumnDef[];
  sort: SortSpec | null;
  selected: ReadonlySet<string>;
  /** min/max columns whose values are on their way. */
  pendingRanges: ReadonlySet<string>;
  now: number;
}

const STATUS_CLASS: Record<string, string> = { FINISHED: 'ok', FAILED: 'bad', KILLED: 'muted', RUNNING: 'live', SCHEDULED: 'muted' };

export class RunsGrid {
  readonly element: HTMLElement;
  private readonly header: HTMLElement;
  private readonly body: HTMLElement;
  private data: GridData | undefined;
  private offsets: number[] = [];
  private totalWidth = 0;
  private frame = 0;
  /** Keyboard cursor: index into the display rows. */
  private active = 0;
  private lastColumns = '';

  constructor(private readonly actions: GridActions) {
    this.header = el('div', { className: 'grid-header', attrs: { role: 'row', 'aria-rowindex': '1' } });
    this.body = el('div', { className: 'grid-body', attrs: { role: 'rowgroup' } });
    this.element = el(
      'div',
      {
        className: 'grid',
        attrs: { role: 'grid', tabindex: '0', 'aria-label': 'Runs', 'aria-multiselectable': 'true', 'data-testid': 'runs-grid' },
        on: { scroll: () => this.schedule(), keydown: (e) => this.onKey(e) },
      },
      this.header,
      this.body,
    );
    new ResizeObserver(() => this.schedule()).observe(this.element);
  }

  setData(data: GridData): void {
    const columnsKey = data.columns.map((c) => `${c.id}:${c.width}`).join('\n');
    if (columnsKey !== this.lastColumns) {
      this.lastColumns = columnsKey;
      this.offsets = [];
      let x = 0;
      for (const c of data.columns) {
        this.offsets.push(x);
        x += c.width;
      }
      this.totalWidth = x;
    }
    this.data = data;
    this.active = Math.min(this.active, Math.max(0, data.rows.length - 1));
    this.element.setAttribute('aria-rowcount', String(data.rows.length + 1));
    this.element.setAttribute('aria-colcount', String(data.columns.length));
    this.body.style.height = `${data.rows.length * ROW_HEIGHT}px`;
    this.body.style.width = `${this.totalWidth}px`;
    this.header.style.width = `${this.totalWidth}px`;
    this.render();
  }

  /** Scrolls a run into view and puts the keyboard cursor on it. */
  reveal(runId: string): void {
    const i = this.data?.rows.findIndex((r) => r.runId === runId) ?? -1;
    if (i < 0) return;
    this.active = i;
    this.scrollToActive();
    this.render();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  /** The columns (besides the pinned one) that overlap the window, with some margin. */
  private columnWindow(): { from: number; to: number } {
    const cols = this.data?.columns ?? [];
    const left = this.element.scrollLeft - OVERSCAN_PX;
    const right = this.element.scrollLeft + this.element.clientWidth + OVERSCAN_PX;
    let from = 1;
    while (from < cols.length && this.offsets[from]! + cols[from]!.width < left) from++;
    let to = from;
    while (to < cols.length && this.offsets[to]! < right) to++;
    return { from, to };
  }

  render(): void {
    const data = this.data;
    if (!data) return;
    const { from, to } = this.columnWindow();
    const visible = data.columns.slice(from, to);
    this.renderHeader(data, from, to);
    const top = Math.max(0, Math.floor(this.element.scrollTop / ROW_HEIGHT) - OVERSCAN_ROWS);
    const bottom = Math.min(data.rows.length, Math.ceil((this.element.scrollTop + this.element.clientHeight) / ROW_HEIGHT) + OVERSCAN_ROWS);
    // One reader per visible column (its key looked up once), shared by every row in view.
    const readers = visible.map((c) => data.model.reader(c, data.now));
    const rows: HTMLElement[] = [];
    for (let i = top; i < bottom; i++) rows.push(this.rowElement(data, i, from, readers));
    this.body.replaceChildren(...rows);
    if (bottom > top) this.element.setAttribute('aria-activedescendant', `row-${this.active}`);
    this.actions.columnsInView(visible);
  }

  private spacer(data: GridData, from: number): HTMLElement {
    const pinned = data.columns[0]?.width ?? 0;
    const s = el('div', { className: 'spacer', attrs: { 'aria-hidden': 'true' } });
    s.style.width = `${Math.max(0, (this.offsets[from] ?? this.totalWidth) - pinned)}px`;
    return s;
  }

  private renderHeader(data: GridData, from: number, to: number): void {
    const cells: HTMLElement[] = [];
    const headerCell = (c: ColumnDef, index: number, pinned: boolean): HTMLElement => {
      const sorted = data.sort?.column === c.id ? data.sort.direction : null;
      const cell = el(
        'div',
        {
          className: `cell head${pinned ? ' pinned' : ''}${c.numeric ? ' num' : ''}`,
          attrs: {
            role: 'columnheader',
            'aria-colindex': String(index + 1),
            'aria-sort': sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none',
            'data-column': c.id,
            title: `${c.label} (${c.kind === 'attr' ? 'attribute' : c.kind}): click to sort`,
          },
        },
        el(
          'button',
          { className: 'sort', attrs: { type: 'button', tabindex: '-1' }, on: { click: () => this.actions.sortBy(c.id) } },
          el('span', { className: 'label' }, c.label),
          sorted ? el('span', { className: 'arrow', attrs: { 'aria-hidden': 'true' } }, sorted === 'asc' ? ' ▲' : ' ▼') : null,
        ),
      );
      cell.style.width = `${c.width}px`;
      return cell;
    };
    const pinned = data.columns[0];
    if (pinned) cells.push(headerCell(pinned, 0, true));
    cells.push(this.spacer(data, from));
    for (let i = from; i < to; i++) cells.push(headerCell(data.columns[i]!, i, false));
    this.header.replaceChildren(...cells);
    this.header.style.height = `${HEADER_HEIGHT}px`;
  }

  private rowElement(data: GridData, index: number, from: number, readers: ((row: RunRow) => CellValue)[]): HTMLElement {
    const d = data.rows[index]!;
    const row = data.model.rows.get(d.runId);
    const selected = data.selected.has(d.runId);
    const element = el('div', {
      className: `row${selected ? ' selected' : ''}${index === this.active ? ' active' : ''}${index % 2 ? ' odd' : ''}`,
      attrs: {
        role: 'row',
        id: `row-${index}`,
        'aria-rowindex': String(index + 2),
        'aria-selected': String(selected),
        'data-run-id': d.runId,
        'data-depth': String(d.depth),
      },
      on: {
        click: (e) => {
          if ((e.target as HTMLElement).closest('button, input')) return;
          this.active = index;
          this.actions.select(d.runId, e.shiftKey ? 'range' : e.ctrlKey || e.metaKey ? 'toggle' : 'only');
        },
        dblclick: () => this.actions.openRun(d.runId),
      },
    });
    element.style.top = `${index * ROW_HEIGHT}px`;
    element.style.width = `${this.totalWidth}px`;
    if (!row) return element;
    element.append(this.nameCell(data, d, row.runName, selected), this.spacer(data, from));
    for (let k = 0; k < readers.length; k++) {
      const i = from + k;
      const c = data.columns[i]!;
      const value = readers[k]!(row);
      const pending = value === null && data.pendingRanges.has(c.id);
      const text = pending ? '…' : formatCell(value, c);
      const cell = el(
        'div',
        {
          className: `cell${c.numeric ? ' num' : ''}${c.id === 'attr:status' ? ` status ${STATUS_CLASS[row.status] ?? ''}` : ''}`,
          attrs: { role: 'gridcell', 'aria-colindex': String(i + 1) },
        },
        text,
      );
      if (text.length > 12) cell.title = text;
      cell.style.width = `${c.width}px`;
      element.append(cell);
    }
    return element;
  }

  private nameCell(data: GridData, d: DisplayRow, name: string, selected: boolean): HTMLElement {
    const pinned = data.columns[0]!;
    const box = el('input', {
      attrs: { type: 'checkbox', 'aria-label': `Select ${name}`, tabindex: '-1' },
      on: { change: () => this.actions.select(d.runId, 'toggle') },
    });
    box.checked = selected;
    const twisty =
      d.children > 0
        ? el(
            'button',
            {
              className: 'twisty',
              attrs: { type: 'button', tabindex: '-1', 'aria-label': d.expanded ? `Collapse ${name}` : `Expand ${name}`, 'aria-expanded': String(d.expanded) },
              on: { click: () => this.actions.toggleExpanded(d.runId) },
            },
            d.expanded ? '▾' : '▸',
          )
        : el('span', { className: 'twisty leaf', attrs: { 'aria-hidden': 'true' } });
    const link = el(
      'button',
      { className: 'run-link', attrs: { type: 'button', tabindex: '-1', title: `Open ${name}` }, on: { click: () => this.actions.openRun(d.runId) } },
      name,
    );
    const count =
      d.children > 0
        ? el('span', { className: 'child-count', attrs: { title: `${d.children} nested run${d.children === 1 ? '' : 's'}` } }, String(d.children))
        : null;
    const cell = el('div', { className: 'cell pinned name', attrs: { role: 'rowheader', 'aria-colindex': '1' } }, box, twisty, link, count);
    cell.style.width = `${pinned.width}px`;
    cell.style.paddingLeft = `${4 + d.depth * INDENT}px`;
    return cell;
  }

  private scrollToActive(): void {
    const y = this.active * ROW_HEIGHT;
    const view = this.element.clientHeight - HEADER_HEIGHT;
    if (y < this.element.scrollTop) this.element.scrollTop = y;
    else if (y + ROW_HEIGHT > this.element.scrollTop + view) this.element.scrollTop = y + ROW_HEIGHT - view;
  }

  /** Arrows move the cursor, Space selects, Enter opens, Left/Right collapse/expand nested runs. */
  private onKey(e: KeyboardEvent): void {
    const rows = this.data?.rows ?? [];
    if (rows.length === 0) return;
    const page = Math.max(1, Math.floor(this.element.clientHeight / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, Home: -rows.length, End: rows.length };
    const current = rows[this.active];
    if (e.key in moves) {
      this.active = Math.max(0, Math.min(rows.length - 1, this.active + moves[e.key]!));
      if (e.shiftKey) this.actions.select(rows[this.active]!.runId, 'range');
    } else if (e.key === ' ' && current) {
      this.actions.select(current.runId, 'toggle');
    } else if (e.key === 'Enter' && current) {
      this.actions.openRun(current.runId);
    } else if ((e.key === 'ArrowRight' && current?.children && !current.expanded) || (e.key === 'ArrowLeft' && current?.expanded)) {
      this.actions.toggleExpanded(current.runId);
    } else {
      return;
    }
    e.preventDefault();
    this.scrollToActive();
    this.render();
  }
}
