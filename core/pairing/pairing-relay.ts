/**
 * The node host's part in pairing: it finds and holds the direct connection to the other browser, and
 * carries the sealed messages between that connection and the background (pairing-exchange.ts),
 * which alone can read them.
 */
import type { Clock } from '../lib/clock';
import type { MeshNode, NodeEvents } from '../node/node';
import type { PeerSession } from '../session/peer-session';
import type { Pair } from '../session/wire';
import { PairingError, type PairingLink } from './pairing-exchange';

/** How long finding and connecting to the offering browser may take. */
export const PAIRING_CONNECT_MS = 15_000;
/** How long the other browser may take to answer (it derives keys: a few hundred ms). */
export const PAIRING_ANSWER_MS = 20_000;

export class PairingRelay {
  constructor(
    private readonly node: MeshNode,
    private readonly clock: Clock,
  ) {}

  /** A ready connection to the node whose ID starts with `n` + nodePrefix, dialled if need be. */
  async connect(nodePrefix: string): Promise<PairingLink> {
    const prefix = `n${nodePrefix}`;
    const matches = (nodeId: string) => nodeId.startsWith(prefix);
    const ready = this.node.readySessions().find((session) => matches(session.remoteId));
    if (ready) return linkOf(ready);
    // A node that has just started (or restarted under a new certificate) may not have heard the
    // offering browser's record yet: wait for it, within the same limit.
    const known = this.node.snapshot().discovered.find((node) => matches(node.nodeId))?.nodeId;
    const nodeId =
      known ??
      (await this.next(
        'state:change',
        (snapshot) => snapshot.discovered.find((node) => matches(node.nodeId))?.nodeId,
        PAIRING_CONNECT_MS,
        'no browser with that code is in the room: is it on, with Meshdeck enabled, in the same room?',
      ));
    const session = this.next(
      'peer:ready',
      (candidate) => (candidate.remoteId === nodeId ? candidate : undefined),
      PAIRING_CONNECT_MS,
      `the browser showing the code did not connect within ${PAIRING_CONNECT_MS / 1000} s`,
    );
    this.node.dial(nodeId, { userAsked: true });
    return linkOf(await session);
  }

  /** Sends `message` on the ready connection to `nodeId`; resolves with the pairing message answering it. */
  exchange(nodeId: string, message: Pair): Promise<Pair> {
    const session = this.node.readySessions().find((candidate) => candidate.remoteId === nodeId);
    if (!session) return Promise.reject(new PairingError('the connection to the other browser closed'));
    const answer = this.next(
      'peer:pair',
      ({ session: from, message: reply }) => (from.remoteId === nodeId && reply.step !== 'join' ? reply : undefined),
      PAIRING_ANSWER_MS,
      `the other browser did not answer within ${PAIRING_ANSWER_MS / 1000} s`,
    );
    session.send(message);
    return answer;
  }

  /** Resolves with what `pick` returns for the node's next `event` it accepts (not undefined), or rejects after `ms`. */
  private next<E extends keyof NodeEvents, T>(event: E, pick: (payload: NodeEvents[E]) => T | undefined, ms: number, timeoutMessage: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        off();
        reject(new PairingError(timeoutMessage));
      }, ms);
      const off = this.node.events.on(event, (payload) => {
        const picked = pick(payload);
        if (picked === undefined) return;
        off();
        this.clock.clearTimeout(timer);
        resolve(picked);
      });
    });
  }
}

function linkOf(session: PeerSession): PairingLink {
  const binding = session.channelBinding();
  if (!binding) throw new PairingError('the connection to the other browser is not ready');
  return { nodeId: session.remoteId, binding };
}
