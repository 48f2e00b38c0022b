/**
 * One process carries every node of the simulation, and in a room of N nodes each record is checked
 * by all N of them: N² ECDSA verifications an announce period, hours of CPU at 500 nodes for answers
 * that are all alike. So the simulation computes each distinct public-key import, digest and
 * signature check once and hands the same answer to every node that asks again. These are pure
 * functions of their inputs (the raw key, the data, the signature), so no node can tell: each still
 * runs its own checks through the product's code, forged and junk inputs included, and gets exactly
 * the answer WebCrypto would give. What the memo saves is counted, so the report can say how much
 * checking each node did.
 */
import { createHash } from 'node:crypto';

const KEPT = 200_000;

const verificationCounts = { verify: 0, verifyComputed: 0, importKey: 0, importKeyComputed: 0 };

let installed = false;

export function shareVerificationResults(): void {
  if (installed) return;
  installed = true;
  const subtle = globalThis.crypto.subtle;
  const importKey = subtle.importKey.bind(subtle) as (...args: unknown[]) => Promise<CryptoKey>;
  const verify = subtle.verify.bind(subtle) as (...args: unknown[]) => Promise<boolean>;
  const digest = subtle.digest.bind(subtle) as (...args: unknown[]) => Promise<ArrayBuffer>;
  /** The inputs a public key was imported from, by key: what a signature check is keyed on. */
  const keyIds = new WeakMap<CryptoKey, string>();
  const imports = new Memo<Promise<CryptoKey>>();
  const checks = new Memo<Promise<boolean>>();
  const digests = new Memo<Promise<ArrayBuffer>>();

  define(subtle, 'importKey', (format: unknown, data: unknown, algorithm: unknown, extractable: unknown, usages: unknown) => {
    verificationCounts.importKey++;
    // Only public keys in raw form (the node and user keys of records and hellos) are shared.
    if (format !== 'raw' || !isBytes(data) || !(Array.isArray(usages) && usages.length === 1 && usages[0] === 'verify')) {
      return importKey(format, data, algorithm, extractable, usages);
    }
    const id = `raw|${JSON.stringify(algorithm)}|${extractable}|${hash(data)}`;
    return imports.get(id, () => {
      verificationCounts.importKeyComputed++;
      return importKey(format, data, algorithm, extractable, usages).then((key) => {
        keyIds.set(key, id);
        return key;
      });
    });
  });

  define(subtle, 'verify', (algorithm: unknown, key: unknown, signature: unknown, data: unknown) => {
    verificationCounts.verify++;
    const keyId = keyIds.get(key as CryptoKey);
    if (!keyId || !isBytes(signature) || !isBytes(data)) return verify(algorithm, key, signature, data);
    return checks.get(`${JSON.stringify(algorithm)}|${keyId}|${hash(signature)}|${hash(data)}`, () => {
      verificationCounts.verifyComputed++;
      return verify(algorithm, key, signature, data);
    });
  });

  // Each caller gets its own copy of a digest: an ArrayBuffer can be changed by whoever holds it.
  define(subtle, 'digest', (algorithm: unknown, data: unknown) => {
    if (!isBytes(data)) return digest(algorithm, data);
    return digests.get(`${JSON.stringify(algorithm)}|${hash(data)}`, () => digest(algorithm, data)).then((out) => out.slice(0));
  });
}

class Memo<T> {
  private readonly values = new Map<string, T>();

  get(key: string, compute: () => T): T {
    let value = this.values.get(key);
    if (value === undefined) {
      value = compute();
      this.values.set(key, value);
      if (this.values.size > KEPT) this.values.delete(this.values.keys().next().value!);
    }
    return value;
  }
}

function define(subtle: SubtleCrypto, name: string, value: (...args: never[]) => unknown): void {
  Object.defineProperty(subtle, name, { configurable: true, writable: true, value });
}

const isBytes = (value: unknown): value is ArrayBuffer | ArrayBufferView => value instanceof ArrayBuffer || ArrayBuffer.isView(value);

function hash(data: ArrayBuffer | ArrayBufferView): string {
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return createHash('sha256').update(bytes).digest('base64url');
}
