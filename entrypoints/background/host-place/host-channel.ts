/** The node host's HostChannel over `runtime` messaging (offscreen document, Firefox background page). */
import browser from 'webextension-polyfill';
import type { HostChannel } from '../../core/host/node-host';
import { envelope, errorReply, okReply, observeScopeOf, type HostConfig, type Reply } from '../../core/control/protocol';
import { parseHostCommand } from '../../core/control/protocol-guard';

const BOOT_RETRY_MS = 200;

async function ask<T>(message: Parameters<typeof envelope>[0]): Promise<T> {
  const reply = (await browser.runtime.sendMessage(envelope(message, 'background'))) as Reply<T> | undefined;
  if (!reply) throw new Error('the background did not answer');
  if (!reply.ok) throw Object.assign(new Error(reply.error.message), { name: reply.error.name });
  return reply.value;
}

export function createRuntimeChannel(): HostChannel {
  return {
    async requestConfig() {
      // The worker may be starting up itself; keep asking until it answers.
      for (;;) {
        try {
          return await ask<HostConfig>({ type: 'host:boot' });
        } catch (error) {
          console.warn('meshdeck: waiting for the background', error);
        }
        await new Promise((resolve) => setTimeout(resolve, BOOT_RETRY_MS));
      }
    },
    async appendHistory(point) {
      await ask({ type: 'history:append', point });
    },
    async reportTrial(trialId, ok) {
      await ask({ type: 'settings:trial-result', trialId, ok });
    },
    async beat({ failure }) {
      await ask({ type: 'host:alive', failure });
    },
    onCommand(listener) {
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
    },
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
