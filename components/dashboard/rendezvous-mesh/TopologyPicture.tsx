import type { ReadonlySignal } from '@preact/signals';
import { countOf, shortId } from '../../ui/format';
import { layoutCircle, type Topology, type TopologyKind } from './topology';

interface TopologyPictureProps {
  topology: ReadonlySignal<Topology | null>;
  summary: ReadonlySignal<string>;
}

const SIZE = 300;
/** Beyond this many nodes the IDs would overlap: each node keeps its tooltip only. */
const MAX_LABELS = 14;

const LEGEND: { kind: TopologyKind; text: string }[] = [
  { kind: 'self', text: 'This node' },
  { kind: 'ready', text: 'Ready neighbour' },
  { kind: 'known', text: 'Announced node' },
  { kind: 'stale', text: 'Stale record' },
  { kind: 'blocked', text: 'Blocked' },
];

const KIND_WORDS: Record<TopologyKind, string> = {
  self: 'this node',
  ready: 'ready neighbour',
  known: 'announced node',
  stale: 'stale record',
  blocked: 'blocked',
};

/**
 * The rendezvous mesh as an SVG (role img, named by its summary "5 nodes, 7 links"). Kinds differ by
 * shape and line style as well as colour: self is the big ringed dot in the middle, ready neighbours
 * are filled dots, announced nodes hollow, stale records dashed, blocked nodes crossed squares; links
 * to a stale node are dashed. The legend beside it says the same in words, with counts.
 */
export function TopologyPicture({ topology, summary }: TopologyPictureProps) {
  const t = topology.value;
  const label = summary.value;
  const labels = t ? t.nodes.length <= MAX_LABELS : false;
  // Labels need room beside the outermost nodes.
  const at = t ? layoutCircle(t.nodes, SIZE, labels ? 62 : 20) : new Map();
  const kindOf = new Map(t?.nodes.map((node) => [node.id, node.kind]));
  return (
    <div class="topology">
      <svg class="topology-svg" viewBox={`0 0 ${SIZE} ${SIZE}`} role="img" aria-label={label} data-summary={label}>
        {t?.links.map((link) => {
          const a = at.get(link.a);
          const b = at.get(link.b);
          if (!a || !b) return null;
          const stale = kindOf.get(link.a) === 'stale' || kindOf.get(link.b) === 'stale';
          return <line key={`${link.a} ${link.b}`} class={stale ? 'topo-link topo-link-stale' : 'topo-link'} x1={a.x} y1={a.y} x2={b.x} y2={b.y} />;
        })}
        {t?.nodes.map((node) => {
          const p = at.get(node.id)!;
          const anchorRight = p.x >= SIZE / 2;
          const self = node.kind === 'self';
          return (
            <g key={node.id} class={`topo-node topo-${node.kind}`} data-topology-node={node.id}>
              <title>{`${node.id} (${KIND_WORDS[node.kind]})`}</title>
              <NodeGlyph kind={node.kind} x={p.x} y={p.y} />
              {(labels || self) && (
                <text
                  class={self ? 'topo-label topo-label-self' : 'topo-label'}
                  x={p.x + (anchorRight ? 1 : -1) * (self ? 15 : 12)}
                  y={p.y + 4}
                  text-anchor={anchorRight ? 'start' : 'end'}
                >
                  {self ? 'this node' : shortId(node.id).slice(0, 7)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <ul class="legend">
        {LEGEND.map(({ kind, text }) => (
          <li key={kind}>
            <svg class="legend-glyph" viewBox="0 0 24 24" aria-hidden="true">
              <g class={`topo-node topo-${kind}`}>
                <NodeGlyph kind={kind} x={12} y={12} small />
              </g>
            </svg>
            {kind === 'self' ? text : `${text}: ${t ? t.counts[kind] : 0}`}
          </li>
        ))}
        <li>
          <svg class="legend-glyph" viewBox="0 0 24 24" aria-hidden="true">
            <line class="topo-link" x1="2" y1="12" x2="22" y2="12" />
          </svg>
          {t ? `Announced ${countOf(t.links.length, 'link')}` : 'Announced links'}
        </li>
        <li>
          <svg class="legend-glyph" viewBox="0 0 24 24" aria-hidden="true">
            <line class="topo-link topo-link-stale" x1="2" y1="12" x2="22" y2="12" />
          </svg>
          Link to a stale record
        </li>
      </ul>
    </div>
  );
}

function NodeGlyph({ kind, x, y, small = false }: { kind: TopologyKind; x: number; y: number; small?: boolean }) {
  const r = small ? 6 : kind === 'self' ? 11 : 8;
  if (kind === 'blocked') {
    return (
      <>
        <rect class="topo-shape" x={x - r} y={y - r} width={2 * r} height={2 * r} />
        <path class="topo-cross" d={`M${x - r + 3} ${y - r + 3}L${x + r - 3} ${y + r - 3}M${x + r - 3} ${y - r + 3}L${x - r + 3} ${y + r - 3}`} />
      </>
    );
  }
  return <circle class="topo-shape" cx={x} cy={y} r={r} />;
}
