/**
 * Hostile peers in a child process of their own (hostile-peer-child.ts), driven from a test.
 *
 * Node's WebRTC (@roamhq/wrtc) can crash natively on the side whose flooded connection is closed
 * (seen in the hostile e2e: "Worker exited unexpectedly", its 11 tests never run). A peer that
 * floods, sends oversize frames or is otherwise hostile therefore runs here, never in the test's
 * worker: a crash ends the child alone, every connection of it reads as closed with the crash in its
 * errors, and `ended()` tells the test what happened. The node under test is what a test asserts on.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { HostileConnection, ReceivedFrame } from './hostile-peer';
import { parseFrame, type ChildReport, type ConnectAnswer, type FloodAnswer, type ParentOrder, type RouteFields } from './hostile-peer-protocol';

// import.meta.url, not __dirname: the benchmarks load this module as ES (tsx), where __dirname is not defined.
const CHILD = fileURLToPath(new URL('./hostile-peer-child.ts', import.meta.url));
/** Lines of the child's stderr kept for a crash report. */
const STDERR_LINES = 40;

export interface HostileConnectOptions {
  /** Connect under the identity of an earlier connection of this process (default: a fresh node of a fresh user). */
  sameIdentityAs?: RemoteHostileConnection;
  /** A frame sent in place of the genuine auth (a replay). connect() then resolves as soon as it is sent. */
  auth?: string;
  /** Answer the target's pings with pongs (default true), so its heartbeat keeps the connection. */
  answerPings?: boolean;
  /** How long the handshake may take, ms (default 20 s). */
  timeoutMs?: number;
}

/**
 * A hostile connection held by the child: what it received, mirrored here as it arrives, with the
 * meaning hostile-peer.ts gives each member. `errors` also holds the child's own end if it crashed;
 * `send` throws once the connection is known closed, and a later failure lands in `errors`.
 */
export type RemoteHostileConnection = Pick<
  HostileConnection,
  'nodeId' | 'targetId' | 'frames' | 'authFrame' | 'targetHello' | 'targetAuthVerified' | 'errors' | 'closed' | 'isClosed' | 'byeReason' | 'channelClosedWhile' | 'send' | 'sendBinary' | 'waitForFrame' | 'close'
> & {
  /** Sends `frame` (`$n` replaced by its number) `perTick` at a time every `tickMs` from the child, until `max` or the close. */
  flood(options: { frame: string; max: number; perTick: number; tickMs: number }): Promise<FloodAnswer>;
  /** A signed route frame from this connection's node; `forged` signs it with a stranger's key. */
  routeFrame(route: RouteFields, options?: { forged?: boolean }): Promise<string>;
};

export interface RemoteSilentDialler {
  readonly nodeId: string;
  /** Whether the data channel ever opened, and whether it closed, as the child sees them now. */
  state(): Promise<{ opened: boolean; isClosed: boolean }>;
  close(): void;
}

/** How the child ended: its exit code or the signal that killed it, and the last of its stderr. */
export interface ChildEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

export interface HostilePeers {
  connect(signalingUrl: string, targetId: string, options?: HostileConnectOptions): Promise<RemoteHostileConnection>;
  dialSilently(signalingUrl: string, targetId: string, nodeId: string): Promise<RemoteSilentDialler>;
  /** How the child ended, or null while it runs (a clean close() counts too). */
  ended(): ChildEnd | null;
  /** Ends the child and everything it holds. */
  close(): Promise<void>;
}

class HostileProcessEndedError extends Error {
  override name = 'HostileProcessEndedError';
}

interface Mirror {
  onFrame(frame: ReceivedFrame): void;
  onClosed(channelClosedWhile: string | null, errors: string[]): void;
}

export async function startHostilePeers(): Promise<HostilePeers> {
  const child: ChildProcess = fork(CHILD, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const stderr: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    stderr.splice(0, Math.max(0, stderr.length - STDERR_LINES));
  });
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  const mirrors = new Map<number, Mirror>();
  let nextId = 1;
  let end: ChildEnd | null = null;
  let closing = false;

  const ready = new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', () => reject(new HostileProcessEndedError(`the hostile peers' process ended before it was ready: ${stderr.join(' | ')}`)));
    child.on('message', (message) => {
      const report = message as ChildReport;
      if (report.kind === 'ready') resolve();
      else if (report.kind === 'answer') {
        const waiter = pending.get(report.id);
        pending.delete(report.id);
        if (report.error !== undefined) waiter?.reject(new Error(report.error));
        else waiter?.resolve(report.value);
      } else if (report.kind === 'frame') mirrors.get(report.ref)?.onFrame({ at: report.at, text: report.text, message: parseFrame(report.text) });
      else if (report.kind === 'closed') mirrors.get(report.ref)?.onClosed(report.channelClosedWhile, report.errors);
    });
  });
  child.once('exit', (code, signal) => {
    end = { code, signal, stderr: stderr.join('\n') };
    const why = closing ? "the hostile peers' process was closed" : `the hostile peers' process ended (${signal ? `signal ${signal}` : `exit code ${code}`})`;
    for (const waiter of pending.values()) waiter.reject(new HostileProcessEndedError(why));
    pending.clear();
    for (const mirror of mirrors.values()) mirror.onClosed(null, closing ? [] : [why]);
  });
  await ready;
  // After start, an error of the child process (a failed kill, a send on a closed channel) is its own:
  // `ended()` and the rejected orders say what happened, and nothing may escape into the test worker.
  child.on('error', () => undefined);

  const order = <T>(message: ParentOrder): Promise<T> => {
    // 'disconnect' comes before 'exit': a child whose channel closed has ended for our purposes.
    if (end || !child.connected) return Promise.reject(new HostileProcessEndedError(`the hostile peers' process has ended (${end?.signal ?? end?.code ?? 'its channel closed'})`));
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      // A send that fails (the channel closing under it) rejects this order, never an 'error' event.
      child.send({ ...message, id }, (error) => {
        if (!error) return;
        pending.delete(id);
        reject(new HostileProcessEndedError(`the hostile peers' process took no more orders: ${error.message}`));
      });
    });
  };
  let nextRef = 1;

  return {
    async connect(signalingUrl, targetId, options = {}) {
      const ref = nextRef++;
      const connection = remoteConnection(ref, targetId, order);
      mirrors.set(ref, connection.mirror);
      const answer = await order<ConnectAnswer>({
        op: 'connect', ref, signalingUrl, targetId,
        identityOf: options.sameIdentityAs?.nodeId, auth: options.auth, answerPings: options.answerPings, timeoutMs: options.timeoutMs,
      });
      connection.settle(answer);
      return connection.handle;
    },
    async dialSilently(signalingUrl, targetId, nodeId) {
      const ref = nextRef++;
      await order({ op: 'dialSilently', ref, signalingUrl, targetId, nodeId });
      return {
        nodeId,
        state: () => order<{ opened: boolean; isClosed: boolean }>({ op: 'diallerState', ref }),
        close: () => void order({ op: 'close', ref }).catch(() => undefined),
      };
    },
    ended: () => end,
    async close() {
      if (end) return;
      closing = true;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

type Order = <T>(message: ParentOrder) => Promise<T>;

function remoteConnection(ref: number, targetId: string, order: Order): { handle: RemoteHostileConnection; mirror: Mirror; settle(answer: ConnectAnswer): void } {
  const frames: ReceivedFrame[] = [];
  const errors: string[] = [];
  const waiters = new Set<(frame: ReceivedFrame) => void>();
  let answer: ConnectAnswer = { nodeId: '', authFrame: null, targetAuthVerified: false, targetHello: null };
  let bye: string | null = null;
  let isClosed = false;
  let channelClosedWhile: string | null = null;
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const failed = (error: unknown) => errors.push(error instanceof Error ? error.message : String(error));

  const handle: RemoteHostileConnection = {
    get nodeId() {
      return answer.nodeId;
    },
    targetId,
    frames,
    errors,
    get authFrame() {
      return answer.authFrame;
    },
    get targetHello() {
      return answer.targetHello;
    },
    get targetAuthVerified() {
      return answer.targetAuthVerified;
    },
    closed,
    get isClosed() {
      return isClosed;
    },
    byeReason: () => bye,
    channelClosedWhile: () => channelClosedWhile,
    send(frame) {
      if (isClosed) throw new Error('the hostile connection is closed');
      order({ op: 'send', ref, frame }).catch(failed);
    },
    sendBinary(bytes) {
      if (isClosed) throw new Error('the hostile connection is closed');
      order({ op: 'sendBinary', ref, bytes: [...bytes] }).catch(failed);
    },
    flood: (options) => order<FloodAnswer>({ op: 'flood', ref, ...options }),
    routeFrame: (route, options = {}) => order<string>({ op: 'routeFrame', ref, route, signer: options.forged ? 'stranger' : undefined }),
    waitForFrame(accept, timeoutMs, what) {
      const found = frames.find((f) => f.message && accept(f.message));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = (frame: ReceivedFrame) => {
          if (!frame.message || !accept(frame.message)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(frame);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`${what}: not received within ${timeoutMs} ms (received: ${frames.map((f) => f.text.slice(0, 80)).join(' | ')})`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close() {
      order({ op: 'close', ref }).catch(() => undefined);
    },
  };

  const mirror: Mirror = {
    onFrame(frame) {
      frames.push(frame);
      if (frame.message?.t === 'bye') bye = String(frame.message.reason);
      for (const waiter of [...waiters]) waiter(frame);
    },
    onClosed(whileState, closeErrors) {
      if (isClosed) return;
      isClosed = true;
      channelClosedWhile = whileState;
      errors.push(...closeErrors);
      markClosed();
    },
  };
  return { handle, mirror, settle: (value) => (answer = value) };
}
