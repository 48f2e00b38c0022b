import type { ComponentChildren } from 'preact';
import { sectionId } from '../../ui/Panel';
import './overview.css';

/** The dashboard's sections in page order: the navigation under the overview. */
const SECTIONS: readonly { title: string; area: string }[] = [
  { title: 'Networking stats', area: 'stats' },
  { title: 'Connections', area: 'conns' },
  { title: 'P2P network', area: 'p2p' },
  { title: 'Signaling endpoint', area: 'signaling' },
  { title: 'Network settings', area: 'netset' },
  { title: 'Mesh controls', area: 'meshctl' },
  { title: 'Node controls', area: 'nodectl' },
  { title: 'Block list', area: 'blocklist' },
  { title: 'Trusted peers', area: 'trust' },
  { title: 'Rendezvous mesh', area: 'mesh' },
  { title: 'Files', area: 'files' },
  { title: 'Diagnostics', area: 'diag' },
];

/** A link that moves the focus (not only the scroll position) to a dashboard section. */
export function SectionLink({ area, children }: { area: string; children: ComponentChildren }) {
  const id = sectionId(area);
  const go = (event: MouseEvent): void => {
    const target = document.getElementById(id);
    if (!target) return;
    event.preventDefault();
    target.focus();
    target.scrollIntoView({ block: 'start' });
    history.replaceState(null, '', `#${id}`);
  };
  return (
    <a href={`#${id}`} onClick={go}>
      {children}
    </a>
  );
}

/** The sections a dashboard shows: a headless node's has no Files (its model has none). */
export function dashboardSections(model: { files: unknown }): readonly { title: string; area: string }[] {
  return model.files ? SECTIONS : SECTIONS.filter((section) => section.area !== 'files');
}

/** `Sections`: one link per dashboard section, for the keyboard as much as the mouse. */
export function SectionNav({ sections = SECTIONS }: { sections?: readonly { title: string; area: string }[] }) {
  return (
    <nav class="section-nav" aria-label="Sections">
      <ul>
        {sections.map(({ title, area }) => (
          <li key={area}>
            <SectionLink area={area}>{title}</SectionLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
