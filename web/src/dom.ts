/** The element with this id, of this type; a missing one is a bug in index.html. */
export function byId<T extends HTMLElement = HTMLElement>(
  id: string,
  type: abstract new () => T = HTMLElement as unknown as abstract new () => T,
): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`#${id} is missing from the page`);
  return element;
}

/** A new element with text content and attributes. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** A table with a header row. */
export function table(
  target: HTMLTableElement,
  header: readonly string[],
  rows: readonly (readonly (Node | string)[])[],
): void {
  const head = el('thead', {}, el('tr', {}, ...header.map((h) => el('th', { scope: 'col' }, h))));
  const body = el(
    'tbody',
    {},
    ...rows.map((row) => el('tr', {}, ...row.map((cell) => el('td', {}, cell)))),
  );
  target.replaceChildren(head, body);
}

/** Sets a progress bar's value (0–100) and its text. */
export function setProgress(bar: HTMLElement, percent: number, text?: string): void {
  const value = Math.max(0, Math.min(100, Math.round(percent)));
  bar.setAttribute('aria-valuenow', String(value));
  if (text === undefined) bar.removeAttribute('aria-valuetext');
  else bar.setAttribute('aria-valuetext', text);
  const fill = bar.firstElementChild as HTMLElement | null;
  if (fill) fill.style.width = `${value}%`;
}
