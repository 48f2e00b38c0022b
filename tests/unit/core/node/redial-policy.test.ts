import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../../core/lib/clock';
import { HOLDS_KEPT, LIMIT_COOLDOWN_MS, PAUSED_RETRY_MS, REDIAL_FORBIDDEN_MS, RedialPolicy } from '../../../../core/node/redial-policy';

function clockAt(start: number): Clock & { t: number } {
  const clock = { t: start, now: () => clock.t, monotonic: () => clock.t, setTimeout: () => 0, clearTimeout: () => undefined, setInterval: () => 0, clearInterval: () => undefined };
  return clock;
}

describe('RedialPolicy', () => {
  it('holds a node 10 minutes after either user ended the connection, unless cleared', () => {
    const clock = clockAt(0);
    const policy = new RedialPolicy(clock);
    for (const reason of ['user-disconnect', 'remote:user-disconnect', 'remote:blocked'] as const) {
      policy.closed('n1', reason, true);
      clock.t += REDIAL_FORBIDDEN_MS - 1;
      expect(policy.mayDial('n1', clock.t)).toBe(false);
      clock.t += 1;
      expect(policy.mayDial('n1', clock.t)).toBe(true);
    }
    policy.closed('n1', 'user-disconnect', true);
    policy.clear('n1');
    expect(policy.mayDial('n1', clock.t)).toBe(true);
  });

  it('waits for a newer announce after the peer switched off', () => {
    const clock = clockAt(1000);
    const policy = new RedialPolicy(clock);
    policy.closed('n1', 'remote:shutdown', true);
    expect(policy.mayDial('n1', 999)).toBe(false);
    expect(policy.mayDial('n1', 1001)).toBe(true);
  });

  it('retries a paused peer after 30 s', () => {
    const clock = clockAt(0);
    const policy = new RedialPolicy(clock);
    policy.closed('n1', 'remote:paused', true);
    clock.t = PAUSED_RETRY_MS - 1;
    expect(policy.mayDial('n1', 0)).toBe(false);
    clock.t = PAUSED_RETRY_MS;
    expect(policy.mayDial('n1', 0)).toBe(true);
  });

  it('backs off exponentially after failures and forgets them once connected', () => {
    const clock = clockAt(0);
    const policy = new RedialPolicy(clock, () => 1);
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const from = clock.t;
      policy.closed('n1', 'handshake-timeout', false, { ourDial: true });
      while (!policy.mayDial('n1', 0)) clock.t += 100;
      waits.push(clock.t - from);
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000]);
    policy.clear('n1');
    policy.closed('n1', 'dead', true);
    clock.t += 1000;
    expect(policy.mayDial('n1', 0)).toBe(true);
  });

  it('holds a dial nobody answered until a record signed after it, besides the backoff', () => {
    const clock = clockAt(0);
    const policy = new RedialPolicy(clock, () => 1);
    const recordTs = clock.now();
    clock.t = 500;
    policy.closed('n1', 'handshake-timeout', false, { ourDial: true, unanswered: true });
    clock.t += 60_000;
    expect(policy.mayDial('n1', recordTs)).toBe(false);
    expect(policy.mayDial('n1', clock.now())).toBe(true);
    // Answered but never ready: the backoff alone.
    policy.closed('n2', 'handshake-timeout', false, { ourDial: true });
    clock.t += 1000;
    expect(policy.mayDial('n2', recordTs)).toBe(true);
  });

  it('does not hold a node for its own shutdown or a replaced duplicate', () => {
    const policy = new RedialPolicy(clockAt(0));
    policy.closed('n1', 'shutdown', true);
    policy.closed('n1', 'duplicate', true);
    expect(policy.mayDial('n1', 0)).toBe(true);
  });
});

describe('RedialPolicy under protocol v2', () => {
  it('a bye before ready imposes no 10-minute hold, only the failure backoff', () => {
    const clock = clockAt(0);
    const policy = new RedialPolicy(clock, () => 1);
    policy.closed('n1', 'remote:blocked', false);
    policy.closed('n2', 'remote:user-disconnect', false);
    clock.t = 1001;
    expect(policy.mayDial('n1', 0)).toBe(true);
    expect(policy.mayDial('n2', 0)).toBe(true);
  });

  it('cools down before redialling a peer whose ready connection closed for limit, either way', () => {
    const clock = clockAt(0);
    const policy = new RedialPolicy(clock);
    policy.closed('n1', 'limit', true);
    policy.closed('n2', 'remote:limit', true);
    clock.t = LIMIT_COOLDOWN_MS - 1;
    expect(policy.mayDial('n1', 0) || policy.mayDial('n2', 0)).toBe(false);
    clock.t = LIMIT_COOLDOWN_MS;
    expect(policy.mayDial('n1', 0) && policy.mayDial('n2', 0)).toBe(true);
  });

  it('holds nobody on the word or deeds of a connection that never became ready: only the failure backoff of its own dials (issue 23)', () => {
    // Before the handshake the ID is the signaling path's claim: a stranger opening a link as n1 and
    // saying bye limit (or paused, or getting itself closed for limit) must not keep us from dialling n1.
    const clock = clockAt(0);
    const policy = new RedialPolicy(clock, () => 1);
    const reasons = ['remote:limit', 'limit', 'remote:paused', 'protocol-error', 'remote:blocked', 'remote:user-disconnect'] as const;
    reasons.forEach((reason, i) => policy.closed(`n${i}`, reason, false, { ourDial: true }));
    clock.t = 999;
    expect(reasons.filter((_, i) => policy.mayDial(`n${i}`, 0))).toEqual([]);
    clock.t = 1000;
    expect(reasons.filter((_, i) => policy.mayDial(`n${i}`, 0))).toEqual(reasons);
    // An inbound or tracker link (not this node's dial to an ID it chose) holds nothing at all, however
    // often a stranger renews it.
    for (let i = 0; i < 10; i++) reasons.forEach((reason, j) => policy.closed(`s${j}`, reason, false));
    expect(reasons.filter((_, j) => policy.mayDial(`s${j}`, 0))).toEqual(reasons);
    // This node's own user's word holds whenever it is said: it is nobody's claim, and no later close
    // before ready shortens it.
    policy.closed('n9', 'user-disconnect', false);
    policy.closed('n9', 'remote:limit', false, { ourDial: true });
    clock.t += REDIAL_FORBIDDEN_MS - 1;
    expect(policy.mayDial('n9', 0)).toBe(false);
  });

  it('keeps a bounded number of holds and forgets those long over', () => {
    const clock = clockAt(0);
    const policy = new RedialPolicy(clock, () => 1);
    for (let i = 0; i < HOLDS_KEPT + 10; i++) policy.closed(`n${i}`, 'dead', true);
    expect(policy.size).toBe(HOLDS_KEPT);
    clock.t = 10 * 60_000;
    policy.prune();
    expect(policy.size).toBe(0);
  });
});
