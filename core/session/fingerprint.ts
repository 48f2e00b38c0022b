/**
 * The DTLS fingerprints a connection's `auth` binds (docs/protocol.md §2): the first
 * `a=fingerprint:sha-256 …` value of a session description, exactly as written (upper-case hex pairs
 * joined by `:`).
 */
const FINGERPRINT_LINE = /^a=fingerprint:sha-256 ([0-9A-Fa-f:]+)\s*$/m;

export interface Fingerprints {
  /** From this side's local session description. */
  local: string;
  /** From its remote session description. */
  remote: string;
}

export function fingerprintOf(sdp: string | undefined | null): string | null {
  return sdp ? (FINGERPRINT_LINE.exec(sdp)?.[1] ?? null) : null;
}

/** Both fingerprints of an RTCPeerConnection, or null while either description lacks one. */
export function fingerprintsOf(pc: Pick<RTCPeerConnection, 'localDescription' | 'remoteDescription'> | null | undefined): Fingerprints | null {
  const local = fingerprintOf(pc?.localDescription?.sdp);
  const remote = fingerprintOf(pc?.remoteDescription?.sdp);
  return local && remote ? { local, remote } : null;
}
