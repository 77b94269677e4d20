/**
 * The run page's artifact browser: the run's files as a tree (a folder is listed when opened) and a
 * preview beside it — text, pretty JSON, YAML, a CSV table, PNG/SVG as images (data URIs into an
 * <img>: an image runs no script), an MLmodel with its signature. Other files open in the editor.
 */
import type { ArtifactEntry, ArtifactPreview, MlModelView } from '../../../src/shared/run-protocol';
import { el } from '../common/dom';
import { button, tree } from '../toolkit/elements';
import type { TreeNode } from '../toolkit/elements';

export interface ArtifactsOptions {
  list(path: string): Promise<ArtifactEntry[]>;
  preview(path: string): Promise<ArtifactPreview>;
  open(path: string): void;
  onError(message: string): void;
}

function sizeText(n: number | null): string {
  if (n === null) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function colSpecTable(title: string, cols: MlModelView['inputs']): HTMLElement {
  return el(
    'section',
    {},
    el('h3', {}, `${title} (${cols.length})`),
    cols.length === 0
      ? el('p', { className: 'empty' }, 'none')
      : el(
          'table',
          { className: 'kv' },
          el('thead', {}, el('tr', {}, el('th', {}, 'Column'), el('th', {}, 'Type'), el('th', {}, 'Required'))),
          el('tbody', {}, ...cols.map((c) => el('tr', {}, el('td', {}, c.name), el('td', {}, c.type), el('td', {}, c.required === false ? 'no' : 'yes')))),
        ),
  );
}

function mlmodelBody(m: MlModelView): HTMLElement {
  const facts: [string, string][] = [['Flavors', m.flavors.join(', ') || '—']];
  if (m.runId) facts.push(['Run', m.runId]);
  if (m.modelUuid) facts.push(['Model UUID', m.modelUuid]);
  if (m.created) facts.push(['Created (UTC)', m.created]);
  return el(
    'div',
    { className: 'mlmodel', attrs: { 'data-testid': 'mlmodel' } },
    el('dl', { className: 'facts' }, ...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
    el('h3', {}, 'Signature'),
    el(
      'div',
      { className: 'side-by-side' },
      colSpecTable('Inputs', m.inputs),
      colSpecTable('Outputs', m.outputs),
      m.params ? colSpecTable('Params', m.params) : null,
    ),
  );
}

function previewBody(p: ArtifactPreview, open: () => void): HTMLElement {
  const parts: (HTMLElement | null)[] = [];
  if (p.message) parts.push(el('p', { className: 'hint' }, p.message));
  switch (p.kind) {
    case 'image':
      // A data URI in an <img>: CSP allows `img-src data:`, and an SVG image runs no script.
      parts.push(el('img', { className: 'artifact-image', attrs: { src: p.dataUri ?? '', alt: p.path } }));
      break;
    case 'csv': {
      const csv = p.csv ?? { header: [], rows: [] };
      parts.push(
        el(
          'div',
          { className: 'table-scroll' },
          el(
            'table',
            { className: 'csv', attrs: { 'data-testid': 'csv-preview' } },
            el('thead', {}, el('tr', {}, ...csv.header.map((h) => el('th', {}, h)))),
            el('tbody', {}, ...csv.rows.map((r) => el('tr', {}, ...r.map((c) => el('td', {}, c))))),
          ),
        ),
        el(
          'p',
          { className: 'hint' },
          `${csv.rows.length} row${csv.rows.length === 1 ? '' : 's'} shown${p.truncated || csv.rows.length >= 500 ? ' (the start of the file)' : ''}.`,
        ),
      );
      break;
    }
    case 'mlmodel':
      if (p.mlmodel) parts.push(mlmodelBody(p.mlmodel));
      parts.push(el('details', {}, el('summary', {}, 'MLmodel file'), el('pre', { className: 'text-preview' }, p.text ?? '')));
      break;
    case 'text':
    case 'json':
    case 'yaml':
      parts.push(el('pre', { className: `text-preview ${p.kind}`, attrs: { 'data-testid': 'text-preview' } }, p.text ?? ''));
      if (p.truncated) parts.push(el('p', { className: 'hint' }, 'Only the first megabyte is shown.'));
      break;
    default:
      break;
  }
  return el(
    'div',
    { className: 'preview-body', attrs: { 'data-kind': p.kind } },
    el(
      'div',
      { className: 'preview-head' },
      el('h3', {}, p.path),
      el('span', { className: 'hint' }, sizeText(p.size)),
      button('Open in Editor', open, { secondary: true, testId: 'open-artifact' }),
    ),
    ...parts,
  );
}

export class ArtifactsView {
  readonly element: HTMLElement;
  private readonly previewPane = el(
    'div',
    { className: 'artifact-preview', attrs: { 'data-testid': 'artifact-preview', 'aria-live': 'polite' } },
    el('p', { className: 'hint' }, 'Pick a file to preview it.'),
  );
  private readonly treePane = el('div', { className: 'artifact-tree', attrs: { 'data-testid': 'artifact-tree' } });
  private seq = 0;

  constructor(private readonly o: ArtifactsOptions) {
    this.element = el('div', { className: 'artifacts-split' }, this.treePane, this.previewPane);
    void this.load();
  }

  private nodes(entries: ArtifactEntry[]): TreeNode[] {
    const sorted = [...entries].sort((a, b) => Number(b.isDir) - Number(a.isDir) || (a.path < b.path ? -1 : 1));
    return sorted.map((e) => ({
      label: e.path.slice(e.path.lastIndexOf('/') + 1),
      description: e.isDir ? undefined : sizeText(e.size),
      branch: e.isDir,
      testId: `artifact:${e.path}`,
      load: e.isDir ? async () => this.nodes(await this.o.list(e.path)) : undefined,
      onSelect: e.isDir ? undefined : () => void this.show(e.path),
    }));
  }

  private async load(): Promise<void> {
    try {
      const entries = await this.o.list('');
      this.treePane.replaceChildren(
        entries.length
          ? tree('Artifacts', this.nodes(entries), this.o.onError)
          : el('p', { className: 'empty', attrs: { 'data-testid': 'no-artifacts' } }, 'This run has no artifacts.'),
      );
      this.treePane.dataset.loaded = 'true';
    } catch (e) {
      this.treePane.replaceChildren(el('p', { className: 'error' }, e instanceof Error ? e.message : String(e)));
    }
  }

  /** Previews one file (a click in the tree, or the host's reveal). */
  async show(path: string): Promise<void> {
    const seq = ++this.seq;
    this.previewPane.replaceChildren(el('p', { className: 'hint' }, `Loading ${path}…`));
    try {
      const p = await this.o.preview(path);
      if (seq !== this.seq) return;
      if (p.kind === 'external' || p.kind === 'too-large') this.o.open(path);
      this.previewPane.replaceChildren(previewBody(p, () => this.o.open(path)));
      this.previewPane.dataset.path = path;
      this.previewPane.dataset.kind = p.kind;
    } catch (e) {
      if (seq !== this.seq) return;
      this.previewPane.replaceChildren(el('p', { className: 'error' }, e instanceof Error ? e.message : String(e)));
    }
  }
}
