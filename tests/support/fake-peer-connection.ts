/**
 * A stand-in for the browser's RTCPeerConnection, for core under Node without WebRTC: it counts the
 * connections made and tells which were closed (Chromium's budget of 500, core/signaling/rtc-link.ts),
 * and `collected` tells whether one is still reachable from anywhere.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

class FakeDataChannel extends EventTarget {
  readyState: RTCDataChannelState = 'connecting';
  bufferedAmount = 0;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: Event) => void) | null = null;

  constructor(readonly label: string) {
    super();
  }

  send(): void {}

  close(): void {
    this.readyState = 'closed';
  }
}

export class FakePeerConnection extends EventTarget {
  /** Every connection made since install, in order. */
  static made: FakePeerConnection[] = [];
  /** Set to make the next constructions throw as Chromium does past its 500. */
  static refuse = false;
  /** When false, gathering never completes on its own (a STUN server that does not answer). */
  static gatherAtOnce = true;
  /** Set to make createOffer fail, or createDataChannel throw. */
  static failOffer = false;
  static failChannel = false;

  connectionState: RTCPeerConnectionState = 'new';
  iceConnectionState: RTCIceConnectionState = 'new';
  iceGatheringState: RTCIceGatheringState = 'new';
  signalingState: RTCSignalingState = 'stable';
  localDescription: RTCSessionDescriptionInit | null = null;
  remoteDescription: RTCSessionDescriptionInit | null = null;
  onconnectionstatechange: ((event: Event) => void) | null = null;
  ondatachannel: ((event: RTCDataChannelEvent) => void) | null = null;
  onicecandidate: ((event: RTCPeerConnectionIceEvent) => void) | null = null;
  onicecandidateerror: ((event: Event) => void) | null = null;
  readonly channels: FakeDataChannel[] = [];

  constructor(readonly configuration?: RTCConfiguration) {
    super();
    if (FakePeerConnection.refuse) throw new DOMException('Cannot create so many PeerConnections', 'UnknownError');
    FakePeerConnection.made.push(this);
  }

  get isClosed(): boolean {
    return this.signalingState === 'closed';
  }

  createDataChannel(label: string): FakeDataChannel {
    if (FakePeerConnection.failChannel) throw new DOMException('no channel', 'OperationError');
    const channel = new FakeDataChannel(label);
    this.channels.push(channel);
    return channel;
  }

  async createOffer(): Promise<RTCSessionDescriptionInit> {
    if (FakePeerConnection.failOffer) throw new DOMException('no offer', 'OperationError');
    return { type: 'offer', sdp: 'v=0 offer' };
  }

  async createAnswer(): Promise<RTCSessionDescriptionInit> {
    return { type: 'answer', sdp: 'v=0 answer' };
  }

  async setLocalDescription(description: RTCSessionDescriptionInit): Promise<void> {
    if (this.isClosed) throw new DOMException('closed', 'InvalidStateError');
    this.localDescription = description;
    this.iceGatheringState = FakePeerConnection.gatherAtOnce ? 'complete' : 'gathering';
  }

  async setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    if (this.isClosed) throw new DOMException('closed', 'InvalidStateError');
    this.remoteDescription = description;
  }

  async getStats(): Promise<Map<string, unknown>> {
    return new Map();
  }

  /** Hands the connection an ICE candidate (or the end of them: null), as gathering would. */
  candidate(candidate: string | null): void {
    this.onicecandidate?.({ candidate: candidate === null ? null : { candidate } } as RTCPeerConnectionIceEvent);
  }

  close(): void {
    this.signalingState = 'closed';
    this.connectionState = 'closed';
    this.iceConnectionState = 'closed';
    for (const channel of this.channels) channel.close();
  }
}

/** Puts the fake in place of the global RTCPeerConnection; the returned function puts back what was there. */
export function installFakePeerConnections(): () => void {
  const had = Object.getOwnPropertyDescriptor(globalThis, 'RTCPeerConnection');
  FakePeerConnection.made = [];
  FakePeerConnection.refuse = false;
  FakePeerConnection.gatherAtOnce = true;
  FakePeerConnection.failOffer = FakePeerConnection.failChannel = false;
  Object.defineProperty(globalThis, 'RTCPeerConnection', { value: FakePeerConnection, configurable: true, writable: true });
  return () => {
    FakePeerConnection.made = [];
    if (had) Object.defineProperty(globalThis, 'RTCPeerConnection', had);
    else delete (globalThis as { RTCPeerConnection?: unknown }).RTCPeerConnection;
  };
}

/** The connections made since install that are still open. */
export const openConnections = (): FakePeerConnection[] => FakePeerConnection.made.filter((pc) => !pc.isClosed);

let gc: (() => void) | null = null;

/**
 * Whether the object behind `ref` was garbage collected: nothing reachable still holds it. A WeakRef's
 * target is kept until the current job ends, hence the wait before collecting.
 */
export async function collected(ref: WeakRef<object>): Promise<boolean> {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  for (let i = 0; i < 3 && ref.deref() !== undefined; i++) {
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    gc();
  }
  return ref.deref() === undefined;
}
