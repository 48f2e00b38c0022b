/**
 * What the node host lets through of the `pair` frames ready peers send (issue 23, item 2). A `join`
 * costs a round trip to the background and, while a code is on show, a key derivation of
 * PAIRING_KDF_ITERATIONS rounds there; a peer may send 200 frames a second. So, per session:
 * - every `pair` frame spends the session's pairing budget (PAIR_FRAME_BURST, then one every
 *   PAIR_FRAME_INTERVAL_MS); a frame over it is dropped;
 * - a join that is not well formed (isWellFormedJoin) is dropped unread;
 * - one join at a time: another that arrives while the session's join is with the background is
 *   dropped. (The background takes one attempt per connection and code, PairingOffers.attempt.)
 * Dropped means no reply: an honest joiner sends none of these.
 */
import { TokenBucket } from '../lib/token-bucket';
import type { Pair } from '../session/wire';
import { isWellFormedJoin } from './pairing-exchange';

/** Pair frames one session may send at once, then one per PAIR_FRAME_INTERVAL_MS: a person pairs at the pace of typing a code. */
export const PAIR_FRAME_BURST = 4;
export const PAIR_FRAME_INTERVAL_MS = 15_000;

/** What becomes of one frame: carried to the background (a join), let pass (another step), or why it is dropped. */
type PairVerdict = 'carry' | 'pass' | 'over budget' | 'malformed join' | 'join already under way';

interface SessionState {
  budget: TokenBucket;
  answering: boolean;
  dropped: number;
}

export class PairFrameGate {
  /** By session: forgotten with it. */
  private readonly sessions = new WeakMap<object, SessionState>();

  constructor(private readonly monotonic: () => number) {}

  /** Called for each `pair` frame a ready peer sent on `session`. A `carry` must be followed by answered(). */
  admit(session: object, message: Pair): PairVerdict {
    const state = this.stateOf(session);
    const verdict = this.judge(state, message);
    if (verdict === 'carry') state.answering = true;
    else if (verdict !== 'pass') state.dropped++;
    return verdict;
  }

  /** The background answered the join carried for `session`, or failed to: the session may send another. */
  answered(session: object): void {
    const state = this.sessions.get(session);
    if (state) state.answering = false;
  }

  /** Frames of `session` dropped so far (the host logs the first). */
  dropped(session: object): number {
    return this.sessions.get(session)?.dropped ?? 0;
  }

  private judge(state: SessionState, message: Pair): PairVerdict {
    if (!state.budget.take(this.monotonic())) return 'over budget';
    if (message.step !== 'join') return 'pass';
    if (!isWellFormedJoin(message)) return 'malformed join';
    if (state.answering) return 'join already under way';
    return 'carry';
  }

  private stateOf(session: object): SessionState {
    let state = this.sessions.get(session);
    if (!state) {
      state = { budget: new TokenBucket(1000 / PAIR_FRAME_INTERVAL_MS, PAIR_FRAME_BURST, this.monotonic()), answering: false, dropped: 0 };
      this.sessions.set(session, state);
    }
    return state;
  }
}
