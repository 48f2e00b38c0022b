/**
 * BackgroundLog alone: the background's lines go to the host at once, wait while no host hears them
 * (the newest 50 kept), and go with the next delivery.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackgroundLog } from '../../../../core/control/background-log';
import type { BackgroundLogLine } from '../../../../core/control/host-handle';

describe('BackgroundLog', () => {
  afterEach(() => vi.restoreAllMocks());

  it('delivers a line at once, and keeps lines no host heard for the next delivery, in order', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const delivered: BackgroundLogLine[][] = [];
    let hears = false;
    const log = new BackgroundLog(async (lines) => {
      if (!hears) throw new Error('no host');
      delivered.push(lines);
    });
    log.report('warn', 'background:host', 'first');
    log.report('info', 'background:identity', 'second');
    await Promise.resolve();
    expect(delivered).toEqual([]);
    hears = true;
    await log.flush();
    expect(delivered).toEqual([[{ level: 'warn', type: 'background:host', message: 'first' }, { level: 'info', type: 'background:identity', message: 'second' }]]);
    // Nothing waits any more: the next flush sends nothing.
    await log.flush();
    expect(delivered).toHaveLength(1);
  });

  it('keeps the newest 50 lines while no host hears', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const delivered: BackgroundLogLine[] = [];
    let hears = false;
    const log = new BackgroundLog(async (lines) => {
      if (!hears) throw new Error('no host');
      delivered.push(...lines);
    });
    for (let i = 0; i < 80; i++) log.report('warn', 'background:test', `line ${i}`);
    await Promise.resolve();
    hears = true;
    await log.flush();
    expect(delivered.map((l) => l.message)).toEqual(Array.from({ length: 50 }, (_, i) => `line ${30 + i}`));
  });
});
