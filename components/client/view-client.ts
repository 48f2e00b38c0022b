/**
 * The views' one way to the rest of the extension (popup and options page alike):
 *
 * - observed state: a runtime port named OBSERVE_PORT to the node host, which posts
 *   `{ type: 'state', snapshot }` at once and then on every change, `{ type: 'history', recent, daily }`
 *   once on connect then `{ type: 'history:tick' }` every second, and `{ type: 'log', entries }` (the
 *   whole ring buffer on connect, then new entries), `{ type: 'blocklist', state }` and
 *   `{ type: 'trial', trial }` on connect and whenever they change. When the port drops (the host is
 *   not there yet, crashed, or the extension reloaded) the client asks the background to re-create the
 *   host (`host:ensure`) and reconnects with a backoff of 100 ms doubling to 2 s.
 * - requests: `runtime.sendMessage(envelope(request, 'background'))`, whose `Reply` is unwrapped into
 *   a value or a thrown error.
 *
 * Framework-free on purpose: the models (node-model.ts) turn it into signals.
 */
import {
  envelope,
  observePortName,
  type ObserveScope,
  type Reply,
  type ReplyValues,
  type Request,
} from '../../core/control/protocol';
import { isRecord } from '../../core/lib/is-record';
import type { LogEntry, NodeSnapshot, StatsPoint } from '../../core/node/observed-state';
import type { BlockListState } from '../../core/blocklist/block-list-store';
import type { EndpointTrial } from '../../core/control/endpoint-trial';
import { Emitter, type Unsubscribe } from '../../core/lib/events';

/** The part of a runtime port the client uses; `browser.runtime.Port` satisfies it. */
export interface ViewPort {
  onMessage: ViewEvent<(message: unknown) => void>;
  onDisconnect: ViewEvent<() => void>;
  disconnect(): void;
}

export interface ViewEvent<T> {
  addListener(listener: T): void;
  removeListener(listener: T): void;
}

/** The part of `browser.runtime` the client uses, so that tests can hand in a small fake. */
export interface ViewRuntime {
  connect(connectInfo: { name: string }): ViewPort;
  sendMessage(message: unknown): Promise<unknown>;
}

/** Views only send requests meant for them; `host:boot` belongs to the node host. */
export type ViewRequest = Exclude<Request, { type: 'host:boot' }>;

export interface AbortOptions {
  signal?: AbortSignal;
}

export interface ViewClient {
  /**
   * Sends `req` to the background and resolves with the reply's value. Rejects with a `ReplyError`
   * (name and message from the reply) when the background reports a failure, a `NoReplyError` when
   * nothing answered, `ClientClosedError` after close() and the signal's reason when aborted.
   */
  request<T extends ViewRequest>(req: T, options?: AbortOptions): Promise<ReplyValues[T['type']]>;
  /**
   * Calls `listener` with every snapshot the node host posts; at once (synchronously) with the latest
   * one if there is one already.
   */
  onState(listener: (snapshot: NodeSnapshot) => void): Unsubscribe;
  /**
   * Calls `listener` when the node host becomes reachable (a snapshot arrived on a fresh port) or
   * unreachable (the port dropped); `error` is the last `host:ensure` failure, if any. Called at once
   * with the current status.
   */
  onReachable(listener: (reachable: boolean, error: Error | null) => void): Unsubscribe;
  /**
   * Calls `listener` with the host's whole stats history, sent once on every (re)connect: the last 5
   * minutes at 1 s and the last 24 hours at 1 min, oldest first. Not replayed to late subscribers:
   * models subscribe at start-up, before the port's first message can arrive (a later task).
   */
  onHistory(listener: (recent: StatsPoint[], daily: StatsPoint[]) => void): Unsubscribe;
  /** Calls `listener` every second with the new 1 s point, and the new 1 min point when one completed. */
  onHistoryTick(listener: (second: StatsPoint, minute: StatsPoint | null) => void): Unsubscribe;
  /**
   * Calls `listener` with log entries: `reset` is true for the first batch on each (re)connected port,
   * which is the host's whole ring buffer (a re-created host may count `seq` from 0 again), false for
   * the new entries after it.
   */
  onLog(listener: (entries: LogEntry[], reset: boolean) => void): Unsubscribe;
  /**
   * Calls `listener` with the block list whenever it changes (in this or any tab or browser of the
   * user); at once with the latest one if there is one already.
   */
  onBlockList(listener: (state: BlockListState) => void): Unsubscribe;
  /** Calls `listener` with the endpoint change on trial (or null) when it changes; at once with the latest. */
  onTrial(listener: (trial: EndpointTrial | null) => void): Unsubscribe;
  /** Calls `listener` with the problems of the stored desired state (invalid settings) when they change; at once with the latest. */
  onProblems(listener: (problems: readonly string[]) => void): Unsubscribe;
  /** Disconnects the port, clears the reconnect timer, drops listeners and rejects pending requests. */
  close(): void;
}

interface ViewClientOptions {
  /** What this view observes (core/control/protocol.ts): the popup asks for a summary. */
  scope?: ObserveScope;
  /** First reconnect delay, doubled after every failed attempt. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * The background answered a request with an error; `name` and `message` are the background's, and
 * `field` the setting a SettingsError is about (so a form can show it at that field).
 */
class ReplyError extends Error {
  constructor(
    name: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = name;
  }
}

/** Nothing answered a request, or the answer was not a Reply (e.g. the background is an older build). */
export class NoReplyError extends Error {
  override name = 'NoReplyError';
}

/** The request was made, or was still pending, when the client closed. */
export class ClientClosedError extends Error {
  override name = 'ClientClosedError';
}

/** What the observe port delivers, one event each; the on…() methods below subscribe to them. */
interface ViewEvents {
  'snapshot:receive': NodeSnapshot;
  'reachability:change': { reachable: boolean; error: Error | null };
  'history:load': { recent: StatsPoint[]; daily: StatsPoint[] };
  'history:tick': { second: StatsPoint; minute: StatsPoint | null };
  'log:append': { entries: LogEntry[]; reset: boolean };
  'blocklist:change': BlockListState;
  'trial:change': EndpointTrial | null;
  'problems:change': readonly string[];
}

export function createViewClient(runtime: ViewRuntime, options: ViewClientOptions = {}): ViewClient {
  const initialBackoff = options.initialBackoffMs ?? 100;
  const maxBackoff = options.maxBackoffMs ?? 2000;

  const events = new Emitter<ViewEvents>();
  /** Rejects every request still waiting for its reply; emptied on settle. */
  const pending = new Set<(error: Error) => void>();

  let port: ViewPort | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let backoff = initialBackoff;
  let latest: NodeSnapshot | null = null;
  let latestBlockList: BlockListState | null = null;
  /** undefined: not heard yet (null is "no trial"). */
  let latestTrial: EndpointTrial | null | undefined;
  let latestProblems: readonly string[] | null = null;
  let reachable = false;
  let ensureError: Error | null = null;
  let closed = false;
  /** Whether the current port delivered its first `log` batch (the whole buffer) yet. */
  let logSynced = false;

  function setReachable(next: boolean): void {
    if (next === reachable) return;
    reachable = next;
    events.emit('reachability:change', { reachable, error: ensureError });
  }

  function onMessage(message: unknown): void {
    if (!isRecord(message)) return;
    switch (message.type) {
      case 'state':
        if (!isRecord(message.snapshot)) return;
        latest = message.snapshot as unknown as NodeSnapshot;
        backoff = initialBackoff;
        ensureError = null;
        setReachable(true);
        events.emit('snapshot:receive', latest);
        return;
      case 'history': {
        if (!Array.isArray(message.recent) || !Array.isArray(message.daily)) return;
        const recent = message.recent.filter(isRecord) as unknown as StatsPoint[];
        const daily = message.daily.filter(isRecord) as unknown as StatsPoint[];
        events.emit('history:load', { recent, daily });
        return;
      }
      case 'history:tick': {
        if (!isRecord(message.second) || (message.minute !== null && !isRecord(message.minute))) return;
        const second = message.second as unknown as StatsPoint;
        const minute = message.minute as unknown as StatsPoint | null;
        events.emit('history:tick', { second, minute });
        return;
      }
      case 'log': {
        if (!Array.isArray(message.entries)) return;
        const entries = message.entries.filter(isRecord) as unknown as LogEntry[];
        const reset = !logSynced;
        logSynced = true;
        events.emit('log:append', { entries, reset });
        return;
      }
      case 'blocklist': {
        const state = message.state;
        if (!isRecord(state) || !Array.isArray(state.entries)) return;
        latestBlockList = state as unknown as BlockListState;
        events.emit('blocklist:change', latestBlockList);
        return;
      }
      case 'trial': {
        if (message.trial !== null && !isRecord(message.trial)) return;
        latestTrial = message.trial as unknown as EndpointTrial | null;
        events.emit('trial:change', latestTrial);
        return;
      }
      case 'problems': {
        if (!Array.isArray(message.problems)) return;
        latestProblems = message.problems.filter((p): p is string => typeof p === 'string');
        events.emit('problems:change', latestProblems);
        return;
      }
    }
  }

  function onDisconnect(): void {
    releasePort(false);
    setReachable(false);
    if (closed) return;
    // The usual reason is that no node host listens yet (Chrome: "Receiving end does not exist"), so
    // ask the background to create it, then try again after the backoff whatever the answer.
    request({ type: 'host:ensure' }).then(
      () => {
        ensureError = null;
      },
      (error: unknown) => {
        if (closed || error instanceof ClientClosedError) return;
        ensureError = error instanceof Error ? error : new Error(String(error));
        events.emit('reachability:change', { reachable, error: ensureError });
      },
    );
    timer = setTimeout(() => {
      timer = null;
      connect();
    }, backoff);
    backoff = Math.min(backoff * 2, maxBackoff);
  }

  function connect(): void {
    if (closed) return;
    try {
      port = runtime.connect({ name: observePortName(options.scope ?? 'full') });
    } catch (error) {
      // connect() throws only when the extension context itself is gone (extension reloaded under
      // an open view); retrying keeps the "Connecting…" message honest until the page is closed.
      ensureError = error instanceof Error ? error : new Error(String(error));
      onDisconnect();
      return;
    }
    logSynced = false;
    port.onMessage.addListener(onMessage);
    port.onDisconnect.addListener(onDisconnect);
  }

  function releasePort(disconnect: boolean): void {
    if (!port) return;
    port.onMessage.removeListener(onMessage);
    port.onDisconnect.removeListener(onDisconnect);
    if (disconnect) port.disconnect();
    port = null;
  }

  function request<T extends ViewRequest>(req: T, { signal }: AbortOptions = {}): Promise<ReplyValues[T['type']]> {
    if (closed) return Promise.reject(new ClientClosedError('the view is closing'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<ReplyValues[T['type']]>((resolve, reject) => {
      const fail = (error: unknown) => {
        settle();
        reject(error);
      };
      const onAbort = () => fail(signal?.reason);
      const settle = () => {
        pending.delete(fail);
        signal?.removeEventListener('abort', onAbort);
      };
      pending.add(fail);
      signal?.addEventListener('abort', onAbort);
      let sent: Promise<unknown>;
      try {
        sent = runtime.sendMessage(envelope(req, 'background'));
      } catch (error) {
        // Chrome throws synchronously ("Extension context invalidated") once the extension reloaded.
        sent = Promise.reject(error);
      }
      sent.then(
        (raw) => {
          if (!pending.has(fail)) return;
          settle();
          try {
            resolve(unwrapReply(raw, req.type) as ReplyValues[T['type']]);
          } catch (error) {
            reject(error);
          }
        },
        (error: unknown) => {
          if (!pending.has(fail)) return;
          fail(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  connect();

  return {
    request,
    onState(listener) {
      const off = events.on('snapshot:receive', listener);
      if (latest) listener(latest);
      return off;
    },
    onReachable(listener) {
      const off = events.on('reachability:change', (change) => listener(change.reachable, change.error));
      listener(reachable, ensureError);
      return off;
    },
    onHistory: (listener) => events.on('history:load', ({ recent, daily }) => listener(recent, daily)),
    onHistoryTick: (listener) => events.on('history:tick', ({ second, minute }) => listener(second, minute)),
    onLog: (listener) => events.on('log:append', ({ entries, reset }) => listener(entries, reset)),
    onBlockList(listener) {
      const off = events.on('blocklist:change', listener);
      if (latestBlockList) listener(latestBlockList);
      return off;
    },
    onTrial(listener) {
      const off = events.on('trial:change', listener);
      if (latestTrial !== undefined) listener(latestTrial);
      return off;
    },
    onProblems(listener) {
      const off = events.on('problems:change', listener);
      if (latestProblems) listener(latestProblems);
      return off;
    },
    close() {
      if (closed) return;
      closed = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      releasePort(true);
      events.clear();
      for (const fail of [...pending]) fail(new ClientClosedError('the view is closing'));
    },
  };
}

/**
 * Resolves once the client has heard from the node host (its first snapshot), or the host proved
 * unreachable (the port dropped), or after `waitMs`, whichever comes first.
 */
export function firstHeard(client: ViewClient, waitMs: number): Promise<void> {
  return new Promise((resolve) => {
    const unsubscribers: Unsubscribe[] = [];
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      for (const unsubscribe of unsubscribers) unsubscribe();
      resolve();
    };
    const timer = setTimeout(settle, waitMs);
    unsubscribers.push(client.onState(settle));
    // onReachable reports the current status at once; only a later change counts.
    let current = true;
    unsubscribers.push(client.onReachable(() => current || settle()));
    current = false;
    if (settled) for (const unsubscribe of unsubscribers) unsubscribe();
  });
}

/** Turns a raw `Reply` into its value, or throws the error it carries. */
function unwrapReply(raw: unknown, type: string): unknown {
  if (!isRecord(raw) || typeof raw.ok !== 'boolean') {
    throw new NoReplyError(`no answer to "${type}" from the extension's background`);
  }
  const reply = raw as Reply;
  if (reply.ok) return reply.value;
  const error: Record<string, unknown> = isRecord(reply.error) ? reply.error : {};
  throw new ReplyError(
    typeof error.name === 'string' && error.name ? error.name : 'Error',
    typeof error.message === 'string' ? error.message : `"${type}" failed`,
    typeof error.field === 'string' ? error.field : undefined,
  );
}
