/**
 * A NodeHost's HostChannel, built from three ways of reaching the rest: `ask` delivers a request to the
 * controller, `onCommand` hears the controller's commands, `onObserver` hears views arriving. Where
 * they travel is the caller's: runtime messages and ports (the offscreen document), direct calls
 * (Firefox's background page), a local WebSocket (meshdeck-node's dashboard).
 */
import type { HostChannel, Observer } from './node-host';
import type { Unsubscribe } from '../lib/events';
import type { HostCommand, HostConfig, Reply, Request } from '../control/protocol';

const BOOT_RETRY_MS = 200;

/** Delivers a request to the controller and resolves with its reply. */
export type AskController = (request: Request) => Promise<Reply>;
export type CommandListener = (command: HostCommand) => Promise<unknown>;
export type ObserverSource = (listener: (observer: Observer) => void) => Unsubscribe;

export function createHostChannel(ask: AskController, onCommand: (listener: CommandListener) => Unsubscribe, onObserver: ObserverSource): HostChannel {
  async function askValue<T>(request: Request): Promise<T> {
    const reply = (await ask(request)) as Reply<T> | undefined;
    if (!reply) throw new Error('the background did not answer');
    if (!reply.ok) throw Object.assign(new Error(reply.error.message), { name: reply.error.name });
    return reply.value;
  }
  return {
    async requestConfig() {
      // The controller may be starting up itself; keep asking until it answers.
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
    sharedListHeard: (value) => askValue<boolean>({ type: 'pairing:list-heard', value }),
    async showBadge(badge) {
      await askValue({ type: 'host:badge', badge });
    },
    onCommand,
    onObserver,
  };
}
