import { describe, expect, it } from 'vitest';
import { nodeHealth } from '../../../../core/node/node-health';
import { badgeOf, BADGE_COLORS } from '../../../../core/control/toolbar-badge';
import { fakeSnapshot } from '../../../support/view-fixtures';
import type { NodeSnapshot } from '../../../../core/node/observed-state';

const RELAY = 'http://127.0.0.1:9000/gun';
const withRelay = (state: 'open' | 'closed' | 'connecting') => ({ ...fakeSnapshot().rendezvous, relays: [{ url: RELAY, state }] });
const signaling = (patch: Partial<NodeSnapshot['signaling']>) => ({ ...fakeSnapshot().signaling, ...patch });
const totals = (peers: number) => ({ ...fakeSnapshot().totals, peers });
const healthy = fakeSnapshot({ rendezvous: withRelay('open'), totals: totals(3) });

describe('nodeHealth', () => {
  it('is healthy with signaling, a relay and peers, and says so in the title', () => {
    expect(nodeHealth(healthy)).toEqual({ level: 'healthy', reason: null, fix: null, peers: 3, title: 'Meshdeck: 3 peers, signaling open' });
  });

  it('is off when P2P is off, whatever else is true', () => {
    expect(nodeHealth({ ...healthy, enabled: false })).toMatchObject({ level: 'off', title: 'Meshdeck: P2P off' });
  });

  it('is connecting while the first attempts run, and an error naming the fix once they failed', () => {
    const nothing = { rendezvous: withRelay('connecting') };
    expect(nodeHealth(fakeSnapshot({ ...nothing, signaling: signaling({ state: 'connecting', attempts: 1 }) })).level).toBe('connecting');
    const failed = nodeHealth(fakeSnapshot({ ...nothing, signaling: signaling({ state: 'disconnected', attempts: 2, lastError: 'server unreachable' }) }));
    expect(failed).toMatchObject({ level: 'error', fix: 'endpoint', title: 'Meshdeck: no signaling server or relay reachable' });
    expect(failed.reason).toMatch(/No signaling server or relay is reachable \(server unreachable\).*Change endpoint.*Network settings/);
    // PeerJS reports an unreachable server as an error at once: no need to wait for a retry.
    expect(nodeHealth(fakeSnapshot({ ...nothing, signaling: signaling({ state: 'error', attempts: 1 }) })).level).toBe('error');
  });

  it('is degraded, with the reason, when a part is missing but the node still works', () => {
    const noRelay = nodeHealth({ ...healthy, rendezvous: withRelay('closed') });
    expect(noRelay).toMatchObject({ level: 'degraded', fix: 'endpoint' });
    expect(noRelay.reason).toMatch(/No rendezvous relay/);
    const signalingDown = nodeHealth({ ...healthy, signaling: signaling({ state: 'disconnected', lastError: 'lost' }) });
    expect(signalingDown).toMatchObject({ level: 'degraded', fix: 'endpoint', title: 'Meshdeck: 3 peers, signaling disconnected' });
    expect(nodeHealth({ ...healthy, signaling: signaling({ stoppedByUser: true, state: 'stopped' }) })).toMatchObject({ level: 'degraded', title: 'Meshdeck: 3 peers, signaling stopped' });
  });

  it('says a lonely node needs others in its room', () => {
    const alone = nodeHealth({ ...healthy, totals: totals(0) });
    expect(alone).toMatchObject({ level: 'degraded', fix: 'network-settings', title: 'Meshdeck: 0 peers, signaling open' });
    expect(alone.reason).toMatch(/room "default"/);
  });

  it('names a failing ICE server and points at Network settings', () => {
    const ice = [{ url: 'turn:127.0.0.1:3478', state: 'failed' as const, error: 'the server refused the username or credential (401 Unauthorized)', at: 1 }];
    const health = nodeHealth({ ...healthy, ice });
    expect(health).toMatchObject({ level: 'degraded', fix: 'network-settings' });
    expect(health.reason).toContain('turn:127.0.0.1:3478: the server refused the username or credential');
  });
});

describe('badgeOf', () => {
  it('shows the ready peers on the colour of the health level', () => {
    expect(badgeOf(nodeHealth(healthy))).toEqual({ text: '3', color: BADGE_COLORS.healthy, title: 'Meshdeck: 3 peers, signaling open' });
    expect(badgeOf(nodeHealth({ ...healthy, enabled: false }))).toMatchObject({ text: 'off', color: BADGE_COLORS.off });
    expect(badgeOf(nodeHealth({ ...healthy, totals: totals(12_345) })).text).toBe('999+');
  });

  it('uses colours that keep white text legible (WCAG contrast ≥ 4.5)', () => {
    const luminance = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    for (const color of Object.values(BADGE_COLORS)) expect(1.05 / (luminance(color) + 0.05)).toBeGreaterThanOrEqual(4.5);
  });
});
