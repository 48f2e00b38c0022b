import { describe, expect, it } from 'vitest';
import type { LogEntry, LogLevel } from '../../../../../core/node/observed-state';
import { createLogModel, LOG_LIMIT, mergeLog } from '../../../../../components/dashboard/diagnostics/log-model';
import { fakeViewClient } from '../../../../support/fake-view-client';

const entry = (seq: number, level: LogLevel = 'info'): LogEntry => ({ seq, at: seq * 1000, level, type: 'peer:ready', message: `event ${seq}` });

describe('mergeLog', () => {
  it('adds unseen entries newest first and keeps at most the limit', () => {
    const a = mergeLog([], [entry(1), entry(3), entry(2)]);
    expect(a.map((e) => e.seq)).toEqual([3, 2, 1]);
    expect(mergeLog(a, [entry(2), entry(3)])).toBe(a);
    const many = mergeLog(a, Array.from({ length: 600 }, (_, i) => entry(i + 10)));
    expect(many).toHaveLength(LOG_LIMIT);
    expect(many[0]!.seq).toBe(609);
  });

  it('starts afresh when a known seq comes back with other content (the log restarted)', () => {
    const old = mergeLog([], [entry(1), entry(2)]);
    const restarted = { ...entry(1), at: 99_000, message: 'new node' };
    expect(mergeLog(old, [restarted]).map((e) => e.message)).toEqual(['new node']);
    // The old buffer no longer holds seq 1: an unseen number below the newest also means a restart.
    const late = mergeLog([], [entry(700), entry(701)]);
    expect(mergeLog(late, [entry(2)]).map((e) => e.seq)).toEqual([2]);
  });
});

describe('createLogModel', () => {
  it('deduplicates, resets on a fresh buffer and filters by level', () => {
    const fake = fakeViewClient();
    const model = createLogModel(fake.client);
    fake.log([entry(1, 'debug'), entry(2, 'warn'), entry(3, 'error')], true);
    fake.log([entry(3, 'error'), entry(4, 'info')]);
    expect(model.entries.value.map((e) => e.seq)).toEqual([4, 3, 2, 1]);
    model.setFilter('warn');
    expect(model.visible.value.map((e) => e.seq)).toEqual([3, 2]);
    model.setFilter('error');
    expect(model.visible.value.map((e) => e.seq)).toEqual([3]);
    model.setFilter('all');
    expect(model.visible.value).toBe(model.entries.value);

    // A re-created host counts from 1 again: its buffer replaces ours.
    fake.log([entry(1, 'info')], true);
    expect(model.entries.value.map((e) => e.message)).toEqual(['event 1']);
    model.dispose();
    expect(fake.listenerCount).toBe(0);
  });
});
