/**
 * Test builds only (WXT_INSTRUMENT=1): counts live RTCPeerConnections and timers in the node host, so
 * the leak test and the robustness benchmark can check that teardown leaves nothing behind. A
 * connection is live from its constructor until close() (PeerJS closes each one it tears down).
 * It also notes every address the host is told to reach, WebSocket URLs and ICE servers, so the e2e
 * suites can check that nothing but the configured loopback endpoints is ever tried.
 */
import { countFaults, type Faults } from '../../../core/lib/fault-counter';

interface Instruments {
  /**
   * `created` − `collected` is what Chromium counts against its 500 per renderer (kMaxPeerConnections):
   * a closed connection counts until it is garbage collected (core/signaling/rtc-link.ts).
   */
  peerConnections: { created: number; open: number; collected: number };
  timers: { intervals: number; timeouts: number };
  /** Every iceConnectionState change of every connection, for the dead-peer benchmark. */
  iceStates: { connection: number; state: RTCIceConnectionState; at: number }[];
  /** Errors and rejections nothing handled (the e2e suites fail on any). */
  faults: Faults;
  /** Every URL a WebSocket was opened to, and every ICE server URL a connection gathered with, once each. */
  reached: { webSockets: string[]; iceServers: string[] };
  /**
   * Set by a test to force every new connection's ICE policy: `relay` proves a TURN server carries
   * the connection, since loopback host candidates would otherwise always win.
   */
  iceTransportPolicy: RTCIceTransportPolicy | null;
}

const noteOnce = (list: string[], value: string): void => {
  if (!list.includes(value)) list.push(value);
};

/** Installed when this module loads, before PeerJS or GUN: main.ts imports it first. */
export const instruments: Instruments | null = import.meta.env.WXT_INSTRUMENT === '1' ? install() : null;

function install(): Instruments {
  const counts: Instruments = {
    peerConnections: { created: 0, open: 0, collected: 0 },
    timers: { intervals: 0, timeouts: 0 },
    iceStates: [],
    faults: countFaults(globalThis),
    reached: { webSockets: [], iceServers: [] },
    iceTransportPolicy: null,
  };
  Object.assign(globalThis, { meshdeckFaults: counts.faults });
  const Native = globalThis.RTCPeerConnection;
  // Holds nothing: it only hears when a connection was collected.
  const collection = new FinalizationRegistry<number>(() => counts.peerConnections.collected++);
  class CountedPeerConnection extends Native {
    #counted = true;
    constructor(configuration?: RTCConfiguration) {
      super(counts.iceTransportPolicy ? { ...configuration, iceTransportPolicy: counts.iceTransportPolicy } : configuration);
      const connection = ++counts.peerConnections.created;
      counts.peerConnections.open++;
      collection.register(this, connection);
      // The listener keeps only this connection (a cycle, collected with it) and plain numbers.
      this.addEventListener('iceconnectionstatechange', () => {
        counts.iceStates.push({ connection, state: this.iceConnectionState, at: performance.timeOrigin + performance.now() });
        if (counts.iceStates.length > 1000) counts.iceStates.shift();
      });
    }
    override close(): void {
      if (this.#counted) counts.peerConnections.open--;
      this.#counted = false;
      super.close();
    }
  }
  // ICE servers are contacted once gathering starts, with the local description: PeerJS's feature probe
  // builds a connection with its public defaults when it loads, but never gets that far.
  const setLocalDescription = Native.prototype.setLocalDescription as (this: RTCPeerConnection, ...args: unknown[]) => Promise<void>;
  CountedPeerConnection.prototype.setLocalDescription = function (this: RTCPeerConnection, ...args: unknown[]) {
    for (const server of this.getConfiguration().iceServers ?? []) for (const url of [server.urls].flat()) noteOnce(counts.reached.iceServers, url);
    return setLocalDescription.apply(this, args);
  } as RTCPeerConnection['setLocalDescription'];
  globalThis.RTCPeerConnection = CountedPeerConnection;

  const NativeWebSocket = globalThis.WebSocket;
  class NotedWebSocket extends NativeWebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      noteOnce(counts.reached.webSockets, String(url));
    }
  }
  globalThis.WebSocket = NotedWebSocket;

  const live = { intervals: new Set<unknown>(), timeouts: new Set<unknown>() };
  const { setInterval: si, clearInterval: ci, setTimeout: st, clearTimeout: ct } = globalThis;
  globalThis.setInterval = ((fn: TimerHandler, ms?: number, ...rest: unknown[]) => {
    const id = si(fn, ms, ...rest);
    live.intervals.add(id);
    counts.timers.intervals = live.intervals.size;
    return id;
  }) as typeof setInterval;
  globalThis.clearInterval = ((id?: number) => {
    live.intervals.delete(id);
    counts.timers.intervals = live.intervals.size;
    ci(id);
  }) as typeof clearInterval;
  globalThis.setTimeout = ((fn: TimerHandler, ms?: number, ...rest: unknown[]) => {
    const id = st(
      (...args: unknown[]) => {
        live.timeouts.delete(id);
        counts.timers.timeouts = live.timeouts.size;
        if (typeof fn === 'function') fn(...args);
      },
      ms,
      ...rest,
    ) as unknown as number;
    live.timeouts.add(id);
    counts.timers.timeouts = live.timeouts.size;
    return id;
  }) as typeof setTimeout;
  globalThis.clearTimeout = ((id?: number) => {
    live.timeouts.delete(id);
    counts.timers.timeouts = live.timeouts.size;
    ct(id);
  }) as typeof clearTimeout;
  return counts;
}
