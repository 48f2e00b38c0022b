/**
 * Small pure formatters for the views. Every one of them returns text a person reads (and an e2e test
 * compares), never markup. Values that are unknown or nonsensical (null, NaN, negative) come out as
 * an em dash rather than a misleading number.
 */
import type { Strength } from '../../core/node/observed-state';
import { STRENGTH_WORDS } from '../../core/session/strength';

/** Shown for values the node has not measured yet. */
export const UNKNOWN = '—';

const SIZE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB'] as const;

function isMeasured(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/**
 * Decimal (SI) sizes, as network rates are usually quoted: "0 B", "512 B", "12.3 kB", "123 kB",
 * "1.2 MB". One decimal below 100 of a unit, none above; bytes are always whole.
 */
export function formatBytes(bytes: number | null | undefined): string {
  if (!isMeasured(bytes)) return UNKNOWN;
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  let value = bytes / 1000;
  let unit = 1;
  // Step up after rounding, so 999 960 B reads "1.0 MB" rather than "1000 kB".
  while (unit < SIZE_UNITS.length - 1 && Math.round(value) >= 1000) {
    value /= 1000;
    unit++;
  }
  const text = Number(value.toFixed(1)) < 100 ? value.toFixed(1) : String(Math.round(value));
  return `${text} ${SIZE_UNITS[unit]}`;
}

/** Bytes per second: "12.3 kB/s". */
export function formatRate(bytesPerSecond: number | null | undefined): string {
  const size = formatBytes(bytesPerSecond);
  return size === UNKNOWN ? UNKNOWN : `${size}/s`;
}

/** A duration such as a round trip: "0.8 ms", "42 ms", "1.2 s"; null (not measured yet) is "—". */
export function formatMs(ms: number | null | undefined): string {
  if (!isMeasured(ms)) return UNKNOWN;
  if (ms < 10) return `${trimZero(ms.toFixed(1))} ms`;
  if (Math.round(ms) < 1000) return `${Math.round(ms)} ms`;
  return `${trimZero((ms / 1000).toFixed(ms < 10_000 ? 2 : 1))} s`;
}

/** Packet loss from a share (0–1): "0%", "3.3%", "12%", "100%". */
export function formatLoss(share: number | null | undefined): string {
  if (!isMeasured(share)) return UNKNOWN;
  const percent = Math.min(share, 1) * 100;
  if (percent === 0) return '0%';
  if (percent < 10) return `${trimZero(percent.toFixed(1))}%`;
  return `${Math.round(percent)}%`;
}

/** 0 "none", 1 "weak", 2 "fair", 3 "good", 4 "excellent". */
export function strengthWord(strength: number): string {
  return STRENGTH_WORDS[clampStrength(strength)];
}

/** "3 of 4 — good": the meter's aria-valuetext and the dashboard's strength column. */
export function formatStrength(strength: number): string {
  const s = clampStrength(strength);
  return `${s} of 4 — ${STRENGTH_WORDS[s]}`;
}

export function clampStrength(strength: number): Strength {
  if (!Number.isFinite(strength)) return 0;
  return Math.max(0, Math.min(4, Math.round(strength))) as Strength;
}

/**
 * How long ago `then` was, seen from `now` (both ms since epoch): "just now", "12 s ago",
 * "5 min ago", "3 h ago", "2 d ago"; null is "never". A `then` slightly in the future (clock skew
 * between contexts) reads "just now".
 */
export function formatRelativeTime(then: number | null | undefined, now: number): string {
  if (then === null || then === undefined || !Number.isFinite(then)) return 'never';
  const seconds = Math.floor((now - then) / 1000);
  if (seconds < 1) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

/**
 * A length of time: "0 s", "12 s", "2 min", "3 h", "2 d" (whole units, rounded down), for "open for
 * 2 min". Negative or unknown durations are "—".
 */
export function formatDuration(ms: number | null | undefined): string {
  if (!isMeasured(ms)) return UNKNOWN;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h`;
  return `${Math.floor(hours / 24)} d`;
}

/** Hours are the largest: "the last 24 hours" reads better than "the last 1 day". */
const SPAN_UNITS = [
  ['hour', 60 * 60_000],
  ['minute', 60_000],
  ['second', 1000],
] as const;

/**
 * A span in words, for a sentence that states a rule ("does not dial it again for 10 minutes"): in
 * the largest unit it is a whole number of, "15 seconds", "1 minute", "24 hours"; else in seconds,
 * rounded. formatDuration is for a measured time ("open for 2 min").
 */
export function formatSpan(ms: number): string {
  const [unit, size] = SPAN_UNITS.find(([, size]) => ms >= size && ms % size === 0) ?? SPAN_UNITS[2];
  return countOf(Math.round(ms / size), unit);
}

/** A span after "the last", "a" or "every": "minute" for one unit, else as formatSpan ("2 minutes"). */
export function formatPeriod(ms: number): string {
  const span = formatSpan(ms);
  return span.startsWith('1 ') ? span.slice(2) : span;
}

/** A size limit as the code states it (50 MiB is 52,428,800 bytes, not "52.4 MB"). */
export function formatLimit(bytes: number): string {
  const mib = bytes / 2 ** 20;
  return Number.isInteger(mib) ? `${mib} MiB` : formatBytes(bytes);
}

/** "1 node", "3 nodes"; `plural` defaults to `singular` + "s". */
export function countOf(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}

/** The first 8 characters of a node or user ID and "…"; shorter IDs are returned whole. */
export function shortId(id: string): string {
  return id.length > 8 ? `${id.slice(0, 8)}…` : id;
}

function trimZero(fixed: string): string {
  return fixed.replace(/\.0+$/, '');
}

/**
 * Time left on a countdown, as a clock reads it: "14:32", "0:05", "1:00:00" (whole seconds, rounded
 * up so that it never shows 0:00 while time is left). Past or unknown is "0:00".
 */
export function formatCountdown(ms: number | null | undefined): string {
  const total = isMeasured(ms) ? Math.ceil(ms / 1000) : 0;
  const s = total % 60;
  const m = Math.floor(total / 60) % 60;
  const h = Math.floor(total / 3600);
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
