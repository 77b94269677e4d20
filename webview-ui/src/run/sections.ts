/** The run page's simpler sections: overview (with the editable note), params, datasets, model versions. */
import type { DatasetView, RunPage } from '../../../src/shared/run-protocol';
import { formatNumber } from '../../../src/shared/format';
import { formatDuration, formatTime } from '../../../src/shared/runs-format';
import { el } from '../common/dom';
import { button, textArea } from '../toolkit/elements';

export interface OverviewActions {
  openRun(runId: string): void;
  openRunsTable(): void;
  copy(text: string, what: string): void;
  saveNote(text: string): Promise<void>;
}

function fact(label: string, value: Node | string): HTMLElement[] {
  return [el('dt', {}, label), el('dd', {}, value)];
}

function link(text: string, onClick: () => void, title?: string): HTMLElement {
  return el('button', { className: 'link', attrs: { type: 'button', ...(title ? { title } : {}) }, on: { click: onClick } }, text);
}

export function overview(run: RunPage, writable: boolean, actions: OverviewActions): HTMLElement {
  const duration =
    run.endTime !== null
      ? formatDuration(run.endTime - run.startTime)
      : run.status === 'RUNNING'
        ? `${formatDuration(Math.max(0, Date.now() - run.startTime))} so far`
        : '—';
  const facts = el(
    'dl',
    { className: 'facts', attrs: { 'data-testid': 'overview' } },
    ...fact('Status', el('span', { className: `status-text ${run.status.toLowerCase()}` }, run.status)),
    ...fact('Started', formatTime(run.startTime)),
    ...fact('Ended', run.endTime !== null ? formatTime(run.endTime) : '—'),
    ...fact('Duration', duration),
    ...fact('User', run.userId || '—'),
    ...fact('Source', run.source ? `${run.source}${run.sourceType ? ` (${run.sourceType})` : ''}` : '—'),
    ...(run.gitCommit ? fact('Git commit', run.gitCommit) : []),
    ...fact('Experiment', link(run.experimentName, actions.openRunsTable, 'Open the runs table of this experiment')),
    ...fact('Parent run', run.parent ? link(run.parent.runName, () => actions.openRun(run.parent!.runId)) : '—'),
    ...(run.children.length
      ? fact(
          'Nested runs',
          el(
            'span',
            { className: 'children' },
            `${run.children.length}: `,
            ...run.children.slice(0, 12).flatMap((c, i) => [i ? ', ' : '', link(c.runName, () => actions.openRun(c.runId))]),
            run.children.length > 12 ? ', …' : '',
          ),
        )
      : []),
    ...fact(
      'Run ID',
      el(
        'span',
        {},
        el('code', {}, run.runId),
        ' ',
        link('copy', () => actions.copy(run.runId, 'the run id')),
      ),
    ),
    ...fact('Artifacts at', el('code', {}, run.artifactUri)),
    ...(run.lifecycleStage === 'deleted' ? fact('Lifecycle', 'deleted (restore it from "Deleted runs" in the Experiments view)') : []),
  );
  const note = textArea({
    label: 'Note',
    value: run.note,
    placeholder: writable ? 'Describe this run (Markdown is kept as text).' : 'No note.',
    testId: 'note',
    rows: 4,
  });
  if (!writable) note.element.setAttribute('readonly', '');
  const saved = el('span', { className: 'hint', attrs: { 'aria-live': 'polite' } });
  const noteSection = el(
    'section',
    { className: 'note' },
    el('h2', {}, 'Note'),
    note.element,
    writable
      ? el(
          'div',
          { className: 'toolbar' },
          button(
            'Save Note',
            () => {
              saved.textContent = 'Saving…';
              actions.saveNote(note.value()).then(
                () => (saved.textContent = 'Saved.'),
                (e: unknown) => (saved.textContent = e instanceof Error ? e.message : String(e)),
              );
            },
            { testId: 'save-note' },
          ),
          saved,
        )
      : el('p', { className: 'hint' }, run.lifecycleStage === 'deleted' ? 'A deleted run’s note cannot be changed.' : 'Trust the workspace to edit the note.'),
  );
  const tags = keyValueTable('Tags', run.tags, 'tags');
  return el('div', { className: 'overview' }, facts, noteSection, el('h2', {}, `Tags (${run.tags.length})`), tags);
}

export function keyValueTable(label: string, rows: { key: string; value: string }[], testId: string): HTMLElement {
  if (rows.length === 0) return el('p', { className: 'empty' }, `No ${label.toLowerCase()}.`);
  return el(
    'div',
    { className: 'table-scroll' },
    el(
      'table',
      { className: 'kv', attrs: { 'data-testid': testId } },
      el('tbody', {}, ...rows.map((r) => el('tr', {}, el('th', { attrs: { scope: 'row' } }, r.key), el('td', {}, r.value)))),
    ),
  );
}

export function params(run: RunPage): HTMLElement {
  const table = keyValueTable('Parameters', run.params, 'params');
  const search = el('input', {
    className: 'search',
    attrs: { type: 'search', placeholder: 'Find a parameter', 'aria-label': 'Find a parameter' },
    on: {
      input: () => {
        const q = search.value.trim().toLowerCase();
        for (const tr of table.querySelectorAll<HTMLElement>('tr')) tr.hidden = q !== '' && !(tr.textContent ?? '').toLowerCase().includes(q);
      },
    },
  });
  return el('div', {}, run.params.length > 20 ? el('div', { className: 'toolbar' }, search) : null, table);
}

function datasetCard(d: DatasetView): HTMLElement {
  const facts = el(
    'dl',
    { className: 'facts' },
    ...fact('Digest', el('code', {}, d.digest)),
    ...fact('Context', d.context || '—'),
    ...fact('Source', `${d.source}${d.sourceType ? ` (${d.sourceType})` : ''}`),
    ...(d.rows !== undefined ? fact('Rows', String(d.rows)) : []),
  );
  const schema = d.schema?.length
    ? el(
        'table',
        { className: 'kv' },
        el('thead', {}, el('tr', {}, el('th', {}, 'Column'), el('th', {}, 'Type'))),
        el('tbody', {}, ...d.schema.map((c) => el('tr', {}, el('td', {}, c.name), el('td', {}, c.type)))),
      )
    : null;
  const num = (v: number | undefined) => (v === undefined ? '' : formatNumber(v));
  const profile = d.profileColumns?.length
    ? el(
        'table',
        { className: 'kv profile', attrs: { 'data-testid': 'profile' } },
        el('thead', {}, el('tr', {}, ...['Column', 'Type', 'Missing', 'Min', 'Max', 'Mean', 'Std', 'Distinct', 'Most frequent'].map((h) => el('th', {}, h)))),
        el(
          'tbody',
          {},
          ...d.profileColumns.map((c) =>
            el(
              'tr',
              {},
              el('td', {}, c.name),
              el('td', {}, c.type),
              el('td', { className: 'num' }, num(c.missing)),
              el('td', { className: 'num' }, num(c.min)),
              el('td', { className: 'num' }, num(c.max)),
              el('td', { className: 'num' }, num(c.mean)),
              el('td', { className: 'num' }, num(c.std)),
              el('td', { className: 'num' }, num(c.distinct)),
              el('td', {}, c.top ?? ''),
            ),
          ),
        ),
      )
    : d.profileText
      ? el('pre', { className: 'text-preview' }, d.profileText)
      : null;
  return el(
    'article',
    { className: 'dataset', attrs: { 'data-testid': 'dataset' } },
    el('h2', {}, d.name),
    facts,
    schema ? el('h3', {}, 'Schema') : null,
    schema,
    profile ? el('h3', {}, 'Profile') : null,
    profile ? el('div', { className: 'table-scroll' }, profile) : null,
  );
}

export function datasets(run: RunPage): HTMLElement {
  if (run.datasets.length === 0) return el('p', { className: 'empty' }, 'This run logged no dataset inputs.');
  return el('div', {}, ...run.datasets.map(datasetCard));
}

export function versions(run: RunPage, open: (name: string, version: string) => void): HTMLElement {
  if (run.versions.length === 0)
    return el(
      'p',
      { className: 'empty', attrs: { 'data-testid': 'no-versions' } },
      'No model version was registered from this run (right-click it in the Experiments view → Register Model from Run).',
    );
  return el(
    'ul',
    { className: 'versions', attrs: { 'data-testid': 'versions' } },
    ...run.versions.map((v) =>
      el(
        'li',
        {},
        link(`${v.name} version ${v.version}`, () => open(v.name, v.version), 'Show it in the Models view'),
        ` · ${v.stage}`,
        v.aliases.length ? ` · ${v.aliases.map((a) => `@${a}`).join(' ')}` : '',
      ),
    ),
  );
}
