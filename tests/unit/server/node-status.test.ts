import { describe, expect, it } from 'vitest';
import type { NodeSnapshot } from '../../../core/node/observed-state';
import { ReachabilityWatch, statusKey, statusLine, UNREACHABLE_GRACE_MS } from '../../../server/node-status';

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
