/** What every WebRTC link does the same way, whichever path set it up (PeerJS, GUN, tracker). */
import type { Clock } from '../lib/clock';
import type { Traffic } from '../session/link';

const CLOSE_FLUSH_POLL_MS = 20;
const CLOSE_FLUSH_MAX_POLLS = 25;
/**
 * How long a link that just sent lingers before closing, even with an empty buffer: bufferedAmount
 * can read 0 before a frame sent a moment ago left the SCTP stack (measured with @roamhq/wrtc: a
 * `bye limit` sent to a flooding peer was lost every time without it).
 */
const CLOSE_LINGER_MS = 100;

/**
 * Calls `close` once the channel's buffer drained and CLOSE_LINGER_MS passed since `lastSentAt`
 * (monotonic), or after at most 0.5 s: closing the RTCPeerConnection drops frames still queued (a bye).
 */
export function closeWhenFlushed(channel: () => RTCDataChannel | undefined, clock: Clock, lastSentAt: number, close: () => void): void {
  let polls = 0;
  const lingerUntil = lastSentAt + CLOSE_LINGER_MS;
  const poll = (): void => {
    const open = channel();
    const buffered = open?.readyState === 'open' ? open.bufferedAmount : 0;
    if ((buffered > 0 || clock.monotonic() < lingerUntil) && polls++ < CLOSE_FLUSH_MAX_POLLS) {
      clock.setTimeout(poll, CLOSE_FLUSH_POLL_MS);
      return;
    }
    close();
  };
  poll();
}

/** How long a connection waits for its closing data channel to say it is closed before it is closed anyway. */
const CHANNEL_CLOSE_WAIT_MS = 200;

/**
 * Closes `channel`, then calls `closeConnection` once the channel is closed (or after
 * CHANNEL_CLOSE_WAIT_MS). Why, when both ends close together (a shutdown): Node's WebRTC (@roamhq/wrtc)
 * cleans up a channel still open inside the connection's close, and crashed there natively (SIGSEGV)
 * while the remote was closing the same channel: meshdeck-node processes stopping together died after
 * their bye and before "stopped" (tests/integration/meshdeck-node.test.ts). Why not always: a peer
 * flooding its own sends got the channel's close before the `bye limit` sent ahead of it, which closing
 * the connection alone delivers first (bench/hostile.ts).
 */
export function closeChannelFirst(channel: RTCDataChannel | undefined, clock: Clock, closeConnection: () => void): void {
  if (channel && channel.readyState !== 'closed') channel.close();
  if (!channel || channel.readyState === 'closed') return closeConnection();
  let done = false;
  const once = (): void => {
    if (done) return;
    done = true;
    clock.clearTimeout(timer);
    // Nothing left holding the connection (Chromium counts it against its 500 until collected).
    channel.onclose = null;
    closeConnection();
  };
  const timer = clock.setTimeout(once, CHANNEL_CLOSE_WAIT_MS);
  channel.onclose = once;
}

interface StatsEntry {
  type: string;
  id: string;
  bytesReceived?: number;
  bytesSent?: number;
  selectedCandidatePairId?: string;
  localCandidateId?: string;
  remoteCandidateId?: string;
  candidateType?: string;
}

/**
 * Bytes the connection's data channels carried, and whether its selected candidate pair goes through
 * a TURN relay, from one getStats; null once it is closed.
 */
export async function readDataChannelTraffic(pc: RTCPeerConnection | undefined): Promise<Traffic | null> {
  if (!pc || pc.connectionState === 'closed') return null;
  const report = await pc.getStats();
  let traffic: Traffic | null = null;
  let pairId: string | undefined;
  report.forEach((stat: StatsEntry) => {
    if (stat.type === 'transport' && stat.selectedCandidatePairId) pairId = stat.selectedCandidatePairId;
    if (stat.type !== 'data-channel' || typeof stat.bytesReceived !== 'number') return;
    traffic ??= { bytesIn: 0, bytesOut: 0 };
    traffic.bytesIn += stat.bytesReceived;
    traffic.bytesOut += stat.bytesSent ?? 0;
  });
  const pair = pairId ? (report.get(pairId) as StatsEntry | undefined) : undefined;
  if (traffic && pair) {
    const types = [pair.localCandidateId, pair.remoteCandidateId].map((id) => (id ? (report.get(id) as StatsEntry | undefined)?.candidateType : undefined));
    (traffic as Traffic).route = types.includes('relay') ? 'relay' : 'direct';
  }
  return traffic;
}

/**
 * Calls `suspect` when ICE says `disconnected`: Chromium does so about 5 s after a peer dies, sooner
 * than any other sign. Returns the unwatch.
 */
export function watchIceSuspect(pc: RTCPeerConnection | undefined, suspect: () => void): () => void {
  if (!pc) return () => undefined;
  const onChange = (): void => {
    if (pc.iceConnectionState === 'disconnected') suspect();
  };
  pc.addEventListener('iceconnectionstatechange', onChange);
  return () => pc.removeEventListener('iceconnectionstatechange', onChange);
}
