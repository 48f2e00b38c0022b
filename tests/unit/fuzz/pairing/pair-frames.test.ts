/**
 * Fuzzing what a peer's `pair` frames reach (issue 23, item 2): parsed by parseWireMessage, judged by
 * the node host's PairFrameGate, then answered by answerJoin in the background. Whatever the frames,
 * the gate carries only well-formed joins, one at a time per session and within the session's budget,
 * and a join answerJoin takes for malformed spends none of the live offer's attempts.
 */
import { describe, expect } from 'vitest';
import { fc, it } from '@fast-check/vitest';
import { parseWireMessage, WireError, type Pair } from '../../../../core/session/wire';
import { PAIR_FRAME_BURST, PAIR_FRAME_INTERVAL_MS, PairFrameGate } from '../../../../core/pairing/pair-frame-gate';
import { answerJoin, isWellFormedJoin, PAIRING_ATTEMPTS, PairingOffers } from '../../../../core/pairing/pairing-exchange';
import { decode, decodeAsync, fuzzTally } from '../../../support/fuzz-tally';
import { hostileString, jsonToken, objectText, quoted } from '../../../support/fuzz-arbitraries';

const tally = fuzzTally(__filename);
const OFFERER = 'n' + 'abcdefgh'.padEnd(26, 'q');

const base64url = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), minLength: min, maxLength: max });
/** Fields near and at their sizes (proof 43, iv 16, box ≥ 22 base64url characters), and hostile text. */
const field = (exact: number) => fc.oneof(quoted(base64url(exact, exact)), quoted(base64url(exact - 2, exact + 2)), quoted(hostileString), jsonToken);

/** Frames shaped like `pair` messages: mostly joins, with the right fields most of the time. */
const pairFrame = objectText({
  t: fc.oneof({ weight: 6, arbitrary: fc.constant('"pair"') }, { weight: 1, arbitrary: quoted(hostileString) }),
  step: fc.oneof({ weight: 4, arbitrary: fc.constant('"join"') }, { weight: 2, arbitrary: quoted(fc.constantFrom('offer', 'refused')) }, { weight: 1, arbitrary: quoted(hostileString) }),
  proof: field(43),
  iv: field(16),
  box: fc.oneof(quoted(base64url(0, 80)), quoted(hostileString), jsonToken),
});

/** The pair message a frame parses to, or null (another type, or a WireError). */
function pairOf(frame: string): Pair | null {
  const outcome = decode('parseWireMessage', [WireError], () => parseWireMessage(frame));
  return 'value' in outcome && outcome.value?.t === 'pair' ? outcome.value : null;
}

type Step = { frame: string; session: number; answer: boolean; waitMs: number };
const step: fc.Arbitrary<Step> = fc.record({
  frame: pairFrame,
  session: fc.integer({ min: 0, max: 2 }),
  answer: fc.boolean(),
  waitMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 * PAIR_FRAME_INTERVAL_MS })),
});

describe('pair frames under fuzzing', () => {
  it('carries a well-formed join and refuses a bare one (positive control)', () => {
    const gate = new PairFrameGate(() => 0);
    const join = pairOf(JSON.stringify({ t: 'pair', step: 'join', proof: 'A'.repeat(43), iv: 'B'.repeat(16), box: 'C'.repeat(40) }))!;
    expect(gate.admit({}, join)).toBe('carry');
    expect(gate.admit({}, pairOf('{"t":"pair","step":"join"}')!)).toBe('malformed join');
  });

  it.prop([fc.array(step, { minLength: 1, maxLength: 40 })], { seed: 0x9a1 + 1, numRuns: 4_000 })(
    'the gate carries only well-formed joins, one at a time per session, within its budget',
    tally.property((steps: Step[]) => {
      let now = 0;
      const gate = new PairFrameGate(() => now);
      const sessions = [{}, {}, {}];
      const carrying = [false, false, false];
      const passed = [0, 0, 0];
      for (const { frame, session, answer, waitMs } of steps) {
        now += waitMs;
        if (answer && carrying[session]) {
          gate.answered(sessions[session]!);
          carrying[session] = false;
        }
        const message = pairOf(frame);
        if (!message) continue;
        const verdict = gate.admit(sessions[session]!, message);
        if (verdict === 'carry') {
          if (!isWellFormedJoin(message)) expect.fail(`a malformed join was carried: ${frame.slice(0, 200)}`);
          if (carrying[session]) expect.fail('a second join was carried while one was under way');
          carrying[session] = true;
        }
        if (verdict === 'carry' || verdict === 'pass') passed[session]!++;
      }
      // Never more than the burst plus one frame per interval that passed.
      for (const count of passed) expect(count).toBeLessThanOrEqual(PAIR_FRAME_BURST + Math.floor(now / PAIR_FRAME_INTERVAL_MS));
    }),
    60_000,
  );

  it.prop([pairFrame], { seed: 0x9a1 + 2, numRuns: 4_000 })(
    'a join that is not well formed is refused and spends none of the offer’s attempts',
    tally.property(async (frame: string) => {
      const message = pairOf(frame);
      // A well-formed one is an attempt (and a key derivation of 200,000 rounds): the unit tests cover it.
      if (!message || isWellFormedJoin(message)) return;
      const offers = new PairingOffers(() => 1000);
      offers.create(OFFERER);
      const deps = { userKey: async () => expect.fail('no user key for a malformed join'), entries: async () => [], merge: async () => 0 };
      const outcome = await decodeAsync('answerJoin', [], () => answerJoin(offers, { nodeId: OFFERER, binding: 'binding' }, message, deps));
      if ('error' in outcome) throw outcome.error;
      expect(outcome.value).toEqual({ reply: { t: 'pair', step: 'refused' }, paired: false });
      for (let n = 0; n < PAIRING_ATTEMPTS; n++) expect(offers.attempt(`binding ${n}`)).not.toBeNull();
    }),
    60_000,
  );
});
