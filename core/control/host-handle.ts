/**
 * The node host as the background sees it: what the controller, its watchdog and pairing control ask
 * of it, and what the browser's host (an offscreen document, Firefox's background page) and the
 * headless node's in-process host provide.
 */
import type { LogLevel } from '../lib/event-log';
import type { HostConfig, NodeAction, PairingCommand, ReplyValues } from './protocol';

/** The node host as the background sees it (an offscreen document, or Firefox's background page). */
export interface HostHandle {
  /** Makes sure a host exists, creating it if it is gone. */
  ensure(): Promise<void>;
  exists(): Promise<boolean>;
  /** Closes the host (a stuck one), so that ensure() creates a fresh one. */
  close(): Promise<void>;
  /**
   * Hands the running host new configuration and resolves once it applied it; rejects with the host's
   * error when it could not. Resolves quietly when no host is listening yet (it asks on boot).
   */
  configure(config: HostConfig): Promise<void>;
  /** Adds the background's own lines to the host's event log, which every view shows. */
  log(entries: BackgroundLogLine[]): Promise<void>;
  /** Passes an action (or a pairing step) to the running host and resolves with its reply's value. */
  request<A extends NodeAction | PairingCommand>(action: A): Promise<ReplyValues[A['type']]>;
}

export interface BackgroundLogLine {
  level: LogLevel;
  type: string;
  message: string;
}
