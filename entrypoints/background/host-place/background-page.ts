/**
 * Where the node host lives in Firefox: in the background page itself, which has RTCPeerConnection
 * (Firefox has no offscreen API). The build picks this module or offscreen-document.ts as
 * `#node-host-place` (wxt.config.ts); nothing else knows which browser it runs in.
 *
 * The controller and the host share the page, so they call each other directly. Every message is
 * cloned on the way, as runtime messaging would: neither side can change an object the other holds.
 */
// First: its instruments (test builds) must load before PeerJS and GUN.
import { startNodeHost, type RunningHost } from './start-node-host';
import type { HostHandle } from '../../../core/control/controller';
import { createHostChannel, type AskBackground, type CommandListener } from './host-channel';
import type { HostCommand } from '../../../core/control/protocol';

class HostStoppedError extends Error {
  override name = 'HostStoppedError';
  constructor() {
    super('the node host is not running');
  }
}

export function createNodeHostPlace(ask: AskBackground): HostHandle {
  let host: RunningHost | null = null;
  let commands: CommandListener | null = null;

  async function command(message: HostCommand): Promise<unknown> {
    if (!commands) throw new HostStoppedError();
    return structuredClone(await commands(structuredClone(message)));
  }

  return {
    async exists() {
      return host !== null;
    },
    async ensure() {
      if (host) return;
      const channel = createHostChannel(
        (request) => ask(structuredClone(request)),
        (listener) => {
          commands = listener;
          return () => {
            if (commands === listener) commands = null;
          };
        },
      );
      // Not awaited: the host asks the controller for its configuration as it starts, and the
      // controller may be the one awaiting this ensure().
      host = startNodeHost(channel);
    },
    async close() {
      host?.stop();
      host = null;
    },
    request: (action) => command(action) as never,
    async configure(config) {
      // No host yet: it asks for its configuration when it starts (host:boot).
      if (!commands) return;
      await command({ type: 'host:configure', config });
    },
    async log(entries) {
      await command({ type: 'host:log', entries });
    },
  };
}
