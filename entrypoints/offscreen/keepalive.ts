/**
 * Tells the background every 20 s that this host is alive. The messages keep the service worker from
 * idling out, so the controller stays up to notice (within HOST_CHECK_MS) if this document dies and
 * re-create it; if the worker was stopped anyway, the message wakes it.
 */
import browser from 'webextension-polyfill';
import { envelope, HOST_HEARTBEAT_MS } from '../../core/control/protocol';

export function keepBackgroundAwake(): () => void {
  const say = () => browser.runtime.sendMessage(envelope({ type: 'host:alive' }, 'background')).catch(() => undefined);
  const timer = setInterval(say, HOST_HEARTBEAT_MS);
  return () => clearInterval(timer);
}
