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
const PAIRING_ANSWER_MS = 20_000;

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
    // Listening before the dial, so that no ready event is missed. A dial that throws (outgoing
    // paused, the node blocked or offline) ends the wait at once with its error: left alone, the wait
    // would reject 15 s later with nobody listening (issue 23, item 12).
    const dialFailed = new AbortController();
    const session = this.next(
      'peer:ready',
      (candidate) => (candidate.remoteId === nodeId ? candidate : undefined),
      PAIRING_CONNECT_MS,
      `the browser showing the code did not connect within ${PAIRING_CONNECT_MS / 1000} s`,
      dialFailed.signal,
    );
    try {
      this.node.dial(nodeId, { userAsked: true });
    } catch (error) {
      dialFailed.abort(error);
    }
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

  /**
   * Resolves with what `pick` returns for the node's next `event` it accepts (not undefined), or rejects
   * after `ms`, or with `signal`'s reason when it aborts. Either way its timer and listener are gone.
   */
  private next<E extends keyof NodeEvents, T>(event: E, pick: (payload: NodeEvents[E]) => T | undefined, ms: number, timeoutMessage: string, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const end = () => {
        off();
        this.clock.clearTimeout(timer);
        signal?.removeEventListener('abort', aborted);
      };
      const aborted = () => {
        end();
        reject(signal!.reason);
      };
      const timer = this.clock.setTimeout(() => {
        end();
        reject(new PairingError(timeoutMessage));
      }, ms);
      const off = this.node.events.on(event, (payload) => {
        const picked = pick(payload);
        if (picked === undefined) return;
        end();
        resolve(picked);
      });
      signal?.addEventListener('abort', aborted);
    });
  }
}

function linkOf(session: PeerSession): PairingLink {
  const binding = session.channelBinding();
  if (!binding) throw new PairingError('the connection to the other browser is not ready');
  return { nodeId: session.remoteId, binding };
}
