/**
 * Issue 22, item 4: nothing local can stop meshdeck-node's dashboard server or the local server. Each
 * server runs in a child process, as an operator runs it, so an attack that would end the process
 * shows as a dead child, not as an error inside the test runner. Every attack comes from a raw
 * `node:net` socket; after each one the server must still be running and serve its clients. Runs
 * inside a loopback-only network namespace (scripts/test.mjs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { envelope } from '../../core/control/protocol';
import { parseNodeFrame, tokenProtocol, VIEW_SOCKET_PROTOCOL } from '../../core/control/view-socket';
import type { ClientTimeouts } from '../../server/http-guard';
import { until } from '../support/until';

const PROJECT = fileURLToPath(new URL('../..', import.meta.url));
const TOKEN = 'test-token-0123456789';
/** Small, so a stalled client is cut within the test; a WebSocket must outlive them all. */
const TIMEOUTS: ClientTimeouts = { headersMs: 1000, requestMs: 2000, idleMs: 1000 };
/** A safety net for "the server closed it", never a figure under test. */
const CUT_WITHIN_MS = 20_000;

interface Child {
  port: number;
  process: ChildProcess;
  /** What the child wrote to stderr: an uncaught exception's trace when it died. */
  stderr(): string;
}

/** Runs `script` (an ES module that prints `{"port":…}` once its server listens) in a Node child. */
async function startChild(script: string): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], {
    cwd: PROJECT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = /\{"port":\d+\}/.exec(stdout);
      if (line) resolve((JSON.parse(line[0]) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`the server child exited (code ${code}) before listening: ${stderr}`)));
  });
  return { port, process: child, stderr: () => stderr };
}

async function stopChild(child: Child | undefined): Promise<void> {
  if (!child || child.process.exitCode !== null || child.process.signalCode !== null) return;
  const exited = once(child.process, 'exit');
  child.process.kill('SIGKILL');
  await exited;
}

/**
 * Writes `bytes` on a fresh raw socket and resolves with everything the server wrote back once it closed
 * the socket; `[still open]` is appended when it had not within `ms`.
 */
function exchange(port: number, bytes: string | Buffer, ms = 5000): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(`${answer}[still open]`);
    }, ms);
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    // A server that died resets its sockets: what it answered so far is the answer.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
    socket.write(bytes);
  });
}

/** An upgrade request a WebSocket client would send, with `target` and `extra` header lines. */
function upgradeRequest(port: number, target: string, extra: string[] = []): string {
  return [
    `GET ${target} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Version: 13',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    `Origin: http://127.0.0.1:${port}`,
    ...extra,
    '',
    '',
  ].join('\r\n');
}

const plainRequest = (port: number, target: string): string => `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`;

/**
 * Writes `bytes`, then resets the connection (RST, not FIN): at once, or once the server's first answer
 * arrived, when the server is busy with the socket it handed over on upgrade.
 */
async function resetAfter(port: number, bytes: string, when: 'written' | 'answered'): Promise<void> {
  const socket = net.connect(port, '127.0.0.1');
  // A server that died refuses or resets the socket: stillServes() says so, with the server's trace.
  socket.on('error', () => undefined);
  const closed = new Promise((resolve) => socket.once('close', resolve));
  const settled = (event: string) => Promise.race([new Promise((resolve) => socket.once(event, resolve)), closed]);
  await settled('connect');
  const answered = when === 'answered' ? settled('data') : Promise.resolve();
  socket.write(bytes);
  await (when === 'written' ? new Promise((resolve) => socket.write('', resolve)) : answered);
  if (!socket.destroyed) socket.resetAndDestroy();
  await closed;
}

/** Resolves once the server closed `socket` (the client reads to the end, then closes its side too). */
async function closedByServer(socket: net.Socket, what: string): Promise<void> {
  socket.resume();
  try {
    await until(() => socket.destroyed, CUT_WITHIN_MS, `${what} closed by the server`);
  } finally {
    socket.destroy();
  }
}

/** A slowloris: opens a request and sends one more byte of a header every second, never finishing it. */
async function slowloris(port: number): Promise<void> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `);
  const drip = setInterval(() => socket.write('a'), 1000);
  try {
    await closedByServer(socket, 'the slowloris socket');
  } finally {
    clearInterval(drip);
  }
}

/** A client that connects and never sends a byte. */
async function silentClient(port: number): Promise<void> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  await closedByServer(socket, 'the silent socket');
}

const statusOf = (answer: string): string => /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? `no status line in ${JSON.stringify(answer)}`;

/** One server under test: how its child starts, and what a healthy client of it sees. */
interface Target {
  name: string;
  script(): string;
  /** A request the server refuses on upgrade (its socket is the server's to answer and close). */
  refusedUpgrade: string;
  /** A percent-encoding that does not decode, in a path the server reads. */
  badPercentPath: string;
  /** Fails unless the server serves its clients. */
  healthy(port: number): Promise<void>;
  /** Opens a long-lived WebSocket a real client would hold; resolves with a check that it still works. */
  longLived(port: number): Promise<{ works(): Promise<void>; close(): void }>;
}

/** A built dashboard's shape (the page and a chunk), shared by every view server child. */
const BUILD = mkdtempSync(path.join(tmpdir(), 'http-guard-view-'));
writeFileSync(path.join(BUILD, 'options.html'), '<!doctype html><title>dashboard</title>');
mkdirSync(path.join(BUILD, 'chunks'));
writeFileSync(path.join(BUILD, 'chunks', 'options.js'), 'export {};');
afterAll(() => rmSync(BUILD, { recursive: true, force: true }));

/** Opens the dashboard's view socket with the token; rejects when refused. */
async function openView(port: number): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/view`, [VIEW_SOCKET_PROTOCOL, tokenProtocol(TOKEN)], { headers: { origin: `http://127.0.0.1:${port}` } });
  await once(ws, 'open');
  return ws;
}

/** Sends one request over a view socket and waits for its reply. */
async function viewRoundTrip(ws: WebSocket, id: number): Promise<void> {
  const replied = new Promise<unknown>((resolve) =>
    ws.on('message', (data) => {
      const frame = parseNodeFrame(data.toString());
      if (frame?.kind === 'reply' && frame.id === id) resolve(frame.reply);
    }),
  );
  ws.send(JSON.stringify({ kind: 'request', id, message: envelope({ type: 'settings:get' }, 'background') }));
  expect(await replied).toEqual({ ok: true, value: { answered: 'settings:get' } });
}

const viewServer: Target = {
  name: 'the dashboard (view) server',
  script: () => `
    const { startViewServer } = await import(${JSON.stringify(path.join(PROJECT, 'server/headless/view-server.ts'))});
    const server = await startViewServer({
      root: ${JSON.stringify(BUILD)},
      token: ${JSON.stringify(TOKEN)},
      port: 0,
      handle: async (request) => ({ answered: request.type }),
      clientTimeouts: ${JSON.stringify(TIMEOUTS)},
    });
    console.log(JSON.stringify({ port: Number(new URL(server.url).port) }));
  `,
  refusedUpgrade: '/view', // without the token: 401
  badPercentPath: '/chunks/%E0%A4%A',
  async healthy(port) {
    const page = await fetch(`http://127.0.0.1:${port}/options.html`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('dashboard');
    const ws = await openView(port);
    try {
      await viewRoundTrip(ws, 1);
    } finally {
      ws.close();
    }
  },
  async longLived(port) {
    const ws = await openView(port);
    let next = 10;
    return {
      async works() {
        expect(ws.readyState, 'the view socket is still open').toBe(WebSocket.OPEN);
        await viewRoundTrip(ws, next++);
      },
      close: () => ws.close(),
    };
  },
};

/** Registers a PeerJS client at the protocol level: the server's first message is OPEN. */
async function registerPeer(port: number, id: string): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/peerjs/peerjs?key=peerjs&id=${id}&token=t${id}`);
  const [first] = (await once(ws, 'message')) as [Buffer];
  expect((JSON.parse(first.toString()) as { type: string }).type).toBe('OPEN');
  return ws;
}

let peerCount = 0;
const localServer: Target = {
  name: 'the local server',
  script: () => `
    const { startLocalServer } = await import(${JSON.stringify(path.join(PROJECT, 'server/local-server.ts'))});
    const server = await startLocalServer({ port: 0, clientTimeouts: ${JSON.stringify(TIMEOUTS)} });
    console.log(JSON.stringify({ port: server.port }));
  `,
  refusedUpgrade: '/elsewhere', // no such WebSocket service: 404
  badPercentPath: '/gun%E0%A4%A',
  async healthy(port) {
    const index = await fetch(`http://127.0.0.1:${port}/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('Meshdeck local server');
    const ws = await registerPeer(port, `nhealthy${peerCount++}`);
    ws.close();
  },
  async longLived(port) {
    // A GUN relay client: every write is acknowledged once the relay stored it.
    const ws = new WebSocket(`ws://127.0.0.1:${port}/gun`);
    await once(ws, 'open');
    let next = 0;
    return {
      async works() {
        expect(ws.readyState, 'the relay socket is still open').toBe(WebSocket.OPEN);
        const id = `w${next++}`;
        const put = { [`guard-${id}`]: { _: { '#': `guard-${id}`, '>': { k: Date.now() } }, k: 'v' } };
        const acked = new Promise<void>((resolve) =>
          ws.on('message', (raw) => {
            if (([] as { '@'?: string }[]).concat(JSON.parse(raw.toString()) as never).some((m) => m['@'] === id)) resolve();
          }),
        );
        ws.send(JSON.stringify([{ '#': id, put }]));
        await acked;
      },
      close: () => ws.close(),
    };
  },
};

describe.each([viewServer, localServer])('$name against local clients', (target) => {
  let child: Child | undefined;
  beforeEach(async () => {
    child = await startChild(target.script());
  });
  afterEach(async () => {
    await stopChild(child);
    child = undefined;
  });

  /**
   * Why the server process is gone ('' while it runs): its exit code and the trace it left. A process
   * that is dying has closed its sockets before it exits, so this waits a moment for the exit.
   */
  async function death(): Promise<string> {
    const proc = child!.process;
    if (proc.exitCode === null) await Promise.race([once(proc, 'exit'), new Promise((resolve) => setTimeout(resolve, 500))]);
    return proc.exitCode === null ? '' : `\nthe server died (exit ${proc.exitCode}):\n${child!.stderr()}`;
  }

  /** Sends `bytes` on a raw socket: the server must answer `status` and close that socket. */
  async function expectAnswer(bytes: string | Buffer, status: string, label: string): Promise<void> {
    const answered = statusOf(await exchange(child!.port, bytes));
    if (answered !== status) expect.fail(`${label}: expected ${status}, got ${answered}${await death()}`);
  }

  /** The server process is still running and serves its clients. */
  async function stillServes(): Promise<void> {
    expect(await death()).toBe('');
    await target.healthy(child!.port);
    expect(await death()).toBe('');
  }

  it('(a) answers an upgrade with an absolute-form or malformed target with 400', async () => {
    const { port } = child!;
    for (const bad of ['http://[', `http://127.0.0.1:${port}[/view`, 'http://%zz/view']) {
      await expectAnswer(upgradeRequest(port, bad), '400', bad);
    }
    await stillServes();
  });

  it('(b) answers a malformed request line or garbage bytes with 400 and closes that socket only', async () => {
    const { port } = child!;
    // Targets no client sends, where URL parsers read an authority ('//[', '/\['), or no path at all.
    for (const bad of ['//[', '/\\[', '*']) {
      await expectAnswer(upgradeRequest(port, bad), '400', `upgrade ${bad}`);
      await expectAnswer(plainRequest(port, bad), '400', `plain ${bad}`);
    }
    for (const garbage of ['GET\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', 'G\x00T / HTTP/1.1\r\n\r\n', Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0xff, 0xfe, 0x0d, 0x0a, 0x0d, 0x0a])]) {
      await expectAnswer(garbage, '400', JSON.stringify(garbage.toString('latin1')));
    }
    await stillServes();
  });

  it('(c) answers a bad header with 400 (431 when too large) and closes that socket only', async () => {
    const { port } = child!;
    for (const header of ['No colon here', 'X-Bad: a\x00b', ' folded: value', 'Content-Length: 1\r\nContent-Length: 2']) {
      await expectAnswer(upgradeRequest(port, target.refusedUpgrade, [header]), '400', JSON.stringify(header));
    }
    await expectAnswer(upgradeRequest(port, target.refusedUpgrade, [`X-Huge: ${'a'.repeat(64 * 1024)}`]), '431', 'a 64 KiB header');
    await stillServes();
  });

  it('(d) survives clients that reset their connection right after their request', async () => {
    const { port } = child!;
    for (const when of ['written', 'answered'] as const) {
      for (const request of [upgradeRequest(port, target.refusedUpgrade), plainRequest(port, '/')]) {
        await resetAfter(port, request, when);
      }
    }
    await stillServes();
  });

  it('(e) closes a slowloris and a silent client, and keeps a long-lived WebSocket open', async () => {
    const { port } = child!;
    const socket = await target.longLived(port);
    try {
      // The WebSocket stays silent past every deadline a request has, twice over.
      const pastEveryDeadline = new Promise((resolve) => setTimeout(resolve, 2 * Math.max(TIMEOUTS.headersMs, TIMEOUTS.requestMs, TIMEOUTS.idleMs)));
      await Promise.all([slowloris(port), silentClient(port), pastEveryDeadline]);
      await socket.works();
    } finally {
      socket.close();
    }
    await stillServes();
  });

  it('(f) answers a path whose percent-encoding does not decode with 400', async () => {
    const { port } = child!;
    await expectAnswer(plainRequest(port, target.badPercentPath), '400', `plain ${target.badPercentPath}`);
    await expectAnswer(upgradeRequest(port, target.badPercentPath), '400', `upgrade ${target.badPercentPath}`);
    await stillServes();
  });
});
