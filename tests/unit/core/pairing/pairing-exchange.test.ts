/**
 * The rules of a pairing offer (core/pairing/pairing-exchange.ts) against joins that are not the
 * user's: malformed ones spend nothing, a code takes PAIRING_ATTEMPTS attempts, one per connection, and
 * pairs once. The exchange itself, its code and cryptography: pairing.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { generateExportableKeyPair } from '../../../../core/identity/identity';
import { pairingKeys, pairingProof, seal } from '../../../../core/pairing/pairing-crypto';
import { channelBinding } from '../../../../core/session/channel-binding';
import { answerJoin, isWellFormedJoin, joinWithCode, PAIRING_ATTEMPTS, PairingOffers, type PairingLink } from '../../../../core/pairing/pairing-exchange';
import { parsePairingCode } from '../../../../core/pairing/pairing-code';
import type { Pair } from '../../../../core/session/wire';

const OFFERER = 'n' + 'abcdefgh'.padEnd(26, 'q');
const JOINER = 'n' + 'zyxwvuts'.padEnd(26, 'r');
/** The link of the joiner's `n`-th connection to the offerer (each has its own hello nonces). */
const linkNo = (n: number): PairingLink => ({
  nodeId: OFFERER,
  binding: channelBinding({ nodeId: OFFERER, nonce: `offerer-${n}`, fingerprint: 'AA:BB' }, { nodeId: JOINER, nonce: `joiner-${n}`, fingerprint: 'CC:DD' }),
});
const wrongSecret = (code: string) => code.slice(0, -1) + (code.endsWith('a') ? 'b' : 'a');

function offering() {
  const offers = new PairingOffers(() => 1000);
  const { code } = offers.create(OFFERER);
  const userKey = generateExportableKeyPair();
  const deps = { userKey: () => userKey, entries: async () => [], merge: async () => 0 };
  /** A join with `text` for its code on `link`, as the joiner's browser makes it. */
  const join = (text: string, link: PairingLink) =>
    joinWithCode(text, {
      connect: async () => link,
      exchange: async (_nodeId, message) => (await answerJoin(offers, link, message, deps)).reply,
      entries: async () => [],
    });
  return { offers, code, deps, join };
}

describe('pairing offers (issue 23, item 2)', () => {
  it('a bare or malformed join is refused and spends nothing: the code still pairs', async () => {
    const { offers, code, deps, join } = offering();
    const keys = await pairingKeys(parsePairingCode(code).secret, linkNo(9).binding);
    const good = { t: 'pair' as const, step: 'join' as const, proof: await pairingProof(keys, 'join'), ...(await seal(keys, 'join', { entries: [] })) };
    const malformed: Pair[] = [
      { t: 'pair', step: 'join' },
      { ...good, proof: undefined },
      { ...good, iv: undefined },
      { ...good, box: undefined },
      { ...good, proof: good.proof.slice(1) },
      { ...good, proof: `${good.proof.slice(1)}!` },
      { ...good, iv: `${good.iv}AA` },
      { ...good, box: 'AAAA' },
      { ...good, step: 'offer' },
    ];
    for (const message of malformed) {
      expect(isWellFormedJoin(message)).toBe(false);
      for (let n = 0; n < 200; n++) expect((await answerJoin(offers, linkNo(n), message, deps)).reply).toEqual({ t: 'pair', step: 'refused' });
    }
    expect(isWellFormedJoin(good)).toBe(true);
    await expect(join(code, linkNo(500))).resolves.toMatchObject({ offeringNodeId: OFFERER });
  });

  it(`takes ${PAIRING_ATTEMPTS} attempts per code, one per connection, and pairs once`, async () => {
    const wrongThenRight = offering();
    await expect(wrongThenRight.join(wrongSecret(wrongThenRight.code), linkNo(1))).rejects.toThrow(/refused/);
    // The same connection again, even with the right code: its attempt is spent.
    await expect(wrongThenRight.join(wrongThenRight.code, linkNo(1))).rejects.toThrow(/refused/);
    // Another connection with the right code pairs; after that the code is spent for everyone.
    await expect(wrongThenRight.join(wrongThenRight.code, linkNo(2))).resolves.toMatchObject({ offeringNodeId: OFFERER });
    await expect(wrongThenRight.join(wrongThenRight.code, linkNo(3))).rejects.toThrow(/refused/);

    const guessed = offering();
    for (let n = 0; n < PAIRING_ATTEMPTS; n++) await expect(guessed.join(wrongSecret(guessed.code), linkNo(n))).rejects.toThrow(/refused/);
    await expect(guessed.join(guessed.code, linkNo(PAIRING_ATTEMPTS))).rejects.toThrow(/refused/);
  });

  it('attempts under way at once count each, and only one of them pairs', async () => {
    const { code, join } = offering();
    const results = await Promise.allSettled([join(code, linkNo(1)), join(code, linkNo(2)), join(code, linkNo(3)), join(code, linkNo(4))]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });
});
