import { describe, expect, it } from 'vitest';
import { IceChecks } from '../../../../core/node/ice-checks';
import type { IceServerCheck } from '../../../../core/node/observed-state';
import { FakeClock } from '../../../support/fake-clock';

describe('IceChecks', () => {
  it('shows each server as checking, then its own result, and drops late answers of a replaced list', async () => {
    const clock = new FakeClock();
    const answers = new Map<string, (result: IceServerCheck) => void>();
    const heard: IceServerCheck[] = [];
    const checks = new IceChecks(
      (server) => new Promise((resolve) => answers.set(String(server.urls), resolve)),
      clock,
      (result) => heard.push(result),
    );
    checks.start([{ urls: 'stun:127.0.0.1:3478' }, { urls: ['turn:127.0.0.1:3478'], username: 'u', credential: 'secret' }]);
    expect(checks.snapshot().map((c) => [c.url, c.state])).toEqual([['stun:127.0.0.1:3478', 'checking'], ['turn:127.0.0.1:3478', 'checking']]);
    answers.get('turn:127.0.0.1:3478')!({ url: 'turn:127.0.0.1:3478', state: 'failed', error: 'refused (401 Unauthorized)', at: 2 });
    await Promise.resolve();
    await Promise.resolve();
    expect(checks.snapshot().map((c) => c.state)).toEqual(['checking', 'failed']);
    expect(JSON.stringify(checks.snapshot())).not.toContain('secret');
    checks.start([]);
    answers.get('stun:127.0.0.1:3478')!({ url: 'stun:127.0.0.1:3478', state: 'ok', error: null, at: 3 });
    await Promise.resolve();
    await Promise.resolve();
    expect(checks.snapshot()).toEqual([]);
    expect(heard.map((r) => r.state)).toEqual(['failed']);
  });
});

describe('IceChecks and the connections of checks under way', () => {
  it('stop() and a new run end the checks still running, so their connections close now, not at their timeout', () => {
    const clock = new FakeClock();
    const signals: AbortSignal[] = [];
    const checks = new IceChecks(
      (_server, _clock, options) => {
        signals.push(options!.signal!);
        return new Promise(() => undefined);
      },
      clock,
      () => undefined,
    );
    checks.start([{ urls: 'stun:127.0.0.1:3478' }]);
    checks.start([{ urls: 'stun:127.0.0.1:3479' }]);
    expect(signals.map((s) => s.aborted)).toEqual([true, false]);
    checks.stop();
    expect(signals.map((s) => s.aborted)).toEqual([true, true]);
  });
});
