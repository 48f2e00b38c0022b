import { useId } from 'preact/hooks';
import type { Totals } from '../../core/node/observed-state';
import { formatLoss, formatMs, formatRate } from '../ui/format';

interface NetworkStatsProps {
  /** snapshot.totals; null while there is no snapshot. */
  totals: Totals | null;
}

/**
 * The `Network stats` region. Each figure is text with its label; `data-stat` marks the value for
 * e2e tests and the benchmark, and exists only once a real snapshot arrived.
 */
export function NetworkStats({ totals }: NetworkStatsProps) {
  const id = useId();
  return (
    <section class="stats" aria-labelledby={`${id}-heading`} aria-busy={totals === null}>
      <h2 id={`${id}-heading`}>Network stats</h2>
      {totals ? (
        <dl class="stat-list">
          <Stat name="peers" label="Peers connected" value={String(totals.peers)} />
          <Stat name="up" label="Upload" value={formatRate(totals.rateOut)} />
          <Stat name="down" label="Download" value={formatRate(totals.rateIn)} />
          <Stat name="latency" label="Median latency" value={formatMs(totals.medianRttMs)} />
          <Stat name="loss" label="Packet loss" value={formatLoss(totals.loss)} />
        </dl>
      ) : (
        <p class="muted">No figures yet.</p>
      )}
    </section>
  );
}

function Stat({ name, label, value }: { name: string; label: string; value: string }) {
  return (
    <div class="stat">
      <dt>{label}</dt>
      <dd data-stat={name}>{value}</dd>
    </div>
  );
}
