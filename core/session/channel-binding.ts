/**
 * The channel binding of a ready connection: one text both sides compute alike from the two hellos'
 * nonces and the two DTLS fingerprints, which pairing mixes into its keys (core/pairing/pairing-crypto.ts)
 * so that a code spent over one connection cannot be relayed through another.
 */

/** One side of a ready connection, as its channel binding names it. */
interface BindingPart {
  nodeId: string;
  /** The nonce of that side's hello. */
  nonce: string;
  /** That side's own DTLS fingerprint (its local description's). */
  fingerprint: string;
}

/** The same text on both sides: the two parts in node ID order. */
export function channelBinding(a: BindingPart, b: BindingPart): string {
  const [first, second] = [a, b].sort((x, y) => (x.nodeId < y.nodeId ? -1 : 1));
  const line = (part: BindingPart) => `${part.nodeId} ${part.nonce} ${part.fingerprint}`;
  return `meshdeck/pair/v1\n${line(first!)}\n${line(second!)}`;
}
