/**
 * The one way the panels build DOM: elements with text children only. Nothing here (or anywhere
 * in webview-ui) assigns innerHTML, so a run named `<img src=x onerror=alert(1)>` is just text.
 */
type Child = Node | string | null | undefined | false;

export interface ElementOptions {
  className?: string;
  attrs?: Record<string, string>;
  on?: { [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, options: ElementOptions = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.attrs) for (const [name, value] of Object.entries(options.attrs)) node.setAttribute(name, value);
  if (options.on) {
    for (const [type, handler] of Object.entries(options.on)) node.addEventListener(type, handler as EventListener);
  }
  append(node, ...children);
  return node;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

export function clear(node: Node): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}

/** Announces a message to screen readers and shows it in the panel's status line. */
export function setStatus(region: HTMLElement, text: string, kind: 'info' | 'error' = 'info'): void {
  region.textContent = text;
  region.dataset.kind = kind;
}
