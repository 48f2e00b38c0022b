/**
 * Checks one STUN/TURN server the way a connection would use it: a throwaway RTCPeerConnection with
 * only that server gathers candidates (relay-only for TURN). A relay (or server-reflexive) candidate
 * proves the server answered and, for TURN, took the credential; the server's own error (401 for a
 * wrong credential) or silence becomes a sentence for the Network settings panel.
 */
import type { Clock } from '../lib/clock';
import type { IceServer } from '../control/settings';
import type { IceServerCheck } from '../node/observed-state';

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

export function checkIceServer(server: IceServer, clock: Clock, timeoutMs = ICE_CHECK_MS): Promise<IceServerCheck> {
  const url = firstUrl(server);
  const turn = /^turns?:/.test(url);
  const done = (state: IceServerCheck['state'], error: string | null): IceServerCheck => ({ url, state, error, at: clock.now() });
  let pc: RTCPeerConnection;
  try {
    pc = new RTCPeerConnection({ iceServers: [server as RTCIceServer], iceTransportPolicy: turn ? 'relay' : 'all' });
  } catch (error) {
    return Promise.resolve(done('failed', `not usable: ${(error as Error).message}`));
  }
  return new Promise<IceServerCheck>((resolve) => {
    let lastError: string | null = null;
    const finish = (result: IceServerCheck): void => {
      clock.clearTimeout(timer);
      pc.onicecandidate = null;
      pc.onicecandidateerror = null;
      pc.close();
      resolve(result);
    };
    const timer = clock.setTimeout(() => finish(done('failed', lastError ?? `no answer within ${timeoutMs / 1000} s`)), timeoutMs);
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
    pc.createDataChannel('meshdeck-ice-check');
    pc.createOffer()
      .then((offer) => pc.setLocalDescription(offer))
      .catch((error: unknown) => finish(done('failed', `not usable: ${(error as Error).message}`)));
  });
}
