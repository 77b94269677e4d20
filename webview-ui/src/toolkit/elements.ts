/**
 * The only module that touches @vscode-elements/elements, the successor of the deprecated
 * webview-ui-toolkit (which the older panels keep using through components.ts). The run explorer's
 * pages call these small factories, so a later change of library means rewriting this file alone.
 * Text goes in as text nodes or properties, never as markup.
 */
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-tree-item/index.js';
import '@vscode-elements/elements/dist/vscode-tree/index.js';

export interface ButtonOptions {
  secondary?: boolean;
  title?: string;
  disabled?: boolean;
  testId?: string;
}

export function button(label: string, onClick: () => void, options: ButtonOptions = {}): HTMLElement {
  const b = document.createElement('vscode-button');
  b.textContent = label;
  if (options.secondary) b.setAttribute('secondary', '');
  if (options.title) b.title = options.title;
  if (options.testId) b.dataset.testid = options.testId;
  setDisabled(b, options.disabled ?? false);
  b.addEventListener('click', () => {
    if (!b.hasAttribute('disabled')) onClick();
  });
  return b;
}

export function setDisabled(control: HTMLElement, disabled: boolean): void {
  if (disabled) control.setAttribute('disabled', '');
  else control.removeAttribute('disabled');
}

export interface TextField {
  element: HTMLElement;
  value(): string;
  setValue(value: string): void;
  setInvalid(invalid: boolean): void;
}

export function textField(options: {
  label: string;
  placeholder?: string;
  value?: string;
  testId?: string;
  onInput?: (value: string) => void;
  onEnter?: (value: string) => void;
}): TextField {
  const t = document.createElement('vscode-textfield') as HTMLElement & { value: string; invalid: boolean };
  t.setAttribute('aria-label', options.label);
  if (options.placeholder) t.setAttribute('placeholder', options.placeholder);
  if (options.testId) t.dataset.testid = options.testId;
  t.value = options.value ?? '';
  t.addEventListener('input', () => options.onInput?.(t.value));
  t.addEventListener('keydown', (e: KeyboardEvent) => {
    if (e.key === 'Enter') options.onEnter?.(t.value);
  });
  return {
    element: t,
    value: () => t.value ?? '',
    setValue: (v) => {
      t.value = v;
    },
    setInvalid: (invalid) => {
      t.invalid = invalid;
    },
  };
}

export function textArea(options: { label: string; value: string; placeholder?: string; testId?: string; rows?: number }): {
  element: HTMLElement;
  value(): string;
  setValue(v: string): void;
} {
  const t = document.createElement('vscode-textarea') as HTMLElement & { value: string };
  t.setAttribute('aria-label', options.label);
  t.setAttribute('rows', String(options.rows ?? 4));
  t.setAttribute('resize', 'vertical');
  if (options.placeholder) t.setAttribute('placeholder', options.placeholder);
  if (options.testId) t.dataset.testid = options.testId;
  t.value = options.value;
  return {
    element: t,
    value: () => t.value ?? '',
    setValue: (v) => {
      t.value = v;
    },
  };
}

export function checkbox(label: string, checked: boolean, onChange: (checked: boolean) => void, testId?: string): HTMLElement & { checked: boolean } {
  const c = document.createElement('vscode-checkbox') as HTMLElement & { checked: boolean; label: string };
  c.label = label;
  c.checked = checked;
  if (testId) c.dataset.testid = testId;
  c.addEventListener('change', () => onChange(c.checked));
  return c;
}

/** A drop-down of fixed values; the values are text, set as properties. */
export function singleSelect(label: string, values: readonly string[], selected: string, onChange: (value: string) => void, testId?: string): HTMLElement {
  const select = document.createElement('vscode-single-select') as HTMLElement & { value: string };
  select.setAttribute('aria-label', label);
  if (testId) select.dataset.testid = testId;
  for (const value of values) {
    const o = document.createElement('vscode-option') as HTMLElement & { value: string; selected: boolean };
    o.textContent = value;
    o.value = value;
    o.selected = value === selected;
    select.append(o);
  }
  select.value = selected;
  select.addEventListener('change', () => onChange(select.value));
  return select;
}

export function progressRing(label: string): HTMLElement {
  const p = document.createElement('vscode-progress-ring');
  p.setAttribute('aria-label', label);
  return p;
}

export function badge(text: string, title?: string): HTMLElement {
  const b = document.createElement('vscode-badge');
  b.textContent = text;
  if (title) b.title = title;
  return b;
}

export interface Tabs {
  element: HTMLElement;
  select(index: number): void;
  selected(): number;
}

/** Tabs whose panels are filled when first shown (`render`), so hidden sections cost nothing. */
export function tabs(
  items: { id: string; label: string; count?: number; render: (panel: HTMLElement) => void }[],
  selected: number,
  onSelect: (index: number) => void,
): Tabs {
  const t = document.createElement('vscode-tabs') as HTMLElement & { selectedIndex: number };
  const rendered = new Set<number>();
  const panels: HTMLElement[] = [];
  items.forEach((item) => {
    const header = document.createElement('vscode-tab-header');
    header.setAttribute('slot', 'header');
    header.dataset.tab = item.id;
    header.append(item.label);
    if (item.count !== undefined) {
      const b = badge(String(item.count));
      b.setAttribute('slot', 'content-after');
      header.append(b);
    }
    const panel = document.createElement('vscode-tab-panel');
    panel.dataset.panel = item.id;
    panels.push(panel);
    t.append(header, panel);
  });
  const show = (index: number) => {
    if (!rendered.has(index) && items[index]) {
      rendered.add(index);
      items[index].render(panels[index]);
    }
  };
  t.addEventListener('vsc-tabs-select', (e: Event) => {
    const index = (e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex;
    show(index);
    onSelect(index);
  });
  t.selectedIndex = selected;
  show(selected);
  return {
    element: t,
    select: (index) => {
      t.selectedIndex = index;
      show(index);
    },
    selected: () => t.selectedIndex,
  };
}

export interface TreeNode {
  label: string;
  description?: string;
  branch: boolean;
  /** Called when a branch is first opened: fills it with child nodes. */
  load?: () => Promise<TreeNode[]>;
  onSelect?: () => void;
  testId?: string;
}

/** A tree whose folders load their children when first opened. */
export function tree(label: string, roots: TreeNode[], onError: (message: string) => void): HTMLElement {
  const t = document.createElement('vscode-tree');
  t.setAttribute('aria-label', label);
  const handlers = new WeakMap<Element, TreeNode>();
  const build = (node: TreeNode): HTMLElement => {
    const item = document.createElement('vscode-tree-item');
    item.append(node.label);
    if (node.testId) item.dataset.testid = node.testId;
    if (node.description) {
      const d = document.createElement('span');
      d.slot = 'description';
      d.textContent = node.description;
      item.append(d);
    }
    if (node.branch) item.setAttribute('branch', '');
    handlers.set(item, node);
    return item;
  };
  const loaded = new WeakSet<Element>();
  new MutationObserver((records) => {
    for (const r of records) {
      const item = r.target as HTMLElement;
      const node = handlers.get(item);
      if (!item.hasAttribute('open') || !node?.load || loaded.has(item)) continue;
      loaded.add(item);
      node.load().then(
        (children) => item.append(...children.map(build)),
        (e: unknown) => onError(e instanceof Error ? e.message : String(e)),
      );
    }
  }).observe(t, { subtree: true, attributes: true, attributeFilter: ['open'] });
  t.addEventListener('vsc-tree-select', (e: Event) => {
    // 2.x sends the selected items as the detail itself (its typings say `{ selectedItems }`).
    const detail = (e as CustomEvent<Element[] | { selectedItems: Element[] }>).detail;
    const items = Array.isArray(detail) ? detail : detail.selectedItems;
    if (items.length === 1) handlers.get(items[0])?.onSelect?.();
  });
  t.append(...roots.map(build));
  return t;
}
