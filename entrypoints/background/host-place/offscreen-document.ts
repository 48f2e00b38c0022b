/**
 * Where the node host lives in Chrome: an offscreen document with reason WEB_RTC (a service worker has
 * no RTCPeerConnection). The build picks this module or background-page.ts as `#node-host-place`
 * (wxt.config.ts); nothing else knows which browser it runs in.
 */
import browser from 'webextension-polyfill';
import type { HostHandle } from '../../../core/control/host-handle';
import { envelope, type HostCommand, type Reply } from '../../../core/control/protocol';
import type { AskController } from '../../../core/host/host-channel';

const OFFSCREEN_PATH = 'offscreen.html';
/** What Chrome says when no context listens for a runtime message (no host yet). */
const NO_RECEIVER = /receiving end does not exist|could not establish connection/i;

class HostUnavailableError extends Error {
  override name = 'HostUnavailableError';
  constructor() {
    super('the node host did not answer');
  }
}

/** Sends a command to the host; resolves with its reply's value, rejects with its error. */
async function send(command: HostCommand): Promise<unknown> {
  const reply = (await browser.runtime.sendMessage(envelope(command, 'host'))) as Reply | undefined;
  if (!reply) throw new HostUnavailableError();
  if (!reply.ok) throw Object.assign(new Error(reply.error.message), { name: reply.error.name });
  return reply.value;
}

/** The offscreen document asks the background over runtime messages itself: `ask` is not needed here. */
export function createNodeHostPlace(_ask: AskController): HostHandle {
  // One creation at a time: createDocument throws if a second call races the first.
  let creating: Promise<void> | null = null;

  async function exists(): Promise<boolean> {
    const contexts = await chrome.runtime.getContexts({
      contextTypes: [chrome.runtime.ContextType.OFFSCREEN_DOCUMENT],
      documentUrls: [chrome.runtime.getURL(OFFSCREEN_PATH)],
    });
    return contexts.length > 0;
  }

  return {
    exists,
    async ensure() {
      if (await exists()) return;
      creating ??= chrome.offscreen
        .createDocument({
          url: OFFSCREEN_PATH,
          reasons: [chrome.offscreen.Reason.WEB_RTC],
          justification: 'Holds the peer-to-peer node: WebRTC data connections and the rendezvous mesh.',
        })
        .catch((error: Error) => {
          // Another wake of the worker may have created it between our check and this call.
          if (!/single offscreen document/i.test(error.message)) throw error;
        })
        .finally(() => {
          creating = null;
        });
      await creating;
    },
    async close() {
      if (await exists()) await chrome.offscreen.closeDocument();
    },
    request: (action) => send(action) as never,
    async configure(config) {
      try {
        await send({ type: 'host:configure', config });
      } catch (error) {
        // No host listening yet: it asks for its configuration when it boots (host:boot).
        if (error instanceof HostUnavailableError || NO_RECEIVER.test((error as Error).message)) return;
        throw error;
      }
    },
    async log(entries) {
      await send({ type: 'host:log', entries });
    },
  };
}
