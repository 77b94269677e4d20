/**
 * The only module that touches @vscode/webview-ui-toolkit. The toolkit is deprecated upstream;
 * the panels call these small factories, so swapping it (for @vscode-elements or plain HTML)
 * means rewriting this file alone.
 */
import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeDropdown,
  vsCodeOption,
  vsCodeProgressRing,
  vsCodeTextArea,
} from '@vscode/webview-ui-toolkit';

let registered = false;
export function registerToolkit(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeCheckbox(), vsCodeDropdown(), vsCodeOption(), vsCodeProgressRing(), vsCodeTextArea());
}

export interface ButtonOptions {
  appearance?: 'primary' | 'secondary' | 'icon';
  title?: string;
  disabled?: boolean;
  testId?: string;
}

export function button(label: string, onClick: () => void, options: ButtonOptions = {}): HTMLElement {
  const b = document.createElement('vscode-button');
  b.textContent = label;
  b.setAttribute('appearance', options.appearance ?? 'secondary');
  if (options.title) b.setAttribute('title', options.title);
  if (options.testId) b.dataset.testid = options.testId;
  setDisabled(b, options.disabled ?? false);
  b.addEventListener('click', () => {
    if (!b.hasAttribute('disabled')) onClick();
  });
  return b;
}

/**
 * A plain <button> styled like the toolkit's secondary button, for places that repeat per run
 * (a 500-run table has 1,000 of them): each toolkit element costs a custom-element upgrade and
 * a shadow root, which is most of the table's render time at that size.
 */
export function compactButton(label: string, onClick: () => void, options: ButtonOptions = {}): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'compact-button';
  b.textContent = label;
  if (options.title) b.title = options.title;
  if (options.testId) b.dataset.testid = options.testId;
  b.disabled = options.disabled ?? false;
  b.addEventListener('click', () => {
    if (!b.disabled) onClick();
  });
  return b;
}

export function setDisabled(control: HTMLElement, disabled: boolean): void {
  if (disabled) control.setAttribute('disabled', '');
  else control.removeAttribute('disabled');
}

export function checkbox(label: string, checked: boolean, onChange: (checked: boolean) => void, testId?: string): HTMLElement {
  const c = document.createElement('vscode-checkbox') as HTMLElement & { checked: boolean };
  c.textContent = label;
  if (checked) c.setAttribute('checked', '');
  if (testId) c.dataset.testid = testId;
  c.addEventListener('change', () => onChange(c.checked));
  return c;
}

export function dropdown(label: string, options: readonly string[], selected: string, onChange: (value: string) => void, testId?: string): HTMLElement {
  const d = document.createElement('vscode-dropdown') as HTMLElement & { value: string };
  d.setAttribute('aria-label', label);
  d.setAttribute('position', 'below');
  if (testId) d.dataset.testid = testId;
  for (const value of options) {
    const o = document.createElement('vscode-option');
    o.textContent = value;
    o.setAttribute('value', value);
    if (value === selected) o.setAttribute('selected', '');
    d.appendChild(o);
  }
  d.addEventListener('change', () => onChange(d.value));
  return d;
}

export function progressRing(label: string): HTMLElement {
  const p = document.createElement('vscode-progress-ring');
  p.setAttribute('aria-label', label);
  return p;
}

export interface TextArea {
  element: HTMLElement;
  value(): string;
  clear(): void;
}

export function textArea(label: string, placeholder: string, onInput: (value: string) => void, testId?: string): TextArea {
  const t = document.createElement('vscode-text-area') as HTMLElement & { value: string };
  t.textContent = label;
  t.setAttribute('placeholder', placeholder);
  t.setAttribute('rows', '3');
  t.setAttribute('resize', 'vertical');
  if (testId) t.dataset.testid = testId;
  t.addEventListener('input', () => onInput(t.value));
  return {
    element: t,
    value: () => t.value ?? '',
    clear: () => {
      t.value = '';
      onInput('');
    },
  };
}
