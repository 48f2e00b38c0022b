import { describe, expect, it } from 'vitest';
import type { BlockEntry } from '../../../../core/blocklist/block-list';
import { generateExportableKeyPair } from '../../../../core/identity/identity';
import { formatPairingCode, newPairingCode, PAIRING_TTL_MS, parsePairingCode, PairingCodeError } from '../../../../core/pairing/pairing-code';
import { checkPairingProof, open, pairingKeys, pairingProof, seal, PairingOpenError } from '../../../../core/pairing/pairing-crypto';
import { channelBinding } from '../../../../core/session/channel-binding';
import { answerJoin, joinWithCode, PairingError, PairingOffers, type PairingLink } from '../../../../core/pairing/pairing-exchange';
import type { Pair } from '../../../../core/session/wire';

const OFFERER = 'n' + 'abcdefgh'.padEnd(26, 'q');
const JOINER = 'n' + 'zyxwvuts'.padEnd(26, 'r');
const entry = (id: string, v: number, removed = false): BlockEntry => ({ id, kind: 'node', at: v, v, removed, note: '', label: '' });
const binding = (nonce = 'nonce-b') =>
  channelBinding({ nodeId: OFFERER, nonce: 'nonce-a', fingerprint: 'AA:BB' }, { nodeId: JOINER, nonce, fingerprint: 'CC:DD' });

/** Both sides of an exchange over one connection (`link`), the offerer answering with its deps. */
function wire(offers: PairingOffers, offererEntries: BlockEntry[], joinerLink: PairingLink, offererLink: PairingLink = joinerLink) {
  const userKey = generateExportableKeyPair();
  let merged: BlockEntry[] = [...offererEntries];
  const offerer = {
    userKey: () => userKey,
    entries: async () => merged,
    merge: async (incoming: BlockEntry[]) => ((merged = [...merged, ...incoming.filter((e) => !merged.some((m) => m.id === e.id))]), incoming.length),
  };
  const joiner = (entries: BlockEntry[]) => ({
    connect: async () => joinerLink,
    exchange: async (_nodeId: string, message: Pair) => (await answerJoin(offers, offererLink, message, offerer)).reply,
    entries: async () => entries,
  });
  return { userKey, joiner, merged: () => merged };
}

describe('pairing code', () => {
  it('names the offering node by its ID prefix and carries a 40-bit secret, in four groups of four', () => {
    const code = newPairingCode(OFFERER);
    const text = formatPairingCode(code);
    expect(text).toMatch(/^abcd-efgh-[a-z2-7]{4}-[a-z2-7]{4}$/);
    expect(parsePairingCode(text.toUpperCase().replace(/-/g, ' '))).toEqual(code);
    expect(newPairingCode(OFFERER).secret).not.toBe(code.secret);
  });

  it('says what is wrong with a mistyped code', () => {
    expect(() => parsePairingCode('abcd-efgh-ijkl')).toThrow(PairingCodeError);
    expect(() => parsePairingCode('abcd-efgh-ijkl-mn01')).toThrow(/a–z and the digits 2–7/);
  });
});

describe('pairing crypto', () => {
  it('gives both sides the same binding whichever computes it', () => {
    const a = { nodeId: OFFERER, nonce: 'x', fingerprint: 'AA' };
    const b = { nodeId: JOINER, nonce: 'y', fingerprint: 'BB' };
    expect(channelBinding(a, b)).toBe(channelBinding(b, a));
  });

  it('a proof checks only with the same secret, the same binding and the same role', async () => {
    const keys = await pairingKeys('secret12', binding());
    const proof = await pairingProof(keys, 'join');
    expect(await checkPairingProof(await pairingKeys('secret12', binding()), 'join', proof)).toBe(true);
    expect(await checkPairingProof(await pairingKeys('secret13', binding()), 'join', proof)).toBe(false);
    // A node relaying between the two ends sees another binding (its own nonce and fingerprint).
    expect(await checkPairingProof(await pairingKeys('secret12', binding('relayed')), 'join', proof)).toBe(false);
    expect(await checkPairingProof(keys, 'offer', proof)).toBe(false);
    expect(await checkPairingProof(keys, 'join', 'not base64!')).toBe(false);
  });

  it('a sealed box opens only for its role and unaltered', async () => {
    const keys = await pairingKeys('secret12', binding());
    const sealed = await seal(keys, 'offer', { hello: 'there' });
    expect(await open(keys, 'offer', sealed)).toEqual({ hello: 'there' });
    await expect(open(keys, 'join', sealed)).rejects.toThrow(PairingOpenError);
    const flipped = { ...sealed, box: (sealed.box[0] === 'A' ? 'B' : 'A') + sealed.box.slice(1) };
    await expect(open(keys, 'offer', flipped)).rejects.toThrow(PairingOpenError);
  });
});

describe('pairing exchange', () => {
  const link: PairingLink = { nodeId: OFFERER, binding: binding() };

  it('the joiner gets the user key and the merged block list; the offerer gets the joiner’s entries', async () => {
    const offers = new PairingOffers(() => 1000);
    const { code } = offers.create(OFFERER);
    const { userKey, joiner, merged } = wire(offers, [entry('n' + 'o'.repeat(26), 5)], link);
    const result = await joinWithCode(code, joiner([entry('n' + 'j'.repeat(26), 7)]));
    expect(result.offeringNodeId).toBe(OFFERER);
    expect(result.userKey).toEqual(await userKey);
    expect(result.entries.map((e) => e.id).sort()).toEqual(['n' + 'j'.repeat(26), 'n' + 'o'.repeat(26)]);
    expect(merged().map((e) => e.id)).toContain('n' + 'j'.repeat(26));
  });

  it('a code works once: a second attempt is refused, and a wrong secret spends the attempt of its connection', async () => {
    const offers = new PairingOffers(() => 1000);
    const { code } = offers.create(OFFERER);
    const { joiner } = wire(offers, [], link);
    await joinWithCode(code, joiner([]));
    await expect(joinWithCode(code, joiner([]))).rejects.toThrow(/refused/);

    const { code: second } = offers.create(OFFERER);
    const wrong = second.slice(0, -1) + (second.endsWith('a') ? 'b' : 'a');
    await expect(joinWithCode(wrong, joiner([]))).rejects.toThrow(/refused/);
    await expect(joinWithCode(second, joiner([]))).rejects.toThrow(/refused/);
  });

  it('an expired code is refused', async () => {
    let now = 1000;
    const offers = new PairingOffers(() => now);
    const { code } = offers.create(OFFERER);
    now += PAIRING_TTL_MS + 1;
    await expect(joinWithCode(code, wire(offers, [], link).joiner([]))).rejects.toThrow(/refused/);
  });

  it('a third node between them cannot complete it: each end sees another binding', async () => {
    const offers = new PairingOffers(() => 1000);
    const { code } = offers.create(OFFERER);
    const relayed = wire(offers, [], { nodeId: OFFERER, binding: binding('joiner-to-relay') }, { nodeId: OFFERER, binding: binding('relay-to-offerer') });
    await expect(joinWithCode(code, relayed.joiner([]))).rejects.toThrow(PairingError);
  });

  it('refuses to talk to a node the code does not name', async () => {
    const offers = new PairingOffers(() => 1000);
    const { code } = offers.create(OFFERER);
    await expect(joinWithCode(code, wire(offers, [], { nodeId: JOINER, binding: binding() }).joiner([]))).rejects.toThrow(/not the browser the code names/);
  });
});
