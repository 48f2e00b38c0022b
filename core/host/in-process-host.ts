/**
 * A node host in the controller's own process (Firefox's background page, meshdeck-node): the
 * controller and the host call each other directly. Every message is cloned on the way, as runtime
 * messaging would: neither side can change an object the other holds.
 */
import type { HostHandle } from '../control/host-handle';
import type { HostCommand } from '../control/protocol';
import type { HostChannel } from './node-host';
import { createHostChannel, type AskController, type CommandListener, type ObserverSource } from './host-channel';

class HostStoppedError extends Error {
  override name = 'HostStoppedError';
  constructor() {
    super('the node host is not running');
  }
}

/** Starts a NodeHost on `channel`; stop() stops it and removes whatever it added. */
type StartHost = (channel: HostChannel) => { stop(): void };

export function createInProcessHost(ask: AskController, startHost: StartHost, onObserver: ObserverSource): HostHandle {
  let host: { stop(): void } | null = null;
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
        onObserver,
      );
      // Not awaited: the host asks the controller for its configuration as it starts, and the
      // controller may be the one awaiting this ensure().
      host = startHost(channel);
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
