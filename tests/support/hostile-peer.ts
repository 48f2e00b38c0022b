/**
 * A hostile peer in Node that speaks wire protocol v2 by hand (docs/protocol-v2.md): a raw PeerJS
 * client (serialization `raw`, JSON text frames) under its own, genuine node ID. It completes a real
 * hello/auth handshake (auth binds both DTLS fingerprints, read from its RTCPeerConnection) and answers
 * the target's pings, so it stays a ready neighbour; and then it can do what an honest node never
 * would: flood, send oversize or binary frames, forge route messages, replay an old auth.
 */
import { canonical, fromBase64Url, randomBytes, toBase64Url } from '../../core/lib/encoding';
import { importPublicKey, verifyText } from '../../core/identity/identity';
import { fingerprintsOf } from '../../core/session/fingerprint';
import { authText, WIRE_VERSION } from '../../core/session/wire';
import { makeIdentity } from './identities';
import { parseFrame, type RouteFields } from './hostile-peer-protocol';
import { registerPeer } from './raw-peerjs';

type PeerJsConnection = import('peerjs').DataConnection;
export type HostileIdentity = Awaited<ReturnType<typeof makeIdentity>>;

class HostileHandshakeError extends Error {
  override name = 'HostileHandshakeError';
}

interface HostileConnectOptions {
  /** Who the hostile peer is; a fresh node of a fresh user when absent. */
  identity?: HostileIdentity;
  /** A frame sent in place of the genuine auth (a replay). connect() then resolves as soon as it is sent. */
  auth?: string;
  /** Answer the target's pings with pongs (default true), so its heartbeat keeps the connection. */
  answerPings?: boolean;
  /** How long the handshake may take, ms (default 20 s: this machine is loaded). */
  timeoutMs?: number;
  /** Called with each frame as it arrives, from the handshake's first on. */
  onFrame?: (frame: ReceivedFrame) => void;
}

/** A parsed frame as received, with when it arrived (Date.now()). */
export interface ReceivedFrame {
  at: number;
  text: string;
  message: Record<string, unknown> | null;
}

export interface HostileConnection {
  readonly nodeId: string;
  readonly targetId: string;
  readonly identity: HostileIdentity;
  /** Every text frame the target sent us, in order. */
  readonly received: string[];
  /** The same, parsed, with arrival times. */
  readonly frames: ReceivedFrame[];
  /** Every text frame we sent through send() or the handshake, in order (hello, auth, …). */
  readonly sent: string[];
  /** The auth frame this session sent (genuine or replayed). */
  readonly authFrame: string | null;
  /** The target's hello, as received. */
  readonly targetHello: Record<string, unknown> | null;
  /** Whether the target's auth verified against its hello's key and the fingerprints we see. */
  readonly targetAuthVerified: boolean;
  /** Errors the connection or its data channel reported here (our own stack refusing a frame shows here). */
  readonly errors: string[];
  /** Resolves once the data channel (or the whole connection) closed, whichever side closed it. */
  readonly closed: Promise<void>;
  readonly isClosed: boolean;
  /** The reason of the `bye` the target sent, or null. */
  byeReason(): string | null;
  /** Sends one text frame as is, straight onto the data channel. Throws once the channel is closed. */
  send(frame: string): void;
  /** Sends one binary frame (a non-text frame: a protocol error for a v2 node). */
  sendBinary(bytes: Uint8Array): void;
  /** Bytes queued on the data channel and not yet sent. */
  readonly bufferedAmount: number;
  /**
   * Our RTCPeerConnection's state at the moment our data channel closed, or null while it is open:
   * `connected` means the channel went first (closed by one end, the connection still up).
   */
  channelClosedWhile(): string | null;
  /** Resolves with the first frame received (from now on or before) that `accept` takes; rejects after `timeoutMs`. */
  waitForFrame(accept: (message: Record<string, unknown>) => boolean, timeoutMs: number, what: string): Promise<ReceivedFrame>;
  /** Leaves: closes the connection and unregisters from the signaling server. */
  close(): void;
}

/**
 * Registers under the identity's own node ID, dials `targetNodeId` with serialization `raw`, sends a
 * genuine v2 hello, waits for the target's hello, sends auth (genuine, or `options.auth`), and resolves
 * once the target's auth arrived and the target's first ping says it holds the connection ready. With
 * `options.auth` it resolves as soon as that frame is sent: the target is expected to refuse.
 */
export async function connect(signalingUrl: string, targetNodeId: string, options: HostileConnectOptions = {}): Promise<HostileConnection> {
  const identity = options.identity ?? (await makeIdentity());
  const self = identity.identity;
  const peer = await registerPeer(signalingUrl, self.nodeId);
  const connection: PeerJsConnection = peer.connect(targetNodeId, { serialization: 'raw', reliable: true });
  const nonce = toBase64Url(randomBytes(16));
  const received: string[] = [];
  const frames: ReceivedFrame[] = [];
  const sent: string[] = [];
  const waiters = new Set<(frame: ReceivedFrame) => void>();
  const errors: string[] = [];
  let channelClosedWhile: string | null = null;
  let authFrame: string | null = null;
  let targetHello: Record<string, unknown> | null = null;
  let targetAuthVerified = false;
  let bye: string | null = null;
  let isClosed = false;
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => {
    markClosed = () => {
      if (isClosed) return;
      isClosed = true;
      resolve();
    };
  });

  const channel = () => {
    const dc = connection.dataChannel as RTCDataChannel | undefined;
    if (!dc || dc.readyState !== 'open') throw new Error('the data channel is not open');
    return dc;
  };
  const send = (frame: string) => {
    channel().send(frame);
    sent.push(frame);
  };

  const handle: HostileConnection = {
    nodeId: self.nodeId,
    targetId: targetNodeId,
    identity,
    received,
    frames,
    sent,
    errors,
    get authFrame() {
      return authFrame;
    },
    get targetHello() {
      return targetHello;
    },
    get targetAuthVerified() {
      return targetAuthVerified;
    },
    closed,
    get isClosed() {
      return isClosed;
    },
    byeReason: () => bye,
    send,
    sendBinary(bytes) {
      channel().send(bytes as Uint8Array<ArrayBuffer>);
    },
    get bufferedAmount() {
      return (connection.dataChannel as RTCDataChannel | undefined)?.bufferedAmount ?? 0;
    },
    channelClosedWhile: () => channelClosedWhile,
    waitForFrame(accept, timeoutMs, what) {
      const found = frames.find((f) => f.message && accept(f.message));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = (frame: ReceivedFrame) => {
          if (!frame.message || !accept(frame.message)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(frame);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`${what}: not received within ${timeoutMs} ms (received: ${received.map((t) => t.slice(0, 80)).join(' | ')})`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close() {
      try {
        connection.close();
      } catch {
        // Already closed.
      }
      peer.destroy();
      markClosed();
    },
  };

  connection.on('close', markClosed);
  connection.on('error', (error: Error) => errors.push(`connection: ${error.message}`));
  connection.on('open', () => {
    const dc = connection.dataChannel as RTCDataChannel | undefined;
    dc?.addEventListener('error', (event) => errors.push(`data channel: ${(event as RTCErrorEvent).error?.message ?? event.type}`));
    dc?.addEventListener('close', () => {
      channelClosedWhile ??= connection.peerConnection?.connectionState ?? 'gone';
    });
  });
  const watchPeerConnection = () => {
    const pc = connection.peerConnection;
    if (!pc) return;
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'failed' || pc.connectionState === 'closed') markClosed();
    });
  };
  watchPeerConnection();

  const handshake = new Promise<void>((resolve, reject) => {
    const timeoutMs = options.timeoutMs ?? 20_000;
    const timer = setTimeout(
      () => reject(new HostileHandshakeError(`handshake with ${targetNodeId} not done within ${timeoutMs} ms (received: ${received.join(' | ').slice(0, 400)})`)),
      timeoutMs,
    );
    let gotTargetAuth = false;
    let readySeen = false;
    let verifying: Promise<void> = Promise.resolve();
    const done = () => {
      clearTimeout(timer);
      // Our check of the target's auth settles first, so targetAuthVerified is final when connect() resolves.
      void verifying.then(resolve, resolve);
    };
    void closed.then(() => {
      clearTimeout(timer);
      reject(new HostileHandshakeError(`the target closed the connection during the handshake (received: ${received.join(' | ').slice(0, 400)})`));
    });

    connection.on('open', () => {
      send(
        JSON.stringify({
          t: 'hello',
          v: WIRE_VERSION,
          node: { id: self.nodeId, pub: self.nodePub },
          user: { id: self.userId, pub: self.userPub },
          cert: { at: self.cert.at, sig: self.cert.sig },
          nonce,
          caps: ['route'],
          app: 'hostile/1',
        }),
      );
    });

    connection.on('data', (data: unknown) => {
      const text = typeof data === 'string' ? data : new TextDecoder().decode(data as ArrayBuffer);
      received.push(text);
      const frame: ReceivedFrame = { at: Date.now(), text, message: parseFrame(text) };
      frames.push(frame);
      options.onFrame?.(frame);
      for (const waiter of [...waiters]) waiter(frame);
      const m = frame.message;
      if (!m) return;
      if (m.t === 'bye') bye = String(m.reason);
      if (m.t === 'ping' && options.answerPings !== false && !isClosed) {
        try {
          send(JSON.stringify({ t: 'pong', seq: m.seq, ts: m.ts }));
        } catch {
          // The channel closed under us: the close event tells the rest.
        }
      }
      if (m.t === 'hello' && !targetHello) {
        targetHello = m;
        void sendAuth(m).then(
          () => {
            if (options.auth) done();
            else if (gotTargetAuth && readySeen) done();
          },
          (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
        );
      } else if (m.t === 'auth' && !gotTargetAuth) {
        gotTargetAuth = true;
        verifying = checkTargetAuth(String(m.sig));
        if (readySeen && authFrame && !options.auth) done();
      } else if (m.t === 'ping' && !readySeen) {
        // The target pings the moment it holds the connection ready (core/session/peer-session.ts).
        readySeen = true;
        if (gotTargetAuth && authFrame && !options.auth) done();
      }
    });
  });

  async function sendAuth(hello: Record<string, unknown>): Promise<void> {
    let frame = options.auth;
    if (!frame) {
      const fingerprints = fingerprintsOf(connection.peerConnection);
      if (!fingerprints) throw new HostileHandshakeError('our connection states no DTLS fingerprints');
      const text = authText(String(hello.nonce), self.nodeId, targetNodeId, fingerprints.local, fingerprints.remote);
      frame = JSON.stringify({ t: 'auth', sig: await self.sign(text) });
    }
    authFrame = frame;
    send(frame);
  }

  async function checkTargetAuth(sig: string): Promise<void> {
    const fingerprints = fingerprintsOf(connection.peerConnection);
    const node = targetHello?.node as { pub?: string } | undefined;
    if (!fingerprints || typeof node?.pub !== 'string') return;
    const key = await importPublicKey(fromBase64Url(node.pub));
    // The target signed its own view: its local fingerprint is our remote one.
    targetAuthVerified = await verifyText(key, authText(nonce, targetNodeId, self.nodeId, fingerprints.remote, fingerprints.local), sig);
  }

  try {
    await handshake;
  } catch (error) {
    if (!options.auth) handle.close();
    throw error;
  }
  return handle;
}

interface RouteOptions extends RouteFields {
  /** Signs with this identity (default: the connection's own; another one forges the signature). */
  signer?: HostileIdentity;
}

/** A route frame from `from` (docs §6): signed by `signer` over canonical({id, src, dst, body}). */
export async function routeFrame(from: HostileConnection, options: RouteOptions): Promise<{ frame: string; id: string }> {
  const id = options.id ?? toBase64Url(randomBytes(12));
  const src = options.src ?? from.nodeId;
  const signer = (options.signer ?? from.identity).identity;
  const sig = await signer.sign(canonical({ id, src, dst: options.dst, body: options.body }));
  const frame = JSON.stringify({ t: 'route', id, src, dst: options.dst, ttl: options.ttl ?? 8, path: options.path ?? [src], body: options.body, sig });
  return { frame, id };
}
