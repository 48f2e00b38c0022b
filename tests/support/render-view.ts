/**
 * Renders a Preact view into a document of its own for unit tests of components. The unit suite runs
 * under Node without a browser; linkedom gives the DOM that Preact writes to, so a test reads the
 * elements, attributes and texts a browser would get.
 */
import { parseHTML } from 'linkedom';
import { render, type ComponentChild } from 'preact';

interface RenderedView {
  /** The element the view was rendered into. */
  root: HTMLElement;
  /** Renders `view` again into the same root: Preact diffs it against the last render. */
  rerender(view: ComponentChild): void;
}

export function renderView(view: ComponentChild): RenderedView {
  const { document } = parseHTML('<!doctype html><html><body><div id="root"></div></body></html>');
  const root = document.getElementById('root') as unknown as HTMLElement;
  render(view, root);
  return { root, rerender: (next) => render(next, root) };
}

/**
 * An attribute by its HTML name. A browser lowercases the names Preact sets (`tabIndex`, `colSpan`);
 * linkedom keeps their case, so getAttribute('tabindex') would miss them there.
 */
export function attribute(el: Element, name: string): string | null {
  return [...el.attributes].find((a) => a.name.toLowerCase() === name)?.value ?? null;
}
