import { describe, expect, it } from 'vitest';
import {
  countOf,
  formatCountdown,
  formatDuration,
  formatBytes,
  formatLoss,
  formatMs,
  formatPeriod,
  formatRate,
  formatRelativeTime,
  formatSpan,
  formatStrength,
  shortId,
  strengthWord,
} from '../../../../components/ui/format';

describe('formatRate / formatBytes', () => {
  it('uses decimal units with one decimal below 100', () => {
    expect(formatRate(0)).toBe('0 B/s');
    expect(formatRate(512)).toBe('512 B/s');
    expect(formatRate(999)).toBe('999 B/s');
    expect(formatRate(1000)).toBe('1.0 kB/s');
    expect(formatRate(12_345)).toBe('12.3 kB/s');
    expect(formatRate(123_456)).toBe('123 kB/s');
    expect(formatRate(1_250_000)).toBe('1.3 MB/s');
    expect(formatBytes(3_000_000_000)).toBe('3.0 GB');
  });

  it('steps up a unit when rounding would reach 1000', () => {
    expect(formatBytes(999_400)).toBe('999 kB');
    expect(formatBytes(999_960)).toBe('1.0 MB');
    expect(formatBytes(99_960)).toBe('100 kB');
  });

  it('shows unknown values as a dash', () => {
    expect(formatRate(Number.NaN)).toBe('—');
    expect(formatRate(-1)).toBe('—');
    expect(formatBytes(null)).toBe('—');
  });
});

describe('formatMs', () => {
  it('formats round trips', () => {
    expect(formatMs(0.84)).toBe('0.8 ms');
    expect(formatMs(3)).toBe('3 ms');
    expect(formatMs(42.4)).toBe('42 ms');
    expect(formatMs(999.4)).toBe('999 ms');
    expect(formatMs(1234)).toBe('1.23 s');
    expect(formatMs(12_340)).toBe('12.3 s');
  });

  it('shows a dash before the first pong', () => {
    expect(formatMs(null)).toBe('—');
  });
});

describe('formatLoss', () => {
  it('formats a share as a percentage', () => {
    expect(formatLoss(0)).toBe('0%');
    expect(formatLoss(1 / 30)).toBe('3.3%');
    expect(formatLoss(0.05)).toBe('5%');
    expect(formatLoss(0.123)).toBe('12%');
    expect(formatLoss(1)).toBe('100%');
    expect(formatLoss(1.5)).toBe('100%');
    expect(formatLoss(Number.NaN)).toBe('—');
  });
});

describe('strength', () => {
  it('names every level', () => {
    expect([0, 1, 2, 3, 4].map(strengthWord)).toEqual(['none', 'weak', 'fair', 'good', 'excellent']);
  });

  it('describes the level out of 4, clamping nonsense', () => {
    expect(formatStrength(3)).toBe('3 of 4 — good');
    expect(formatStrength(0)).toBe('0 of 4 — none');
    expect(formatStrength(9)).toBe('4 of 4 — excellent');
    expect(formatStrength(-2)).toBe('0 of 4 — none');
    expect(formatStrength(Number.NaN)).toBe('0 of 4 — none');
  });
});

describe('formatRelativeTime', () => {
  const now = 1_700_000_000_000;
  it('counts back from now', () => {
    expect(formatRelativeTime(now - 200, now)).toBe('just now');
    expect(formatRelativeTime(now + 3000, now)).toBe('just now');
    expect(formatRelativeTime(now - 12_000, now)).toBe('12 s ago');
    expect(formatRelativeTime(now - 59_999, now)).toBe('59 s ago');
    expect(formatRelativeTime(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(formatRelativeTime(now - 3 * 3_600_000, now)).toBe('3 h ago');
    expect(formatRelativeTime(now - 50 * 3_600_000, now)).toBe('2 d ago');
  });

  it('says never for null', () => {
    expect(formatRelativeTime(null, now)).toBe('never');
  });
});

describe('shortId', () => {
  it('keeps the first 8 characters', () => {
    expect(shortId('a1b2c3d4e5f6a7b8')).toBe('a1b2c3d4…');
    expect(shortId('a1b2c3d4')).toBe('a1b2c3d4');
    expect(shortId('')).toBe('');
  });
});

describe('formatDuration', () => {
  it('says how long, in whole units', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(12_900)).toBe('12 s');
    expect(formatDuration(125_000)).toBe('2 min');
    expect(formatDuration(3 * 3_600_000 + 1)).toBe('3 h');
    expect(formatDuration(49 * 3_600_000)).toBe('2 d');
    expect(formatDuration(-5)).toBe('—');
    expect(formatDuration(null)).toBe('—');
  });
});

describe('formatSpan / formatPeriod', () => {
  it('words a span in the largest whole unit, hours at most', () => {
    expect(formatSpan(15_000)).toBe('15 seconds');
    expect(formatSpan(60_000)).toBe('1 minute');
    expect(formatSpan(90_000)).toBe('90 seconds');
    expect(formatSpan(10 * 60_000)).toBe('10 minutes');
    expect(formatSpan(60 * 60_000)).toBe('1 hour');
    expect(formatSpan(24 * 60 * 60_000)).toBe('24 hours');
    expect(formatSpan(1500)).toBe('2 seconds');
  });

  it('drops the one of a single unit, for "the last minute" and "a second"', () => {
    expect(formatPeriod(60_000)).toBe('minute');
    expect(formatPeriod(1000)).toBe('second');
    expect(formatPeriod(2 * 60_000)).toBe('2 minutes');
    expect(formatPeriod(24 * 60 * 60_000)).toBe('24 hours');
  });
});

describe('countOf', () => {
  it('picks singular or plural', () => {
    expect(countOf(1, 'node')).toBe('1 node');
    expect(countOf(0, 'node')).toBe('0 nodes');
    expect(countOf(2, 'neighbour')).toBe('2 neighbours');
    expect(countOf(3, 'entry', 'entries')).toBe('3 entries');
  });
});

describe('formatCountdown', () => {
  it('reads like a clock, rounding up to whole seconds', () => {
    expect(formatCountdown(872_000)).toBe('14:32');
    expect(formatCountdown(871_001)).toBe('14:32');
    expect(formatCountdown(5_000)).toBe('0:05');
    expect(formatCountdown(1)).toBe('0:01');
    expect(formatCountdown(3_600_000)).toBe('1:00:00');
    expect(formatCountdown(15 * 60_000)).toBe('15:00');
    expect(formatCountdown(0)).toBe('0:00');
    expect(formatCountdown(-5)).toBe('0:00');
    expect(formatCountdown(null)).toBe('0:00');
  });
});
