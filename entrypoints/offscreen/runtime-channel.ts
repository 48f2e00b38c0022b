/** The node host's HostChannel over `runtime` messaging (offscreen document, Firefox background page). */
import browser from 'webextension-polyfill';
import type { HostChannel } from '../../core/node-host';
import { envelope, OBSERVE_PORT, parseHostCommand, type HostConfig, type Reply } from '../../core/protocol';

const BOOT_RETRY_MS = 200;

export function createRuntimeChannel(): HostChannel {
  return {
    async requestConfig() {
      // The worker may be starting up itself; keep asking until it answers.
      for (;;) {
        try {
          const reply = (await browser.runtime.sendMessage(envelope({ type: 'host:boot' }, 'background'))) as Reply<HostConfig> | undefined;
          if (reply?.ok) return reply.value;
          if (reply) throw Object.assign(new Error(reply.error.message), { name: reply.error.name });
        } catch (error) {
          console.warn('meshdeck: waiting for the background', error);
        }
        await new Promise((resolve) => setTimeout(resolve, BOOT_RETRY_MS));
      }
    },
    onCommand(listener) {
      const onMessage = (raw: unknown): undefined => {
        try {
          const command = parseHostCommand(raw);
          if (command) listener(command);
        } catch (error) {
          console.error('meshdeck: bad host command', error);
        }
        return undefined;
      };
      browser.runtime.onMessage.addListener(onMessage);
      return () => browser.runtime.onMessage.removeListener(onMessage);
    },
    onObserver(listener) {
      const onConnect = (port: browser.Runtime.Port): void => {
        if (port.name !== OBSERVE_PORT) return;
        listener({
          post: (message) => port.postMessage(message),
          onClose: (close) => port.onDisconnect.addListener(close),
        });
      };
      browser.runtime.onConnect.addListener(onConnect);
      return () => browser.runtime.onConnect.removeListener(onConnect);
    },
  };
}
