/**
 * Lets `peerjs` (and so Meshdeck's core) run under Node, for integration tests and demo peers: PeerJS
 * reads the browser globals `RTCPeerConnection`, `RTCSessionDescription`, `RTCIceCandidate` and
 * `WebSocket`, which Node lacks. Call `installNodeWebRTC()` before PeerJS is first loaded, i.e. import
 * peerjs dynamically afterwards (`const { Peer } = await import('peerjs')`): a static import is hoisted
 * above this call.
 */
import { createRequire } from 'node:module';
import WebSocket from 'ws';

const require = createRequire(import.meta.url);

/** Sets the globals from `@roamhq/wrtc` and `ws` (8). Safe to call any number of times. */
export function installNodeWebRTC(): void {
  // CommonJS with a native binary: load it with require, and only when a caller asks for it.
  const wrtc = require('@roamhq/wrtc') as typeof import('@roamhq/wrtc');
  Object.assign(globalThis, {
    RTCPeerConnection: wrtc.RTCPeerConnection,
    RTCSessionDescription: wrtc.RTCSessionDescription,
    RTCIceCandidate: wrtc.RTCIceCandidate,
    // Always ws, even where Node ≥ 22 has its own WebSocket: the same client on every Node version.
    WebSocket: BrowserLikeWebSocket,
  });
}

/**
 * A browser's WebSocket reports a failed connection as an `error` event; ws throws it as an uncaught
 * exception when nobody listens for 'error' — and PeerJS sets no onerror, so a demo or test peer died
 * with ECONNREFUSED when its server went away. onerror/onclose still see every failure.
 */
class BrowserLikeWebSocket extends WebSocket {
  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args);
    this.on('error', () => undefined);
  }
}
