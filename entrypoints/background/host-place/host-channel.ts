/**
 * The node host's HostChannel. Views always reach the host over runtime ports (observe). How the host
 * and the background reach each other depends on where the host lives: over runtime messages from the
 * offscreen document (Chrome), by direct calls inside the one background page (Firefox).
 */
import browser from 'webextension-polyfill';
import type { HostChannel } from '../../../core/host/node-host';
import type { Unsubscribe } from '../../../core/lib/events';
import { envelope, errorReply, okReply, observeScopeOf, type HostCommand, type HostConfig, type Reply, type Request } from '../../../core/control/protocol';
import { parseHostCommand } from '../../../core/control/protocol-guard';

const BOOT_RETRY_MS = 200;

/** Delivers a request to the background and resolves with its reply. */
export type AskBackground = (request: Request) => Promise<Reply>;
export type CommandListener = (command: HostCommand) => Promise<unknown>;

/** The host channel of a host that reaches the background with `ask` and hears commands through `onCommand`. */
export function createHostChannel(ask: AskBackground, onCommand: (listener: CommandListener) => Unsubscribe): HostChannel {
  async function askValue<T>(request: Request): Promise<T> {
    const reply = (await ask(request)) as Reply<T> | undefined;
    if (!reply) throw new Error('the background did not answer');
    if (!reply.ok) throw Object.assign(new Error(reply.error.message), { name: reply.error.name });
    return reply.value;
  }
  return {
    async requestConfig() {
      // The background may be starting up itself; keep asking until it answers.
      for (;;) {
        try {
          return await askValue<HostConfig>({ type: 'host:boot' });
        } catch (error) {
          console.warn('meshdeck: waiting for the background', error);
        }
        await new Promise((resolve) => setTimeout(resolve, BOOT_RETRY_MS));
      }
    },
    async appendHistory(point) {
      await askValue({ type: 'history:append', point });
    },
    async reportTrial(trialId, ok) {
      await askValue({ type: 'settings:trial-result', trialId, ok });
    },
    async beat({ failure }) {
      await askValue({ type: 'host:alive', failure });
    },
    answerPairing: ({ nodeId, binding, message }) => askValue({ type: 'pairing:heard', nodeId, binding, message }),
    async sharedListHeard(value) {
      await askValue({ type: 'pairing:list-heard', value });
    },
    async showBadge(badge) {
      await askValue({ type: 'host:badge', badge });
    },
    onCommand,
    onObserver(listener) {
      const onConnect = (port: browser.Runtime.Port): void => {
        const scope = observeScopeOf(port.name);
        if (!scope) return;
        listener({
          scope,
          post: (message) => port.postMessage(message),
          onClose: (close) => port.onDisconnect.addListener(close),
        });
      };
      browser.runtime.onConnect.addListener(onConnect);
      return () => browser.runtime.onConnect.removeListener(onConnect);
    },
  };
}

/** Asks the background over runtime messaging (a host in its own document). */
export const askOverRuntime: AskBackground = async (request) => (await browser.runtime.sendMessage(envelope(request, 'background'))) as Reply;

/** Hears commands sent over runtime messaging (a host in its own document). */
export function commandsOverRuntime(listener: CommandListener): Unsubscribe {
  const onMessage = (raw: unknown): Promise<Reply> | undefined => {
    let command;
    try {
      command = parseHostCommand(raw);
    } catch (error) {
      return Promise.resolve(errorReply(error));
    }
    if (!command) return undefined;
    return listener(command).then(okReply, errorReply);
  };
  browser.runtime.onMessage.addListener(onMessage);
  return () => browser.runtime.onMessage.removeListener(onMessage);
}
