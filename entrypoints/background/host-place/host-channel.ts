/**
 * The runtime parts of the node host's channel (core/host/host-channel.ts). Views always reach the
 * host over runtime ports (observe). How the host and the background reach each other depends on
 * where the host lives: over runtime messages from the offscreen document (Chrome), by direct calls
 * inside the one background page (Firefox).
 */
import browser from 'webextension-polyfill';
import type { Unsubscribe } from '../../../core/lib/events';
import { envelope, errorReply, okReply, observeScopeOf, type Reply } from '../../../core/control/protocol';
import { parseHostCommand } from '../../../core/control/protocol-guard';
import type { AskController, CommandListener, ObserverSource } from '../../../core/host/host-channel';

/** Asks the background over runtime messaging (a host in its own document). */
export const askOverRuntime: AskController = async (request) => (await browser.runtime.sendMessage(envelope(request, 'background'))) as Reply;

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

/** Hears views connecting their observe ports. */
export const observersOverRuntime: ObserverSource = (listener) => {
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
};
