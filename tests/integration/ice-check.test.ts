import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installNodeWebRTC } from '../../server/node-webrtc';
import { checkIceServer } from '../../core/signaling/ice-check';
import { systemClock } from '../../core/lib/clock';
import { startTurnServer, type TurnServer } from '../support/turn-server';

let turn: TurnServer;
beforeAll(async () => {
  installNodeWebRTC();
  turn = await startTurnServer();
});
afterAll(() => turn?.stop());

describe('checkIceServer against a real TURN server (coturn on loopback)', () => {
  it('gathers a relay candidate with the right credential', async () => {
    const result = await checkIceServer({ urls: turn.url, username: turn.username, credential: turn.credential }, systemClock);
    expect(result).toMatchObject({ url: turn.url, state: 'ok', error: null });
    expect(turn.allocations()).toBeGreaterThan(0);
  });

  it('says the server refused a wrong credential, and never repeats the credential', async () => {
    const result = await checkIceServer({ urls: turn.url, username: turn.username, credential: 'wrong-secret' }, systemClock);
    expect(result.state).toBe('failed');
    expect(result.error).toMatch(/refused the username or credential \(401/);
    expect(JSON.stringify(result)).not.toContain('wrong-secret');
  });

  it('reports a server that does not answer', async () => {
    const result = await checkIceServer({ urls: 'turn:127.0.0.1:9?transport=udp', username: 'a', credential: 'b' }, systemClock, { timeoutMs: 1500 });
    expect(result.state).toBe('failed');
    expect(result.error).toBeTruthy();
  });
});
