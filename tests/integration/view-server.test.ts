import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { envelope, OBSERVE_PORT, type Request } from '../../core/control/protocol';
import { FRAME_TOO_LARGE_CLOSE, MAX_VIEW_FRAME_BYTES, parseNodeFrame, tokenProtocol, VIEW_SOCKET_PROTOCOL, type NodeFrame, type ViewFrame } from '../../core/control/view-socket';
import { IMPORT_MAX_BYTES } from '../../core/blocklist/block-list';
import type { Observer } from '../../core/host/node-host';
import { startViewServer, type ViewServer } from '../../server/headless/view-server';
import { until } from '../support/until';

const TOKEN = 'test-token-0123456789';

/** A built dashboard's shape: the page, a chunk, a file beside them that is not the dashboard's. */
function fakeBuild(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'view-server-'));
  writeFileSync(path.join(root, 'options.html'), '<!doctype html><title>dashboard</title>');
  mkdirSync(path.join(root, 'chunks'));
  writeFileSync(path.join(root, 'chunks', 'options.js'), 'export {};');
  writeFileSync(path.join(root, 'manifest.json'), '{}');
  writeFileSync(path.join(root, '..', 'outside.txt'), 'secret');
  return root;
}

describe('the view server', () => {
  let server: ViewServer;
  let handled: Request[];
  let observers: Observer[];
  let origin: string;

  beforeEach(async () => {
    handled = [];
    observers = [];
    server = await startViewServer({
      root: fakeBuild(),
      token: TOKEN,
      port: 0,
      handle: async (request) => {
        handled.push(request);
        if (request.type === 'block:add') throw Object.assign(new Error('not an ID'), { name: 'BlockInputError' });
        return { answered: request.type };
      },
    });
    server.observers((observer) => observers.push(observer));
    origin = server.url.replace(/\/$/, '');
  });
  afterEach(() => server.close());

  const open = (protocols: string[], headers: Record<string, string> = { origin }) =>
    new Promise<{ ws: WebSocket; frames: NodeFrame[] } | number>((resolve) => {
      const ws = new WebSocket(`${origin.replace('http', 'ws')}/view`, protocols, { headers });
      const frames: NodeFrame[] = [];
      ws.on('message', (data) => frames.push(parseNodeFrame(data.toString())!));
      ws.on('open', () => resolve({ ws, frames }));
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => undefined);
    });
  const send = (ws: WebSocket, frame: ViewFrame) => ws.send(JSON.stringify(frame));

  it('serves the dashboard page and its chunks, and nothing else of the build or above it', async () => {
    const page = await fetch(server.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain(`connect-src 'self' ws://${new URL(server.url).host}`);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(await page.text()).toContain('dashboard');
    expect((await fetch(`${server.url}chunks/options.js`)).headers.get('content-type')).toContain('javascript');
    for (const other of ['manifest.json', 'chunks/../manifest.json', '%2e%2e/outside.txt', 'chunks/%2e%2e/%2e%2e/outside.txt', 'chunks/..%2f..%2foutside.txt', 'chunks%2f..%2f..%2foutside.txt', 'chunks/..%2fmanifest.json']) {
      expect((await fetch(`${server.url}${other}`)).status, other).toBe(404);
    }
    expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
  });

  it('refuses a socket without the token, with a wrong one, from another origin or under another host name', async () => {
    expect(await open([VIEW_SOCKET_PROTOCOL])).toBe(401);
    expect(await open([VIEW_SOCKET_PROTOCOL, tokenProtocol('wrong-token-0123456789')])).toBe(401);
    expect(await open([VIEW_SOCKET_PROTOCOL, tokenProtocol(TOKEN.slice(1))])).toBe(401);
    expect(await open([VIEW_SOCKET_PROTOCOL, tokenProtocol(TOKEN)], { origin: 'http://evil.example' })).toBe(403);
    expect(await open([VIEW_SOCKET_PROTOCOL, tokenProtocol(TOKEN)], { origin, host: `rebound.example:${new URL(origin).port}` })).toBe(421);
    expect(server.views).toBe(0);
  });

  it('takes the largest block-list import the import limit accepts, and closes for a larger frame with its own code (issue 23, item 12)', async () => {
    const opened = await open([VIEW_SOCKET_PROTOCOL, tokenProtocol(TOKEN)]);
    if (typeof opened === 'number') throw new Error(`refused: ${opened}`);
    const { ws, frames } = opened;
    // 1 Mi characters of 3 bytes each (and quotes, which JSON doubles): over the former 1 MiB frame bound.
    const heaviest = '€'.repeat(IMPORT_MAX_BYTES - 1) + '"';
    send(ws, { kind: 'request', id: 1, message: envelope({ type: 'block:import', text: heaviest }, 'background') });
    await until(() => frames.length === 1);
    expect(frames[0]).toEqual({ kind: 'reply', id: 1, reply: { ok: true, value: { answered: 'block:import' } } });
    expect((handled[0] as { text: string }).text).toBe(heaviest);

    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    ws.send('x'.repeat(MAX_VIEW_FRAME_BYTES + 1));
    expect(await closed).toBe(FRAME_TOO_LARGE_CLOSE);
    expect(handled).toHaveLength(1);
  });

  it('carries a view’s observe port to the host and its requests to the controller, refusing the host’s own requests', async () => {
    const opened = await open([VIEW_SOCKET_PROTOCOL, tokenProtocol(TOKEN)]);
    if (typeof opened === 'number') throw new Error(`refused: ${opened}`);
    const { ws, frames } = opened;
    expect(ws.protocol).toBe(VIEW_SOCKET_PROTOCOL);
    send(ws, { kind: 'connect', port: 3, name: OBSERVE_PORT });
    send(ws, { kind: 'connect', port: 4, name: 'not-an-observe-port' });
    await until(() => observers.length === 1 && frames.length === 1);
    expect(frames[0]).toEqual({ kind: 'disconnect', port: 4 });
    expect(observers[0]!.scope).toBe('full');
    observers[0]!.post({ type: 'trial', trial: null });
    await until(() => frames.length === 2);
    expect(frames[1]).toEqual({ kind: 'post', port: 3, message: { type: 'trial', trial: null } });

    send(ws, { kind: 'request', id: 7, message: envelope({ type: 'settings:get' }, 'background') });
    send(ws, { kind: 'request', id: 8, message: envelope({ type: 'block:add', id: 'x' }, 'background') });
    send(ws, { kind: 'request', id: 9, message: envelope({ type: 'host:boot' }, 'background') });
    await until(() => frames.length === 5);
    const replies = Object.fromEntries(frames.slice(2).map((f) => [(f as { id: number }).id, (f as { reply: unknown }).reply]));
    expect(replies[7]).toEqual({ ok: true, value: { answered: 'settings:get' } });
    expect(replies[8]).toMatchObject({ ok: false, error: { name: 'BlockInputError', message: 'not an ID' } });
    expect(replies[9]).toMatchObject({ ok: false, error: { name: 'ProtocolError' } });
    expect(handled.map((r) => r.type)).toEqual(['settings:get', 'block:add']);

    let closed = false;
    observers[0]!.onClose(() => (closed = true));
    ws.close();
    await until(() => closed);
  });
});
