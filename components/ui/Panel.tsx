import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';
import './panel.css';

interface PanelProps {
  /** The heading, which is also the region's accessible name (docs/ui-contract.md): keep it exact. */
  title: string;
  /** Which panel: its section id (the section navigation's target) and its class `panel-<area>`. */
  area: string;
  /** The heading's id, when something inside refers to it (a table named by it). */
  headingId?: string;
  children: ComponentChildren;
}

/** The id of a dashboard section: the target of the section navigation's links. */
export const sectionId = (area: string): string => `section-${area}`;

/** One dashboard region: a `<section>` named by its `<h2>`, focusable for the section navigation. */
export function Panel({ title, area, headingId, children }: PanelProps) {
  const generated = useId();
  const id = headingId ?? generated;
  return (
    <section id={sectionId(area)} tabIndex={-1} class={`panel panel-${area}`} aria-labelledby={id} data-panel={area}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}
