/**
 * Checks one STUN/TURN server the way a connection would use it: a throwaway RTCPeerConnection with
 * only that server gathers candidates (relay-only for TURN). A relay (or server-reflexive) candidate
 * proves the server answered and, for TURN, took the credential; the server's own error (401 for a
 * wrong credential) or silence becomes a sentence for the Network settings panel.
 */
import type { Clock } from '../lib/clock';
import type { IceServer } from '../settings/settings';

export interface IceServerCheck {
  /** The server's first URL: credentials never appear here. */
  url: string;
  state: 'checking' | 'ok' | 'failed';
  /** Why it failed, in words. */
  error: string | null;
  at: number;
}

export const ICE_CHECK_MS = 5000;

/** STUN's error codes (RFC 8489 §14.8, RFC 8656 §18) in the words a user can act on. */
const ERROR_WORDS: Record<number, string> = {
  401: 'the server refused the username or credential',
  403: 'the server forbids this relay',
  437: 'the server lost this allocation',
  438: 'the server rejected a stale nonce',
  441: 'the server refused the username or credential',
  486: 'the server has too many relays for this user',
  508: 'the server is out of relay capacity',
  701: '',
};

export const firstUrl = (server: IceServer): string => [server.urls].flat()[0] ?? '';

interface IceCheckOptions {
  /** Ends the check at once, closing its connection: the result is then `failed`, "check stopped". */
  signal?: AbortSignal;
  timeoutMs?: number;
}

/**
 * Resolves with the server's result; never rejects. Its connection is closed on every path (answer,
 * error, timeout, abort) and released with it: Chromium counts a connection against the renderer's
 * 500 until it is collected (rtc-link.ts, PeerConnectionSource).
 */
export function checkIceServer(server: IceServer, clock: Clock, { signal, timeoutMs = ICE_CHECK_MS }: IceCheckOptions = {}): Promise<IceServerCheck> {
  const url = firstUrl(server);
  const turn = /^turns?:/.test(url);
  const done = (state: IceServerCheck['state'], error: string | null): IceServerCheck => ({ url, state, error, at: clock.now() });
  if (signal?.aborted) return Promise.resolve(done('failed', 'check stopped'));
  let pc: RTCPeerConnection;
  try {
    pc = new RTCPeerConnection({ iceServers: [server as RTCIceServer], iceTransportPolicy: turn ? 'relay' : 'all' });
  } catch (error) {
    return Promise.resolve(done('failed', `not usable: ${(error as Error).message}`));
  }
  return new Promise<IceServerCheck>((resolve) => {
    let lastError: string | null = null;
    let finished = false;
    const finish = (result: IceServerCheck): void => {
      if (finished) return;
      finished = true;
      clock.clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      pc.onicecandidate = null;
      pc.onicecandidateerror = null;
      pc.close();
      resolve(result);
    };
    const onAbort = (): void => finish(done('failed', 'check stopped'));
    const timer = clock.setTimeout(() => finish(done('failed', lastError ?? `no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    signal?.addEventListener('abort', onAbort);
    pc.onicecandidate = (event) => {
      const candidate = event.candidate?.candidate ?? null;
      if (candidate === null) return finish(done('failed', lastError ?? 'no answer from the server'));
      if (/ typ (relay|srflx) /.test(` ${candidate} `)) finish(done('ok', null));
    };
    pc.onicecandidateerror = (event) => {
      const { errorCode, errorText } = event as RTCPeerConnectionIceErrorEvent;
      // 701: this server's address family does not match a local interface (IPv6 on an IPv4 host), not the server's fault.
      const words = ERROR_WORDS[errorCode];
      if (words === '') return;
      lastError = `${words ?? `the server answered ${errorCode} ${errorText}`} (${errorCode}${errorText ? ` ${errorText}` : ''})`;
    };
    const notUsable = (error: unknown): void => finish(done('failed', `not usable: ${(error as Error).message}`));
    try {
      // A throw here used to reject the check and leave its connection open until the timer.
      pc.createDataChannel('meshdeck-ice-check');
    } catch (error) {
      return notUsable(error);
    }
    pc.createOffer()
      .then((offer) => pc.setLocalDescription(offer))
      .catch(notUsable);
  });
}
