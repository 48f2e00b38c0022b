/**
 * Connection strength 0–4, the single figure the popup's meter shows.
 *
 * - 0: not ready, or the heartbeat has gone quiet (two pings in a row missed).
 * - Otherwise start from round-trip time: < 50 ms → 4, < 150 ms → 3, < 400 ms → 2, else 1. A connection
 *   that is ready but has no pong yet scores 2: it works, we just do not know how well.
 * - Loss takes points off: > 2 % −1, > 10 % −2, > 30 % caps at 1.
 * - One missed ping (answer late by a full interval) takes a point off.
 * - A ready connection never scores below 1: 0 means "not usable".
 */
import type { Strength } from './peer-snapshot';

interface StrengthInputs {
  ready: boolean;
  rttMs: number | null;
  loss: number;
  missedInARow: number;
}

export function strengthScore({ ready, rttMs, loss, missedInARow }: StrengthInputs): Strength {
  if (!ready || missedInARow >= 2) return 0;
  let score = rttMs === null ? 2 : rttMs < 50 ? 4 : rttMs < 150 ? 3 : rttMs < 400 ? 2 : 1;
  if (loss > 0.3) score = Math.min(score, 1);
  else if (loss > 0.1) score -= 2;
  else if (loss > 0.02) score -= 1;
  score -= missedInARow;
  return Math.max(1, Math.min(4, score)) as Strength;
}

export const STRENGTH_WORDS = ['none', 'weak', 'fair', 'good', 'excellent'] as const;
