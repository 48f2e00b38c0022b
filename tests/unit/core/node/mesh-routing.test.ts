/**
 * The node's mesh routing alone, on the fake clock: routers of two nodes joined through stand-in
 * sessions, a neighbour's score lost for forged routes, and the event log's line for each mesh ping.
 */
import { describe, expect, it } from 'vitest';
import { MeshRouting } from '../../../../core/node/mesh-routing';
import { AccessLists } from '../../../../core/node/access-lists';
import { PeerScores, SCORE_DISCONNECT_AT, SCORE_PENALTIES } from '../../../../core/node/peer-scores';
import { SessionTable } from '../../../../core/node/session-table';
import { RecordTable } from '../../../../core/discovery/record-table';
import { IdentityVerifier, importPublicKey, type Identity } from '../../../../core/identity/identity';
import { fromBase64Url } from '../../../../core/lib/encoding';
import { EventLog } from '../../../../core/lib/event-log';
import type { PeerSession } from '../../../../core/session/peer-session';
import type { RoutedMessage } from '../../../../core/session/wire';
import { FakeClock, eventually } from '../../../support/fake-clock';
import { makeIdentity } from '../../../support/identities';
import { pinnedRandom } from '../../../support/pinned-random';

/** One node's routing, over its own session table, scores and log. */
function node(identity: Identity, clock: FakeClock) {
  const sessions = new SessionTable();
  const log = new EventLog(clock);
  const scores = new PeerScores(() => clock.monotonic());
  const records = new RecordTable(identity.nodeId, new IdentityVerifier(), clock);
  const access = new AccessLists({ selfUserId: identity.userId, trustedOnly: () => false, log });
  let changes = 0;
  const routing = new MeshRouting({
    identity,
    clock,
    sessions,
    records,
    access,
    routingEnabled: () => true,
    log,
    scores,
    changed: () => void changes++,
    random: pinnedRandom(),
  });
  return { identity, sessions, log, scores, routing, changes: () => changes };
}

type Node = ReturnType<typeof node>;

/** Makes `to` a ready neighbour of `at`: what `at` sends it reaches `to`'s routing on the next microtask. */
async function neighbour(at: Node, to: Node, closes: [string, string, string | null][] = []): Promise<void> {
  const nodeKey = await importPublicKey(fromBase64Url(to.identity.nodePub));
  const session = {
    remoteId: to.identity.nodeId,
    isReady: true,
    peer: { nodeKey, userId: to.identity.userId },
    send: (message: RoutedMessage) => queueMicrotask(() => void to.routing.receive(structuredClone(message), at.identity.nodeId)),
    close: (reason: string, error: string | null = null) => void closes.push([to.identity.nodeId, reason, error]),
  };
  at.sessions.add(session as unknown as PeerSession);
}

async function pair() {
  const clock = new FakeClock();
  const a = node((await makeIdentity()).identity, clock);
  const b = node((await makeIdentity()).identity, clock);
  return { clock, a, b };
}

describe('MeshRouting', () => {
  it('a neighbour sending forged routes loses score for each, and at the threshold its connection closes with bye limit', async () => {
    const { a, b } = await pair();
    const closes: [string, string, string | null][] = [];
    await neighbour(a, b, closes);
    const src = b.identity.nodeId;
    const forged = (i: number): RoutedMessage => ({ t: 'route', id: `ForgedRouteId${String(i).padStart(3, '0')}`, src, dst: a.identity.nodeId, ttl: 8, path: [src], body: { k: 'data' }, sig: 'A'.repeat(86) });
    const strikes = -SCORE_DISCONNECT_AT / SCORE_PENALTIES.invalidMessage;
    for (let i = 0; i < strikes - 1; i++) await a.routing.receive(forged(i), src);
    expect(closes).toEqual([]);
    expect(a.log.all().filter((e) => e.type === 'peer:penalty')).toHaveLength(strikes - 1);
    await a.routing.receive(forged(strikes), src);
    expect(closes).toEqual([[src, 'limit', `peer score ${SCORE_DISCONNECT_AT}: bad route signature from ${src}`]]);
    expect(a.routing.counters.dropped).toBe(strikes);
    expect(a.changes()).toBe(strikes);
  });

  it('logs a mesh ping with its round trip and path', async () => {
    const { a, b } = await pair();
    await neighbour(a, b);
    await neighbour(b, a);
    const result = await a.routing.ping(b.identity.nodeId);
    expect(result.path).toEqual([a.identity.nodeId, b.identity.nodeId]);
    expect(a.log.all().at(-1)).toMatchObject({ level: 'info', type: 'mesh:ping', message: `mesh ping 0 ms via ${a.identity.nodeId} → ${b.identity.nodeId}`, nodeId: b.identity.nodeId });
  });

  it('logs a mesh ping that failed, in words, and still throws', async () => {
    const { a, b } = await pair();
    await expect(a.routing.ping(b.identity.nodeId)).rejects.toMatchObject({ name: 'MeshPingError' });
    await eventually(() => a.log.all().length > 0, 'the line');
    expect(a.log.all().at(-1)).toMatchObject({ level: 'warn', type: 'mesh:ping', message: 'mesh ping failed: no ready neighbour to send the ping through' });
  });
});
