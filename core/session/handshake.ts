/**
 * The handshake of one connection (docs/protocol-v2.md): each side sends hello (its node and user
 * keys, its certificate and a fresh nonce), then signs the other's nonce with both node IDs and both
 * DTLS fingerprints (auth). What comes before it is done is judged here; the session acts on each step.
 */
import { randomBytes, toBase64Url } from '../lib/encoding';
import { errorText } from '../lib/error-text';
import { verifyText, type Identity, type IdentityVerifier, type VerifiedPeer } from '../identity/identity';
import { channelBinding } from './channel-binding';
import type { Link } from './link';
import { STRANGER_REFUSED, type SessionPolicy } from './session-policy';
import { authText, WIRE_VERSION, type ByeReason, type Hello, type WireMessage } from './wire';

/** What the session does next. */
type HandshakeStep =
  /** The peer's hello verified: send our auth, and wait for theirs. */
  | { kind: 'auth'; peer: VerifiedPeer; message: WireMessage }
  /** The peer's auth verified: ready. */
  | { kind: 'ready' }
  /** Refuse the peer (bye `handshake-refused`). */
  | { kind: 'refuse'; why: string }
  /** The peer said bye first (a node that refuses us before the handshake says why). */
  | { kind: 'bye'; reason: ByeReason }
  /** A verified stranger in trusted-only mode: closed with bye `blocked`, its IDs kept for the user to see. */
  | { kind: 'stranger'; peer: VerifiedPeer; why: string };

export class Handshake {
  private readonly nonce = toBase64Url(randomBytes(16));
  /** The nonce of the peer's hello, for the channel binding. */
  private peerNonce: string | null = null;
  private peer: VerifiedPeer | null = null;

  constructor(
    private readonly link: Link,
    private readonly identity: Identity,
    private readonly verifier: IdentityVerifier,
    private readonly policy: SessionPolicy,
  ) {}

  hello(): Hello {
    const { identity, policy } = this;
    return {
      t: 'hello',
      v: WIRE_VERSION,
      node: { id: identity.nodeId, pub: identity.nodePub },
      user: { id: identity.userId, pub: identity.userPub },
      cert: { at: identity.cert.at, sig: identity.cert.sig },
      nonce: this.nonce,
      caps: policy.caps,
      app: policy.app,
    };
  }

  /** Judges a message (null: one that is no wire message) that came before the handshake was done. */
  async step(message: WireMessage | null): Promise<HandshakeStep> {
    if (message?.t === 'bye') return { kind: 'bye', reason: message.reason };
    if (message?.t === 'hello' && !this.peer) return this.onHello(message);
    if (message?.t === 'auth' && this.peer) {
      const fingerprints = this.link.fingerprints();
      if (!fingerprints) return refuse('the connection states no DTLS fingerprints');
      // The signer's own fingerprint is our remote one, and its peer's is our local one.
      const text = authText(this.nonce, this.peer.nodeId, this.identity.nodeId, fingerprints.remote, fingerprints.local);
      if (!(await verifyText(this.peer.nodeKey, text, message.sig))) return refuse('auth signature does not verify (or the connection is relayed by a party in the middle)');
      return { kind: 'ready' };
    }
    return refuse(message ? `"${message.t}" before the handshake completed` : 'unknown message before the handshake completed');
  }

  /**
   * What pairing binds its keys to (core/pairing/pairing-crypto.ts): both node IDs, hello nonces and
   * DTLS fingerprints, the same text on both sides. Null before the peer's hello.
   */
  binding(): string | null {
    const fingerprints = this.link.fingerprints();
    if (!this.peer || !this.peerNonce || !fingerprints) return null;
    return channelBinding(
      { nodeId: this.identity.nodeId, nonce: this.nonce, fingerprint: fingerprints.local },
      { nodeId: this.peer.nodeId, nonce: this.peerNonce, fingerprint: fingerprints.remote },
    );
  }

  private async onHello(message: Hello): Promise<HandshakeStep> {
    if (message.v !== WIRE_VERSION) return refuse(`unsupported protocol version ${message.v}`);
    if (message.node.id !== this.link.remoteId) return refuse("hello node ID is not the connection's peer ID");
    let peer: VerifiedPeer;
    try {
      peer = await this.verifier.verify({
        nodeId: message.node.id,
        nodePub: message.node.pub,
        userId: message.user.id,
        userPub: message.user.pub,
        certAt: message.cert.at,
        certSig: message.cert.sig,
      });
    } catch (error) {
      return refuse(errorText(error));
    }
    if (this.policy.isBlocked(peer.nodeId, peer.userId)) return refuse('blocked');
    if (this.policy.isStranger?.(peer.nodeId, peer.userId)) return { kind: 'stranger', peer, why: STRANGER_REFUSED };
    const fingerprints = this.link.fingerprints();
    if (!fingerprints) return refuse('the connection states no DTLS fingerprints');
    this.peer = peer;
    this.peerNonce = message.nonce;
    const text = authText(message.nonce, this.identity.nodeId, peer.nodeId, fingerprints.local, fingerprints.remote);
    return { kind: 'auth', peer, message: { t: 'auth', sig: await this.identity.sign(text) } };
  }
}

const refuse = (why: string): HandshakeStep => ({ kind: 'refuse', why });
