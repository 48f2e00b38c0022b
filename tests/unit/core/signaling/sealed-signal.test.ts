import { describe, expect, it } from 'vitest';
import { importPublicKey } from '../../../../core/identity/identity';
import { fromBase64Url, toBase64Url } from '../../../../core/lib/encoding';
import {
  BOX_FRESH_MS,
  MAX_SIGNAL_CHARS,
  SIGNAL_AHEAD_MS,
  SIGNAL_FRESH_MS,
  newBoxKeys,
  openBox,
  openSignal,
  screenSignal,
  sealSignal,
  signBox,
  type SealedSignal,
} from '../../../../core/signaling/sealed-signal';
import { makeIdentity } from '../../../support/identities';

const NOW = 1_800_000_000_000;
const body = { k: 'offer' as const, sid: 'sid-1', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };

async function parties() {
  const [alice, bob, eve] = await Promise.all([makeIdentity(), makeIdentity(), makeIdentity()]);
  const keyOf = (who: typeof alice) => importPublicKey(fromBase64Url(who.identity.nodePub));
  const bobBox = await newBoxKeys();
  return { alice, bob, eve, keyOf, bobBox };
}

describe('sealed signals', () => {
  it('the receiver opens what the sender sealed to its box key; nobody else can', async () => {
    const { alice, bob, eve, keyOf, bobBox } = await parties();
    const { signal } = await sealSignal(alice.identity, bob.identity.nodeId, bobBox.publicKey, body, NOW);
    expect(JSON.stringify(signal)).not.toContain('127.0.0.1');
    expect(await openSignal(signal, await keyOf(alice), bobBox.privateKey)).toEqual(body);
    const eveBox = await newBoxKeys();
    await expect(openSignal(signal, await keyOf(alice), eveBox.privateKey)).rejects.toThrow(/does not decrypt/);
    // Alice's signature does not verify as Eve's, or Bob's.
    await expect(openSignal(signal, await keyOf(eve), bobBox.privateKey)).rejects.toThrow(/signature/);
  });

  it('refuses a signal whose fields were changed on the way: date, addressing, ciphertext', async () => {
    const { alice, bob, keyOf, bobBox } = await parties();
    const { signal } = await sealSignal(alice.identity, bob.identity.nodeId, bobBox.publicKey, body, NOW);
    const ct = fromBase64Url(signal.ct);
    ct[0]! ^= 1;
    for (const changed of [{ ts: NOW + 1 }, { to: alice.identity.nodeId }, { ct: toBase64Url(ct) }] as Partial<SealedSignal>[]) {
      await expect(openSignal({ ...signal, ...changed }, await keyOf(alice), bobBox.privateKey)).rejects.toThrow(/signature/);
    }
  });

  it('an answer sealed to the offer one-use key opens with the key the offer kept', async () => {
    const { alice, bob, keyOf, bobBox } = await parties();
    const { signal: offer, replyKey } = await sealSignal(alice.identity, bob.identity.nodeId, bobBox.publicKey, body, NOW);
    const offerKey = await crypto.subtle.importKey('raw', fromBase64Url(offer.epk) as BufferSource, { name: 'ECDH', namedCurve: 'P-256' }, false, []);
    const { signal: answer } = await sealSignal(bob.identity, alice.identity.nodeId, offerKey, { ...body, k: 'answer' }, NOW + 5);
    expect((await openSignal(answer, await keyOf(bob), replyKey)).k).toBe('answer');
  });

  it('screens for free what is not worth a signature check', async () => {
    const { alice, bob, bobBox } = await parties();
    const { signal } = await sealSignal(alice.identity, bob.identity.nodeId, bobBox.publicKey, body, NOW);
    const self = bob.identity.nodeId;
    expect(screenSignal(signal, self, alice.identity.nodeId, NOW)).toEqual(signal);
    expect(screenSignal('junk', self, alice.identity.nodeId, NOW)).toBe('not an object');
    expect(screenSignal({ ...signal, ts: '1' }, self, alice.identity.nodeId, NOW)).toMatch(/wrong type/);
    expect(screenSignal(signal, self, 'n' + 'b'.repeat(26), NOW)).toMatch(/not addressed/);
    expect(screenSignal(signal, alice.identity.nodeId, alice.identity.nodeId, NOW)).toMatch(/not addressed/);
    expect(screenSignal({ ...signal, ct: 'A'.repeat(MAX_SIGNAL_CHARS) }, self, alice.identity.nodeId, NOW)).toBe('too large');
    expect(screenSignal(signal, self, alice.identity.nodeId, NOW + SIGNAL_FRESH_MS + 1)).toBe('stale');
    expect(screenSignal(signal, self, alice.identity.nodeId, NOW - SIGNAL_AHEAD_MS - 1)).toBe('dated ahead');
  });

  it('a box key counts only with its node signature', async () => {
    const { alice, eve, keyOf } = await parties();
    const keys = await newBoxKeys();
    const box = await signBox(alice.identity, keys, NOW);
    await expect(openBox(box, alice.identity.nodeId, await keyOf(alice), NOW)).resolves.toBeTruthy();
    const evesBox = await signBox(eve.identity, await newBoxKeys(), NOW);
    await expect(openBox({ ...evesBox, id: alice.identity.nodeId }, alice.identity.nodeId, await keyOf(alice), NOW)).rejects.toThrow(/signature/);
    await expect(openBox(box, alice.identity.nodeId, await keyOf(alice), NOW - SIGNAL_AHEAD_MS - 1)).rejects.toThrow(/ahead/);
    await expect(openBox(undefined, alice.identity.nodeId, await keyOf(alice), NOW)).rejects.toThrow(/no box key/);
    // GUN merges a later chunk into the object it handed over, while the signature check awaits: the key
    // imported must be the key verified. Here the object's box changes after it is first read.
    const evesKeys = await newBoxKeys();
    const evesPoint = toBase64Url(new Uint8Array(await crypto.subtle.exportKey('raw', evesKeys.publicKey)));
    let merged = false;
    const shifting = { ...box, get box() { return merged ? evesPoint : box.box; } };
    const aliceKey = await keyOf(alice);
    // The chunk lands as soon as the check first awaits.
    queueMicrotask(() => (merged = true));
    const opened = await openBox(shifting, alice.identity.nodeId, aliceKey, NOW);
    // The key imported agrees with Alice's box key, not Eve's: same shared secret with a third key.
    const probe = await newBoxKeys();
    const secretWith = async (key: CryptoKey) => toBase64Url(new Uint8Array(await crypto.subtle.deriveBits({ name: 'ECDH', public: key }, probe.privateKey, 256)));
    expect(await secretWith(opened.key)).toBe(await secretWith(keys.publicKey));
  });

  it('a box key from an earlier run is refused: one older than its node rewrites it within, or than one taken before (issue 23, item 7)', async () => {
    const { alice, keyOf } = await parties();
    const key = await keyOf(alice);
    const earlier = await signBox(alice.identity, await newBoxKeys(), NOW);
    const later = await signBox(alice.identity, await newBoxKeys(), NOW + 20_000);
    // Fresh: written within the bound (an honest node rewrites it every 15 s).
    await expect(openBox(earlier, alice.identity.nodeId, key, NOW + BOX_FRESH_MS)).resolves.toMatchObject({ ts: NOW });
    await expect(openBox(earlier, alice.identity.nodeId, key, NOW + BOX_FRESH_MS + 1)).rejects.toThrow(/stale/);
    // Backwards: the relay hands back the earlier run's key after the later one was taken.
    const { ts } = await openBox(later, alice.identity.nodeId, key, NOW + 21_000);
    await expect(openBox(earlier, alice.identity.nodeId, key, NOW + 21_000, ts)).rejects.toThrow(/older than one of that node taken before/);
    await expect(openBox(later, alice.identity.nodeId, key, NOW + 21_000, ts)).resolves.toMatchObject({ ts });
  });
});
