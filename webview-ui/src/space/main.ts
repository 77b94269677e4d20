/**
 * The search space editor's script: the space as a table (a row per parameter: name, type, low /
 * high / step / log for ranges, choices for a categorical), rows added and removed, checked as a
 * `--space` file is on every edit with each problem on its row and field; Use or Save sends it back.
 */
import '../styles/common.css';
import '../styles/space.css';
import type { SpaceEditorState } from '../../../src/shared/space-editor-protocol';
import { spaceEditorContract } from '../../../src/shared/space-editor-protocol';
import type { SpaceField, SpaceProblem, SpaceRow } from '../../../src/shared/space-table';
import { emptyRow, SPACE_TYPES, spaceOfRows } from '../../../src/shared/space-table';
import { WebviewChannel, vscodeApi } from '../common/channel';
import { el, setStatus } from '../common/dom';
import type { TextField } from '../toolkit/elements';
import { button, checkbox, setDisabled, singleSelect, textField } from '../toolkit/elements';

const FILE_SUFFIX = '.modelops-space.json';
const api = vscodeApi();
const status = el('div', { className: 'status', attrs: { role: 'status', 'aria-live': 'polite', 'data-testid': 'status' } });
const channel = new WebviewChannel(spaceEditorContract, api, (message) =>
  setStatus(status, `Ignored a malformed message from the extension: ${message}`, 'error'),
);
const root = el('main', { attrs: { 'data-testid': 'space-root' } });
document.body.append(root);

let rows: SpaceRow[] = [];
/** The table's inputs by row and field, to mark the ones a problem names without rebuilding (which would lose the caret). */
let fields: Partial<Record<SpaceField, { setInvalid(invalid: boolean): void }>>[] = [];
const problemList = el('ul', { className: 'problems', attrs: { 'data-testid': 'problems', 'aria-live': 'polite' } });
const tableBody = el('tbody', { attrs: { 'data-testid': 'rows' } });
let fileName: TextField | undefined;
let useButton: HTMLElement | undefined;
let saveButton: HTMLElement | undefined;

type TextColumn = 'name' | 'low' | 'high' | 'step' | 'choices';

function cell(field: TextColumn, i: number, value: string, enabled: boolean, placeholder: string): HTMLElement {
  const t = textField({
    label: `${field} of row ${i + 1}`,
    value,
    placeholder,
    testId: `${field}-${i}`,
    onInput: (v) => {
      rows[i] = { ...rows[i], [field]: v };
      check();
    },
  });
  setDisabled(t.element, !enabled);
  fields[i][field] = t;
  return el('td', { className: field }, t.element);
}

function rowElement(r: SpaceRow, i: number): HTMLElement {
  fields[i] = {};
  const range = r.type !== 'categorical';
  const type = singleSelect(
    `type of row ${i + 1}`,
    SPACE_TYPES,
    r.type,
    (v) => {
      rows[i] = { ...rows[i], type: v as SpaceRow['type'] };
      render();
    },
    `type-${i}`,
  );
  const log = checkbox('', r.log, (on) => {
    rows[i] = { ...rows[i], log: on };
    check();
  });
  // The column header says what it is; each row's box is named for screen readers only.
  log.setAttribute('aria-label', `log scale of row ${i + 1}`);
  log.dataset.testid = `log-${i}`;
  setDisabled(log, !range);
  fields[i].log = { setInvalid: (bad) => log.classList.toggle('invalid', bad) };
  const remove = button(
    'Remove',
    () => {
      rows.splice(i, 1);
      render();
    },
    { secondary: true, title: `Remove row ${i + 1}`, testId: `remove-${i}` },
  );
  return el(
    'tr',
    { attrs: { 'data-row': String(i) } },
    el('td', { className: 'index num' }, String(i + 1)),
    cell('name', i, r.name, true, 'rf.maxDepth'),
    el('td', { className: 'type' }, type),
    cell('low', i, r.low, range, range ? 'low' : ''),
    cell('high', i, r.high, range, range ? 'high' : ''),
    cell('step', i, r.step, range, range ? 'none' : ''),
    el('td', { className: 'log' }, log),
    cell('choices', i, r.choices, !range, range ? '' : 'a, b, 0.5, null'),
    el('td', { className: 'actions' }, remove),
  );
}

/** Checks the rows as a file would be; marks each named field and lists the problems; Use and Save wait for none. */
function check(): { space?: Record<string, unknown>; problems: SpaceProblem[] } {
  const result = spaceOfRows(rows);
  for (const f of fields) for (const input of Object.values(f)) input?.setInvalid(false);
  for (const p of result.problems) fields[p.row]?.[p.field]?.setInvalid(true);
  problemList.replaceChildren(...result.problems.map((p) => el('li', { attrs: { 'data-row': String(p.row), 'data-field': p.field } }, p.message)));
  const name = fileName?.value().trim() ?? '';
  const badName = !name.endsWith(FILE_SUFFIX) || name === FILE_SUFFIX || /[\\/]/.test(name);
  fileName?.setInvalid(badName);
  if (useButton) setDisabled(useButton, result.problems.length > 0);
  if (saveButton) setDisabled(saveButton, result.problems.length > 0 || badName);
  return result;
}

function render(): void {
  fields = [];
  tableBody.replaceChildren(...rows.map(rowElement));
  check();
}

async function send(kind: 'use' | 'save'): Promise<void> {
  const { space } = check();
  if (!space) return;
  setStatus(status, kind === 'use' ? 'Checking the space…' : 'Saving…');
  try {
    const r =
      kind === 'use' ? await channel.request('space/use', { space }) : await channel.request('space/save', { space, fileName: fileName?.value().trim() ?? '' });
    setStatus(status, r.message, r.outcome === 'refused' ? 'error' : 'info');
  } catch (e) {
    setStatus(status, e instanceof Error ? e.message : String(e), 'error');
  }
}

function show(state: SpaceEditorState): void {
  rows = state.rows.map((r) => ({ ...r }));
  fileName = textField({ label: 'File name', value: state.fileName, placeholder: `name${FILE_SUFFIX}`, testId: 'file-name', onInput: () => check() });
  useButton = button('Use for this Tune', () => void send('use'), { testId: 'use', title: 'Tune with this space without saving it' });
  saveButton = button('Save as File and Use', () => void send('save'), {
    secondary: true,
    testId: 'save',
    title: `Write it into the workspace folder (${FILE_SUFFIX})`,
  });
  const cancel = button('Cancel', () => channel.notify('space/cancel', {}), { secondary: true, testId: 'cancel' });
  const head = ['#', 'Name', 'Type', 'Low', 'High', 'Step', 'Log', 'Choices', ''].map((h) => el('th', {}, h));
  root.replaceChildren(
    el('h1', {}, 'Search space'),
    el(
      'p',
      { className: 'subtitle', attrs: { 'data-testid': 'source' } },
      `From ${state.source}. Each row is a parameter every trial draws: a range (float or int; log-scaled, or in steps) or a list of choices.`,
    ),
    el('table', { className: 'space-table' }, el('thead', {}, el('tr', {}, ...head)), tableBody),
    el(
      'div',
      { className: 'toolbar' },
      button(
        'Add Parameter',
        () => {
          rows.push(emptyRow());
          render();
        },
        { secondary: true, testId: 'add' },
      ),
    ),
    problemList,
    el('div', { className: 'toolbar footer' }, el('label', { className: 'file-label' }, 'File', fileName.element), useButton, saveButton, cancel),
    status,
  );
  render();
}

channel.onNotification('space/state', show);
channel.ready();
