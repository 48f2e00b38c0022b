/**
 * The team's protocol vectors (tests/fixtures/protocol-vectors.json, made by an implementation written from
 * the protocol text alone): this node derives the same IDs, builds the same texts byte for byte, and
 * verifies each signature — and refuses the forged ones.
 */
import { describe, expect, it } from 'vitest';
import { certificateText, deriveId, IdentityVerifier, importPublicKey, verifyText } from '../../../core/identity/identity';
import { canonical, fromBase64Url } from '../../../core/lib/encoding';
import { fingerprintOf } from '../../../core/session/fingerprint';
import { authText, parseWireMessage } from '../../../core/session/wire';
import { pickRecord, verifyRecord } from '../../../core/discovery/rendezvous-record';
import { readVectors } from '../../support/protocol-vectors';

// Read as the JSON it is: each test names the fields it checks.
const vectors = readVectors() as any;
const nodeKey = () => importPublicKey(fromBase64Url(vectors.node.pub));

describe('protocol vectors', () => {
  it('derives the same node and user IDs and certificate text, and the certificate verifies', async () => {
    expect(await deriveId('n', fromBase64Url(vectors.node.pub))).toBe(vectors.node.id);
    expect(await deriveId('u', fromBase64Url(vectors.user.pub))).toBe(vectors.user.id);
    expect(certificateText(vectors.node.id, vectors.user.id, vectors.cert.at)).toBe(vectors.cert.text);
    const claim = { nodeId: vectors.node.id, nodePub: vectors.node.pub, userId: vectors.user.id, userPub: vectors.user.pub, certAt: vectors.cert.at, certSig: vectors.cert.sig };
    await expect(new IdentityVerifier().verify(claim)).resolves.toMatchObject({ nodeId: vectors.node.id });
  });

  it('reads the hello, and refuses the forged hello whose node ID is not its key\'s', async () => {
    const hello = parseWireMessage(JSON.stringify(vectors.hello));
    expect(hello).toMatchObject({ t: 'hello', v: 2 });
    const forged = vectors.forged.helloWrongId;
    const claim = { nodeId: forged.node.id, nodePub: forged.node.pub, userId: forged.user.id, userPub: forged.user.pub, certAt: forged.cert.at, certSig: forged.cert.sig };
    await expect(new IdentityVerifier().verify(claim)).rejects.toThrow(/node ID does not derive/);
  });

  it('builds the auth v2 text byte for byte, verifies its signature, and refuses it with the fingerprints swapped', async () => {
    const { auth } = vectors;
    expect(fingerprintOf(auth.sdpLine)).toBe(auth.signerLocalFingerprint);
    const text = authText(auth.verifierNonce, auth.signer, auth.verifier, auth.signerLocalFingerprint, auth.signerRemoteFingerprint);
    expect(text).toBe(auth.text);
    expect(await verifyText(await nodeKey(), text, auth.sig)).toBe(true);
    expect(await verifyText(await nodeKey(), text, vectors.forged.authWithFingerprintsSwapped)).toBe(false);
    const swapped = authText(auth.verifierNonce, auth.signer, auth.verifier, auth.signerRemoteFingerprint, auth.signerLocalFingerprint);
    expect(await verifyText(await nodeKey(), swapped, auth.sig)).toBe(false);
  });

  it('builds the route and record texts and verifies both signatures', async () => {
    const { message } = vectors.route;
    expect(canonical({ id: message.id, src: message.src, dst: message.dst, body: message.body })).toBe(vectors.route.signedText);
    expect(await verifyText(await nodeKey(), vectors.route.signedText, message.sig)).toBe(true);
    const record = pickRecord(vectors.record.record);
    const { sig: _sig, ...unsigned } = record;
    expect(canonical(unsigned)).toBe(vectors.record.signedText);
    await expect(verifyRecord(record, new IdentityVerifier())).resolves.toMatchObject({ userId: vectors.user.id });
  });
});
