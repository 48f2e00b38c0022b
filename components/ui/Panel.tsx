import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';

export interface PanelProps {
  /** The heading, which is also the region's accessible name (docs/ui-contract.md): keep it exact. */
  title: string;
  /** The dashboard grid area the panel sits in (assets/meshdeck.css). */
  area: string;
  /** The heading's id, when something inside refers to it (a table named by it). */
  headingId?: string;
  children: ComponentChildren;
}

/** One dashboard region: a `<section>` named by its `<h2>`. */
export function Panel({ title, area, headingId, children }: PanelProps) {
  const generated = useId();
  const id = headingId ?? generated;
  return (
    <section class={`panel panel-${area}`} aria-labelledby={id} data-panel={area}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}
