/**
 * The runs table's columns: the run's own attributes, then one column per metric (its latest value,
 * and on request its min and max over every step), param and tag. Which are shown is the default
 * rule below plus what the user changed (remembered per experiment). Pure: no DOM.
 */
import type { KeyLists, SavedView } from './runs-protocol';

export type ColumnKind = 'attr' | 'metric' | 'param' | 'tag';
export type MetricAggregate = 'last' | 'min' | 'max';
export type AttributeKey = 'name' | 'status' | 'start' | 'duration' | 'user' | 'source';

export interface ColumnDef {
  /** Stable id: `attr:status`, `metric:acc`, `metric:acc:min`, `param:lr`, `tag:team`. */
  id: string;
  kind: ColumnKind;
  key: string;
  aggregate?: MetricAggregate;
  label: string;
  /** Right-aligned, sorted as numbers. */
  numeric: boolean;
  width: number;
  /** Shown unless the user hid it: attributes, latest metric values and params; not tags, min or max. */
  defaultVisible: boolean;
}

export const ATTRIBUTE_COLUMNS: readonly ColumnDef[] = [
  { id: 'attr:name', kind: 'attr', key: 'name', label: 'Run', numeric: false, width: 240, defaultVisible: true },
  { id: 'attr:status', kind: 'attr', key: 'status', label: 'Status', numeric: false, width: 92, defaultVisible: true },
  { id: 'attr:start', kind: 'attr', key: 'start', label: 'Started', numeric: false, width: 162, defaultVisible: true },
  { id: 'attr:duration', kind: 'attr', key: 'duration', label: 'Duration', numeric: true, width: 84, defaultVisible: true },
  { id: 'attr:user', kind: 'attr', key: 'user', label: 'User', numeric: false, width: 100, defaultVisible: true },
  { id: 'attr:source', kind: 'attr', key: 'source', label: 'Source', numeric: false, width: 150, defaultVisible: true },
];

/** The run name column stays at the left edge while the rest scroll sideways. */
export const PINNED_COLUMN_ID = 'attr:name';

const AGGREGATE_LABEL: Record<MetricAggregate, string> = { last: '', min: ' (min)', max: ' (max)' };

export function metricColumnId(key: string, aggregate: MetricAggregate): string {
  return aggregate === 'last' ? `metric:${key}` : `metric:${key}:${aggregate}`;
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every column the experiment's runs offer, in display order: attributes, metrics, params, tags. */
export function allColumns(keys: KeyLists): ColumnDef[] {
  const out: ColumnDef[] = [...ATTRIBUTE_COLUMNS];
  for (const key of [...keys.metrics].sort(byName)) {
    for (const aggregate of ['last', 'min', 'max'] as const) {
      out.push({
        id: metricColumnId(key, aggregate),
        kind: 'metric',
        key,
        aggregate,
        label: key + AGGREGATE_LABEL[aggregate],
        numeric: true,
        width: 110,
        defaultVisible: aggregate === 'last',
      });
    }
  }
  for (const key of [...keys.params].sort(byName))
    out.push({ id: `param:${key}`, kind: 'param', key, label: key, numeric: false, width: 110, defaultVisible: true });
  for (const key of [...keys.tags].sort(byName))
    out.push({ id: `tag:${key}`, kind: 'tag', key, label: key, numeric: false, width: 140, defaultVisible: false });
  return out;
}

export function isVisible(column: ColumnDef, view: Pick<SavedView, 'shown' | 'hidden'>): boolean {
  if (column.id === PINNED_COLUMN_ID) return true;
  return column.defaultVisible ? !view.hidden.includes(column.id) : view.shown.includes(column.id);
}

/** The view after the user ticked or unticked a column: only departures from the default are kept. */
export function setVisible(view: SavedView, column: ColumnDef, visible: boolean): SavedView {
  const shown = view.shown.filter((id) => id !== column.id);
  const hidden = view.hidden.filter((id) => id !== column.id);
  if (visible && !column.defaultVisible) shown.push(column.id);
  if (!visible && column.defaultVisible) hidden.push(column.id);
  return { ...view, shown, hidden };
}

/** Shows or hides every column of one kind (the chooser's per-group buttons). */
export function setGroupVisible(view: SavedView, columns: readonly ColumnDef[], visible: boolean): SavedView {
  let next = view;
  for (const c of columns) if (c.id !== PINNED_COLUMN_ID) next = setVisible(next, c, visible);
  return next;
}

export function groupLabel(kind: ColumnKind): string {
  return { attr: 'Attributes', metric: 'Metrics', param: 'Parameters', tag: 'Tags' }[kind];
}
