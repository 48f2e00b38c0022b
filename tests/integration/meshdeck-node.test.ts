/**
 * `meshdeck-node` as an operator runs it (issue 14): real processes from bin/meshdeck-node.mjs, against
 * the real local server on 127.0.0.1. Runs inside a loopback-only network namespace (scripts/test.mjs).
 */
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { envelope, type Reply, type Request } from '../../core/control/protocol';
import type { Settings } from '../../core/settings/settings';
import { parseNodeFrame, tokenProtocol, VIEW_SOCKET_PATH, VIEW_SOCKET_PROTOCOL } from '../../core/control/view-socket';
import { startLocalServer, type LocalServer } from '../../server/local-server';
import { until } from '../support/until';
import { spawnMeshdeckNode, type NodeProcess } from '../../server/node-process';

const spawnNode = (args: string[]) => spawnMeshdeckNode(args);

const has = (lines: string[], text: string) => lines.some((line) => line.includes(text));

/** A view of `dashboardUrl` (the node's `dashboard:` line) over its socket, as the Node Dashboard's client speaks it. */
async function viewSocket(dashboardUrl: string): Promise<{ ask<T>(request: Request): Promise<T>; close(): void }> {
  const url = new URL(dashboardUrl);
  const token = url.hash.slice('#token='.length);
  const ws = new WebSocket(`ws://${url.host}${VIEW_SOCKET_PATH}`, [VIEW_SOCKET_PROTOCOL, tokenProtocol(token)], { headers: { origin: url.origin } });
  const waiting = new Map<number, (reply: Reply) => void>();
  ws.on('message', (data) => {
    const frame = parseNodeFrame(data.toString());
    if (frame?.kind === 'reply') waiting.get(frame.id)?.(frame.reply as Reply);
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).on('error', reject));
  let next = 1;
  return {
    ask<T>(request: Request) {
      const id = next++;
      return new Promise<T>((resolve, reject) => {
        waiting.set(id, (reply) => (reply.ok ? resolve(reply.value as T) : reject(new Error(`${request.type}: ${reply.error.name}: ${reply.error.message}`))));
        ws.send(JSON.stringify({ kind: 'request', id, message: envelope(request, 'background') }));
      });
    },
    close: () => ws.close(),
  };
}

/**
 * The exit code, or the signal's name with the last lines of stdout and stderr when a signal ended the
 * process (Node's WebRTC has crashed natively at shutdown: "stopped" on stdout says whether the stop was done).
 */
async function exitWithin(proc: NodeProcess, ms: number): Promise<number | string> {
  const code = await Promise.race([proc.exit, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no exit within ${ms} ms`)), ms))]);
  return code ?? `${proc.child.signalCode}: out ${proc.out.slice(-3).join(' | ')}; err ${proc.err.slice(-3).join(' | ')}`;
}

describe('meshdeck-node processes over the real local server', () => {
  let server: LocalServer;
  let dir: string;
  const running: NodeProcess[] = [];
  const start = (name: string, extra: string[] = []) => {
    const proc = spawnNode([
      '--identity',
      path.join(dir, `${name}.json`),
      '--signaling',
      server.signalingUrl,
      '--relay',
      server.relayUrl,
      '--room',
      'headless',
      ...extra,
    ]);
    running.push(proc);
    return proc;
  };

  beforeAll(async () => {
    server = await startLocalServer({ port: 0 });
    dir = await mkdtemp(path.join(tmpdir(), 'meshdeck-node-'));
  });

  afterAll(async () => {
    for (const proc of running) if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a bad flag exits 2 with one line naming it', async () => {
    const proc = spawnNode(['--max-peers', 'lots']);
    expect(await exitWithin(proc, 15_000)).toBe(2);
    expect(proc.err).toEqual(['meshdeck-node: --max-peers: "lots" is not a whole number']);
  });

  it('an identity file others can read exits 2 with one line saying how to fix it', async () => {
    const file = path.join(dir, 'open.json');
    await writeFile(file, '{}', { mode: 0o644 });
    await chmod(file, 0o644);
    const proc = spawnNode(['--identity', file, '--signaling', server.signalingUrl, '--relay', server.relayUrl]);
    expect(await exitWithin(proc, 15_000)).toBe(2);
    expect(proc.err).toEqual([`meshdeck-node: the identity file ${file} is readable by others (mode 0644): run chmod 600 ${file}`]);
  });

  it('two nodes become peers; SIGTERM says bye shutdown to the other and exits 0', async () => {
    const a = start('a');
    const b = start('b');
    await until(() => a.nodeId() !== '' && b.nodeId() !== '', 15_000, 'start lines');
    expect(has(a.out, '(identity ') && has(a.out, ', created)')).toBe(true);
    await until(() => has(a.out, `peer ready: ${b.nodeId()}`) && has(b.out, `peer ready: ${a.nodeId()}`), 20_000, 'peers ready');
    await until(() => has(a.out, `peers 1/8: ${b.nodeId()}`), 5000, 'status line with the peer');

    a.child.kill('SIGTERM');
    // Exit 0 is the clean shutdown: the 4 s deadline exits 1 ('shutdown took too long').
    expect(await exitWithin(a, 10_000)).toBe(0);
    expect(has(a.err, 'shutdown took too long')).toBe(false);
    expect(has(a.out, 'shutting down: bye shutdown to 1 peer')).toBe(true);
    expect(a.out.at(-1)).toBe('stopped');
    await until(() => has(b.out, `peer closed: ${a.nodeId()}: remote:shutdown`), 5000, "b logs a's bye");

    // The same identity file: the same node ID, and b takes it back as a peer.
    const again = start('a');
    await until(() => again.nodeId() !== '', 15_000, 'restart line');
    expect(again.nodeId()).toBe(a.nodeId());
    expect(has(again.out, ', created)')).toBe(false);
    await until(() => has(again.out, `peer ready: ${b.nodeId()}`), 20_000, 'peer again');

    again.child.kill('SIGINT');
    b.child.kill('SIGTERM');
    expect(await exitWithin(again, 5000)).toBe(0);
    expect(await exitWithin(b, 5000)).toBe(0);
    for (const proc of [a, again, b]) expect(proc.err).toEqual([]);
  });

  it('an unreachable signaling server is reported while the node keeps retrying, and it still stops cleanly', async () => {
    // A port nothing listens on: the local server's own port, once it is closed, would do too.
    const lonely = spawnNode(['--identity', path.join(dir, 'lonely.json'), '--signaling', 'http://127.0.0.1:9/peerjs', '--relay', 'http://127.0.0.1:9/gun']);
    running.push(lonely);
    await until(() => has(lonely.err, 'warning: cannot reach the signaling server http://127.0.0.1:9/peerjs'), 15_000, 'signaling warning');
    await until(() => has(lonely.err, 'warning: cannot reach the relay http://127.0.0.1:9/gun'), 15_000, 'relay warning');
    expect(lonely.err.find((line) => line.includes('signaling server'))).toMatch(/; retrying$/);
    expect(lonely.child.exitCode).toBeNull();
    lonely.child.kill('SIGTERM');
    expect(await exitWithin(lonely, 5000)).toBe(0);
  });

  it('a node outlives its server going away and says when it is back', async () => {
    const port = server.port;
    const a = start('c');
    const b = start('d');
    await until(() => has(a.out, `peer ready: ${b.nodeId()}`), 25_000, 'peers ready');
    await server.close();
    await until(() => has(a.err, 'warning: cannot reach the signaling server'), 20_000, 'warning after the server left');
    expect(a.child.exitCode).toBeNull();
    expect(b.child.exitCode).toBeNull();
    server = await startLocalServer({ port });
    await until(() => has(a.out, `signaling server ${server.signalingUrl} reachable again`), 30_000, 'back');
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    expect(await exitWithin(a, 5000)).toBe(0);
    expect(await exitWithin(b, 5000)).toBe(0);
    // Warnings only: no stray rejection, no stack.
    for (const proc of [a, b]) for (const line of proc.err) expect(line).toMatch(/^warning: cannot reach the (signaling server|relay) /);
  });

  it('its view socket refuses pairing and files, which a headless node does not have, and answers the rest', async () => {
    const node = spawnNode(['--identity', path.join(dir, 'refuser.json'), '--signaling', server.signalingUrl, '--relay', server.relayUrl]);
    running.push(node);
    await node.started();
    await until(() => node.dashboard() !== null, 10_000, 'the dashboard line');
    const view = await viewSocket(node.dashboard()!);
    try {
      for (const request of [{ type: 'pairing:offer' }, { type: 'pairing:join', code: 'ABCD-EFGH-JKLM' }, { type: 'pairing:state' }, { type: 'files:download', ih: 'a'.repeat(40) }] as Request[]) {
        await expect(view.ask(request)).rejects.toThrow(/ProtocolError: .*a headless node has no pairing or file sharing/);
      }
      expect(await view.ask<Settings>({ type: 'settings:get' })).toMatchObject({ enabled: true });
    } finally {
      view.close();
      await node.stop();
    }
  });

  it('settings changed in the dashboard hold across a restart, with their source in the status line, until a flag gives one a new value', async () => {
    const own = await mkdtemp(path.join(tmpdir(), 'meshdeck-node-state-'));
    const run = (room = 'headless') => {
      const proc = spawnNode(['--identity', path.join(own, 'e.json'), '--signaling', server.signalingUrl, '--relay', server.relayUrl, '--room', room]);
      running.push(proc);
      return proc;
    };
    const dashboardOf = async (proc: NodeProcess) => {
      await proc.started();
      await until(() => proc.dashboard() !== null, 10_000, 'the dashboard line');
      return viewSocket(proc.dashboard()!);
    };
    try {
      const first = run();
      const view = await dashboardOf(first);
      const changed = await view.ask<Settings>({ type: 'settings:update', patch: { room: 'lab', maxPeers: 3, trustedOnly: true, pauseIncoming: true } });
      expect(changed).toMatchObject({ room: 'lab', maxPeers: 3, trustedOnly: true, pauseIncoming: true });
      // The new room is on trial until the node connects with it (the endpoints' history then holds
      // it); only then is it written, with the same --room flag given again at the restart.
      await until(() => has(first.out, '| room lab |'), 10_000, 'the node in its new room');
      await until(() => view.ask<Settings[]>({ type: 'settings:history' }), 20_000, 'the trial keeps the new room', (history) => history.some((entry) => entry.room === 'lab'));
      view.close();
      first.child.kill('SIGTERM');
      expect(await exitWithin(first, 10_000)).toBe(0);

      const second = run();
      const again = await dashboardOf(second);
      expect(await again.ask<Settings>({ type: 'settings:get' })).toMatchObject({ room: 'lab', maxPeers: 3, trustedOnly: true, pauseIncoming: true, routing: true });
      await until(() => has(second.out, '| room lab | peers 0/3 |'), 10_000, 'a status line in the kept room');
      const status = second.out.filter((line) => line.startsWith('status: ')).at(-1)!;
      for (const part of ['signaling (flag)', 'relays (flag)', 'room lab (dashboard)', 'max peers 3 (dashboard)', 'pause incoming on (dashboard)', 'trusted peers only on (dashboard)']) {
        expect(status).toContain(part);
      }
      expect((await stat(path.join(own, 'state.json'))).mode & 0o777).toBe(0o600);
      again.close();
      second.child.kill('SIGTERM');
      expect(await exitWithin(second, 10_000)).toBe(0);

      // The operator now names another room on the command line: the newer word wins, the other changes stay.
      const third = run('elsewhere');
      const last = await dashboardOf(third);
      expect(await last.ask<Settings>({ type: 'settings:get' })).toMatchObject({ room: 'elsewhere', maxPeers: 3, trustedOnly: true });
      await until(() => has(third.out, 'room elsewhere (flag)') && has(third.out, 'trusted peers only on (dashboard)'), 10_000, 'the status line with the flag’s room');
      expect(has(third.out, "settings: the dashboard's room gives way to the flag's new value")).toBe(true);
      last.close();
      third.child.kill('SIGTERM');
      expect(await exitWithin(third, 10_000)).toBe(0);
      for (const proc of [first, second, third]) expect(proc.err).toEqual([]);
    } finally {
      await rm(own, { recursive: true, force: true });
    }
  }, 60_000);
});
