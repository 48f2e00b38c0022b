/**
 * PeerJS signaling against a stand-in for PeerJS's Peer: what its links do with the RTCPeerConnection
 * PeerJS makes for them (Chromium counts each against the renderer's 500 until collected, issue 22).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPeerJsSignaling } from '../../../../core/signaling/peerjs-signaling';
import type { Link } from '../../../../core/session/link';
import { FakeClock, settle } from '../../../support/fake-clock';
import { collected, FakePeerConnection } from '../../../support/fake-peer-connection';

const fakes = await vi.hoisted(async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  /** The slice of PeerJS's DataConnection the links use; close() drops the connection as PeerJS's does. */
  class FakeDataConnection extends Emitter {
    open = false;
    dataChannel: { readyState: string; bufferedAmount: number; onclose: (() => void) | null; close(): void } | null = {
      readyState: 'connecting',
      bufferedAmount: 0,
      onclose: null,
      close() {
        this.readyState = 'closed';
        this.onclose?.();
      },
    };
    constructor(
      readonly peer: string,
      public peerConnection: { close(): void } | null,
    ) {
      super();
    }
    close(): void {
      this.peerConnection?.close();
      this.peerConnection = null;
      this.dataChannel = null;
    }
    send(): void {}
  }
  class FakePeer extends Emitter {
    static made: FakePeer[] = [];
    /** What connect() does: returns a connection, or throws as PeerJS does when the constructor throws. */
    static connect: (peer: string) => FakeDataConnection = () => {
      throw new Error('no connect set');
    };
    open = false;
    disconnected = false;
    destroyed = false;
    /** PeerJS's handler of server messages, looked up at every message; this one throws as PeerJS's does on a bad OFFER. */
    _handleMessage(message: { payload?: { serialization?: string } }): void {
      throw new TypeError(`this._serializers[${String(message.payload?.serialization)}] is not a constructor`);
    }
    constructor(readonly id: string) {
      super();
      FakePeer.made.push(this);
    }
    connect(peer: string): FakeDataConnection {
      return FakePeer.connect(peer);
    }
    destroy(): void {
      this.destroyed = true;
    }
    disconnect(): void {
      this.disconnected = true;
    }
    reconnect(): void {}
  }
  return { FakePeer, FakeDataConnection };
});

vi.mock('../../../../core/signaling/peerjs', () => ({ Peer: fakes.FakePeer, BufferedConnection: class {} }));

const NODE = `n${'a'.repeat(26)}`;
const TARGET = `n${'b'.repeat(26)}`;

function openSignaling(clock: FakeClock) {
  const signaling = createPeerJsSignaling({ url: 'http://127.0.0.1:9000/peerjs', nodeId: NODE, iceServers: [], clock });
  signaling.start();
  const peer = fakes.FakePeer.made.at(-1)!;
  peer.open = true;
  peer.emit('open');
  return signaling;
}

function watch(link: Link): { errors: string[]; closed: () => boolean } {
  const errors: string[] = [];
  let closed = false;
  link.events.on('error', (error) => errors.push(error.message));
  link.events.on('close', () => (closed = true));
  return { errors, closed: () => closed };
}

afterEach(() => {
  fakes.FakePeer.made = [];
});

describe('PeerJsSignaling and Chromium\'s RTCPeerConnection budget', () => {
  it('a dial whose RTCPeerConnection Chromium refuses fails as a dial, not as an exception out of dial()', async () => {
    const clock = new FakeClock();
    const signaling = openSignaling(clock);
    fakes.FakePeer.connect = () => {
      throw new DOMException('Failed to construct \'RTCPeerConnection\': Cannot create so many PeerConnections', 'UnknownError');
    };
    let link: Link | undefined;
    expect(() => (link = signaling.dial(TARGET))).not.toThrow();
    const seen = watch(link!);
    await settle();
    expect(seen.errors).toEqual([expect.stringMatching(/Cannot create so many PeerConnections/)]);
    expect(seen.closed()).toBe(true);
    expect(link!.remoteId).toBe(TARGET);
    signaling.stop();
  });

  it('a finished link holds its RTCPeerConnection no more, even while the link itself is held', async () => {
    const clock = new FakeClock();
    const signaling = openSignaling(clock);
    // Made in a function of its own, so that no variable of this test holds the connection.
    const dial = (): { link: Link; ref: WeakRef<FakePeerConnection> } => {
      const pc = new FakePeerConnection();
      FakePeerConnection.made.length = 0;
      fakes.FakePeer.connect = (peer) => new fakes.FakeDataConnection(peer, pc);
      return { link: signaling.dial(TARGET), ref: new WeakRef(pc) };
    };
    const { link, ref } = dial();
    fakes.FakePeer.connect = () => {
      throw new Error('one dial only');
    };
    const seen = watch(link);
    link.close();
    await clock.advance(1000);
    expect(seen.closed()).toBe(true);
    expect(await collected(ref)).toBe(true);
    signaling.stop();
  });

  it('a server message PeerJS cannot handle (an OFFER with an unknown serialization) is dropped and said, never thrown', () => {
    const signaling = openSignaling(new FakeClock());
    const dropped: string[] = [];
    signaling.events.on('message:dropped', (why) => dropped.push(why));
    const peer = fakes.FakePeer.made.at(-1)!;
    expect(() => peer._handleMessage({ payload: { serialization: 'nope' } })).not.toThrow();
    expect(dropped).toEqual([expect.stringMatching(/not a constructor/)]);
    signaling.stop();
  });
});
