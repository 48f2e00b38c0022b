/**
 * Where the node host lives in Firefox: in the background page itself, which has RTCPeerConnection
 * (Firefox has no offscreen API). The build picks this module or offscreen-document.ts as
 * `#node-host-place` (wxt.config.ts); nothing else knows which browser it runs in.
 */
// First: its instruments (test builds) must load before PeerJS and GUN.
import { startNodeHost } from './start-node-host';
import type { HostHandle } from '../../../core/control/host-handle';
import { createInProcessHost } from '../../../core/host/in-process-host';
import type { AskController } from '../../../core/host/host-channel';
import { observersOverRuntime } from './host-channel';

export function createNodeHostPlace(ask: AskController): HostHandle {
  return createInProcessHost(ask, startNodeHost, observersOverRuntime);
}
