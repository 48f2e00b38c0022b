import { describe, expect, it } from 'vitest';
import { signal } from '@preact/signals';
import { runAction, type ActionStatus } from '../../../../components/ui/action-status';

const words = { action: 'ping n', pending: 'Pinging n…', done: (ms: number) => `${ms} ms` };

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('runAction', () => {
  it('shows pending, then the outcome in words', async () => {
    const status = signal<ActionStatus | null>(null);
    const reply = deferred<number>();
    const run = runAction(status, words, () => reply.promise);
    expect(status.value).toEqual({ kind: 'pending', text: 'Pinging n…' });
    reply.resolve(23);
    await expect(run).resolves.toBe(23);
    expect(status.value).toEqual({ kind: 'ok', text: '23 ms' });

    await expect(runAction(status, words, () => Promise.reject(new Error('no route')))).resolves.toBeNull();
    expect(status.value).toEqual({ kind: 'error', text: 'Could not ping n: no route.' });
  });

  it("leaves a newer run's status alone when an older one finishes late", async () => {
    const status = signal<ActionStatus | null>(null);
    const older = deferred<number>();
    const first = runAction(status, words, () => older.promise);
    await runAction(status, words, async () => 5);
    older.resolve(90);
    await first;
    expect(status.value).toEqual({ kind: 'ok', text: '5 ms' });
  });

  it('writes nothing once the signal is aborted, during the run or before it', async () => {
    const status = signal<ActionStatus | null>(null);
    const scope = new AbortController();
    const reply = deferred<number>();
    const run = runAction(status, { ...words, signal: scope.signal }, () => reply.promise);
    scope.abort();
    reply.reject(new Error('late'));
    await expect(run).resolves.toBeNull();
    expect(status.value).toEqual({ kind: 'pending', text: 'Pinging n…' });

    status.value = null;
    let ran = false;
    const late = runAction(status, { ...words, signal: scope.signal }, async () => {
      ran = true;
      return 1;
    });
    await expect(late).resolves.toBeNull();
    expect(ran).toBe(false);
    expect(status.value).toBeNull();
  });
});
