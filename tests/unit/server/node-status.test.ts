import { describe, expect, it } from 'vitest';
import type { NodeSnapshot } from '../../../core/node/observed-state';
import { nodeDefaults } from '../../../server/node-options';
import { ReachabilityWatch, settingsNote, statusKey, statusLine, UNREACHABLE_GRACE_MS } from '../../../server/node-status';
import { SETTING_KEYS, type SettingSource, type SettingSources } from '../../../server/setting-sources';

const N = 'n' + 'a'.repeat(26);
const P = 'n' + 'b'.repeat(26);

function snapshot(parts: { signaling?: string; error?: string | null; relay?: string; peers?: string[] } = {}): NodeSnapshot {
  return {
    nodeId: N,
    userId: 'u' + 'a'.repeat(26),
    signaling: { endpoints: [{ url: 'http://127.0.0.1:9000/peerjs', state: parts.signaling ?? 'open', lastError: parts.error ?? null }] },
    rendezvous: { room: 'default', relays: [{ url: 'http://127.0.0.1:9000/gun', state: parts.relay ?? 'open' }] },
    peers: (parts.peers ?? []).map((nodeId) => ({ nodeId, state: 'ready' })),
  } as unknown as NodeSnapshot;
}

describe('meshdeck-node status', () => {
  it('puts the node, its endpoints and its ready peers on one line', () => {
    expect(statusLine(snapshot({ peers: [P] }), 8)).toBe(
      `status: node ${N} user u${'a'.repeat(26)} | signaling http://127.0.0.1:9000/peerjs open | relays http://127.0.0.1:9000/gun open | room default | peers 1/8: ${P}`,
    );
  });

  it('ends with the settings that differ from the defaults or that the dashboard set, each with where it came from', () => {
    const defaults = nodeDefaults();
    const sources = (given: Partial<Record<keyof typeof defaults, SettingSource>>) =>
      Object.fromEntries(SETTING_KEYS.map((key) => [key, given[key] ?? 'default'])) as SettingSources;
    const settings = {
      ...defaults,
      signalingUrl: 'http://127.0.0.1:1/peerjs',
      room: 'lab',
      maxPeers: 16,
      trustedOnly: true,
      iceServers: [{ urls: 'stun:127.0.0.1' }],
      pauseIncoming: false,
      signalingStop: { until: Date.UTC(2030, 0, 1, 12) },
    };
    const note = settingsNote(settings, defaults, sources({ signalingUrl: 'flag', room: 'dashboard', maxPeers: 'config', trustedOnly: 'dashboard', iceServers: 'config', pauseIncoming: 'dashboard', signalingStop: 'dashboard' }));
    expect(note).toBe(
      'signaling (flag), room lab (dashboard), max peers 16 (config), ICE servers 1 (config), pause incoming off (dashboard), trusted peers only on (dashboard), signaling stopped until 2030-01-01T12:00:00Z (dashboard)',
    );
    expect(statusLine(snapshot(), 16, note)).toMatch(/ \| room default \| peers 0\/16 \| settings: signaling \(flag\), room lab \(dashboard\), /);
    expect(settingsNote(defaults, defaults, sources({ room: 'config', routing: 'config' }))).toBe('');
    expect(statusLine(snapshot(), 8, '')).toMatch(/\| peers 0\/8$/);
  });

  it('changes its key when peers or endpoint reachability change, not otherwise', () => {
    expect(statusKey(snapshot())).toBe(statusKey(snapshot()));
    expect(statusKey(snapshot({ peers: [P] }))).not.toBe(statusKey(snapshot()));
    expect(statusKey(snapshot({ relay: 'closed' }))).not.toBe(statusKey(snapshot()));
  });

  it('warns once per outage: at the first error, or after the grace period; and says when it is back', () => {
    let now = 0;
    const watch = new ReachabilityWatch(() => now);
    expect(watch.update(snapshot({ signaling: 'connecting', relay: 'connecting' }))).toEqual({ warnings: [], notes: [] });
    const failed = watch.update(snapshot({ signaling: 'error', error: 'network: Lost connection to server.', relay: 'connecting' }));
    expect(failed.warnings).toEqual(['cannot reach the signaling server http://127.0.0.1:9000/peerjs: network: Lost connection to server.; retrying']);
    now = UNREACHABLE_GRACE_MS;
    expect(watch.update(snapshot({ signaling: 'error', error: 'again', relay: 'connecting' })).warnings).toEqual([
      'cannot reach the relay http://127.0.0.1:9000/gun: not open after 5 s; retrying',
    ]);
    expect(watch.update(snapshot()).notes).toEqual([
      'signaling server http://127.0.0.1:9000/peerjs reachable again',
      'relay http://127.0.0.1:9000/gun reachable again',
    ]);
    expect(watch.update(snapshot())).toEqual({ warnings: [], notes: [] });
  });
});
