import { describe, expect, it } from 'vitest';
import { PeerScores, SCORE_RECOVERY_PER_SECOND } from '../../../../core/node/peer-scores';

describe('PeerScores', () => {
  it('starts clean, loses points with the reason, and recovers towards 0 by itself', () => {
    let now = 0;
    const scores = new PeerScores(() => now);
    expect(scores.scoreOf('n1')).toEqual({ score: 0, lastPenalty: null });
    expect(scores.penalize('n1', 10, 'bad route signature')).toBe(-10);
    expect(scores.penalize('n1', 10, 'malformed route')).toBe(-20);
    expect(scores.scoreOf('n1')).toEqual({ score: -20, lastPenalty: 'malformed route' });
    now = (10 / SCORE_RECOVERY_PER_SECOND) * 1000;
    expect(scores.scoreOf('n1').score).toBe(-10);
    now *= 10;
    expect(scores.scoreOf('n1')).toEqual({ score: 0, lastPenalty: 'malformed route' });
    expect(scores.scoreOf('n2').score).toBe(0);
  });
});
