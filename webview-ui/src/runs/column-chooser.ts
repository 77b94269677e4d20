/**
 * The column chooser: every column the experiment offers, grouped (attributes, metrics with their
 * latest / min / max, params, tags), with a search and show-all / hide-all per group. Plain inputs:
 * a wide experiment lists 1,500 of them.
 */
import type { ColumnDef, ColumnKind } from '../../../src/shared/runs-columns';
import { groupLabel, isVisible, PINNED_COLUMN_ID, setGroupVisible, setVisible } from '../../../src/shared/runs-columns';
import type { SavedView } from '../../../src/shared/runs-protocol';
import { el } from '../common/dom';

export interface ChooserOptions {
  columns: ColumnDef[];
  view: SavedView;
  onChange(view: SavedView): void;
  onClose(): void;
}

function checkboxLabel(text: string, checked: boolean, disabled: boolean, onChange: (on: boolean) => void, columnId: string): HTMLElement {
  const input = el('input', { attrs: { type: 'checkbox', 'data-column': columnId }, on: { change: () => onChange(input.checked) } });
  input.checked = checked;
  input.disabled = disabled;
  return el('label', { className: 'choice' }, input, text);
}

export function columnChooser(o: ChooserOptions): HTMLElement {
  let view = o.view;
  const list = el('div', { className: 'chooser-list' });
  const search = el('input', {
    className: 'chooser-search',
    attrs: { type: 'search', placeholder: 'Find a column', 'aria-label': 'Find a column', 'data-testid': 'column-search' },
    on: { input: () => draw() },
  });
  const update = (next: SavedView) => {
    view = next;
    o.onChange(view);
    draw();
  };
  function groupSection(kind: ColumnKind, columns: ColumnDef[]): HTMLElement | null {
    if (columns.length === 0) return null;
    const title = el('div', { className: 'chooser-group' }, el('h3', {}, `${groupLabel(kind)} (${kind === 'metric' ? columns.length / 3 : columns.length})`));
    if (kind !== 'attr') {
      title.append(
        el(
          'button',
          {
            className: 'link',
            attrs: { type: 'button' },
            on: {
              click: () =>
                update(
                  setGroupVisible(
                    view,
                    columns.filter((c) => c.aggregate === undefined || c.aggregate === 'last'),
                    true,
                  ),
                ),
            },
          },
          'show all',
        ),
        el('button', { className: 'link', attrs: { type: 'button' }, on: { click: () => update(setGroupVisible(view, columns, false)) } }, 'hide all'),
      );
    }
    const items: HTMLElement[] = [];
    if (kind === 'metric') {
      for (let i = 0; i < columns.length; i += 3) {
        const [last, min, max] = [columns[i]!, columns[i + 1]!, columns[i + 2]!];
        items.push(
          el(
            'div',
            { className: 'metric-choice' },
            el('span', { className: 'metric-name', attrs: { title: last.key } }, last.key),
            checkboxLabel('last', isVisible(last, view), false, (on) => update(setVisible(view, last, on)), last.id),
            checkboxLabel('min', isVisible(min, view), false, (on) => update(setVisible(view, min, on)), min.id),
            checkboxLabel('max', isVisible(max, view), false, (on) => update(setVisible(view, max, on)), max.id),
          ),
        );
      }
    } else {
      for (const c of columns) items.push(checkboxLabel(c.label, isVisible(c, view), c.id === PINNED_COLUMN_ID, (on) => update(setVisible(view, c, on)), c.id));
    }
    return el('section', { attrs: { 'aria-label': groupLabel(kind) } }, title, ...items);
  }
  function draw(): void {
    const q = search.value.trim().toLowerCase();
    // Metrics match by key only, so each keeps its last / min / max together.
    const match = (c: ColumnDef) => q === '' || c.key.toLowerCase().includes(q) || (c.kind !== 'metric' && c.label.toLowerCase().includes(q));
    const byKind = (kind: ColumnKind) => o.columns.filter((c) => c.kind === kind && match(c));
    list.replaceChildren(...(['attr', 'metric', 'param', 'tag'] as const).map((k) => groupSection(k, byKind(k))).filter((s): s is HTMLElement => s !== null));
  }
  draw();
  const panel = el(
    'div',
    {
      className: 'chooser',
      attrs: { role: 'dialog', 'aria-label': 'Choose columns', 'data-testid': 'column-chooser' },
      on: {
        keydown: (e) => {
          if (e.key === 'Escape') o.onClose();
        },
      },
    },
    el(
      'div',
      { className: 'chooser-head' },
      search,
      el('button', { className: 'link', attrs: { type: 'button', 'data-testid': 'close-chooser' }, on: { click: () => o.onClose() } }, 'Done'),
    ),
    list,
  );
  queueMicrotask(() => search.focus());
  return panel;
}
