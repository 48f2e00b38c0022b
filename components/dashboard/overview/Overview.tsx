import type { HealthFix } from '../../../core/node/node-health';
import { Panel } from '../../ui/Panel';
import { HEALTH_WORDS, type OverviewModel } from './overview-model';
import { SectionLink } from './SectionNav';
import './overview.css';

interface OverviewProps {
  overview: OverviewModel;
}

/** Where each fix lives: the panel the reason's link moves the focus to. */
const FIXES: Record<HealthFix, { label: string; area: string }> = {
  endpoint: { label: 'Go to Change endpoint', area: 'signaling' },
  'network-settings': { label: 'Go to Network settings', area: 'netset' },
};

/**
 * The `Overview` region: on/off and health with the reason, the figures a user looks for first, and
 * signaling and relay state. Health is a word and a shape as well as a colour.
 */
export function Overview({ overview }: OverviewProps) {
  const figures = overview.figures.value;
  return (
    <Panel title="Overview" area="overview">
      {figures ? (
        <>
          <div class={`overview-health health-${figures.health.level}`} data-overview="health" data-level={figures.health.level}>
            <span class="overview-mark" aria-hidden="true" />
            <strong>{HEALTH_WORDS[figures.health.level]}</strong>
            {figures.health.reason && <span class="overview-reason">{figures.health.reason}</span>}
            {figures.health.fix && <SectionLink area={FIXES[figures.health.fix].area}>{FIXES[figures.health.fix].label}</SectionLink>}
          </div>
          <dl class="overview-figures">
            <Figure name="peers" label="Peers" value={figures.peers} />
            <Figure name="up" label="Upload" value={figures.up} />
            <Figure name="down" label="Download" value={figures.down} />
            <Figure name="latency" label="Median latency" value={figures.latency} />
            <Figure name="strength" label="Strength" value={figures.strength} />
            <Figure name="signaling" label="Signaling" value={figures.signaling} />
            <Figure name="relays" label="Relays" value={figures.relays} />
          </dl>
        </>
      ) : (
        <p class="muted">Connecting to the node…</p>
      )}
    </Panel>
  );
}

function Figure({ name, label, value }: { name: string; label: string; value: string }) {
  return (
    <div class="overview-figure">
      <dt>{label}</dt>
      <dd data-overview={name}>{value}</dd>
    </div>
  );
}

