/**
 * Small DOM helpers for the dashboard: element creation with attributes and children, and
 * finding the elements the page's HTML declares (by data-testid), failing loudly when missing.
 */

type Attrs = Record<string, string | number | boolean | undefined | null>;
type Child = Node | string | null | undefined | false;

/** Creates an element; `class`, `data-*` and other attributes go in `attrs`; false/null/undefined ones are left out. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child);
  }
  return node;
}

/** The element with this data-testid. Throws Error when the page does not have it (a bug in index.html). */
export function byTestId<T extends HTMLElement = HTMLElement>(id: string, root: ParentNode = document): T {
  const found = root.querySelector<T>(`[data-testid="${id}"]`);
  if (!found) throw new Error(`the page has no element with data-testid="${id}"`);
  return found;
}

/** Sets text content only when it changed (keeps selection and avoids layout work). */
export function setText(node: Element, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

/** Replaces the rows of a tbody (or any container) in one DOM operation. */
export function replaceRows(container: Element, rows: readonly Node[]): void {
  container.replaceChildren(...rows);
}
