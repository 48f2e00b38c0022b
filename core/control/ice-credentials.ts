/**
 * TURN credentials stay in the background. Views get each ICE server with its credential replaced by
 * `hasCredential`, and a view's server that says `hasCredential` (it left the field empty) gets the
 * saved credential back here, matched by its URLs and username. So a credential is never shown after
 * entry, never crosses to a view again, and the host's diagnostics mark it hidden (node-host.ts).
 */
import type { EndpointTrial, WorkingEndpoints } from './endpoint-trial';
import { SettingsError, type IceServer, type Settings } from '../settings/settings';

const keyOf = (server: IceServer): string => `${[server.urls].flat().join(' ')}\n${server.username ?? ''}`;

const redactServer = ({ urls, username, credential, hasCredential }: IceServer): IceServer => ({
  urls,
  ...(username !== undefined ? { username } : {}),
  ...(credential || hasCredential ? { hasCredential: true } : {}),
});

/** What a view may see of a configuration: everything but the credentials. */
export function redactIceServers<T extends Pick<Settings, 'iceServers'>>(value: T): T {
  return { ...value, iceServers: value.iceServers.map(redactServer) };
}

export const redactTrial = (trial: EndpointTrial | null): EndpointTrial | null =>
  trial && { ...trial, previous: redactIceServers(trial.previous), next: redactIceServers(trial.next) };

export const redactHistory = (history: WorkingEndpoints[]): WorkingEndpoints[] => history.map(redactIceServers);

/**
 * `servers` from a view, with the saved credential put back where the view kept it (`hasCredential`
 * and no new credential), looked up in `saved` (the settings, the trial's and the history's servers).
 * A server whose URLs or username changed has no saved credential: refused at its credential field.
 */
export function restoreCredentials(servers: readonly IceServer[], saved: readonly IceServer[]): IceServer[] {
  const credentials = new Map(saved.filter((s) => s.credential).map((s) => [keyOf(s), s.credential!]));
  return servers.map((server, index) => {
    if (server.credential || server.hasCredential !== true) return withoutFlag(server);
    const credential = credentials.get(keyOf({ ...server, username: server.username?.trim() }));
    if (!credential) throw new SettingsError('iceServers', `ICE server ${index + 1}: enter its credential again (its URL or username changed)`, { index, part: 'credential' });
    return { ...withoutFlag(server), credential };
  });
}

function withoutFlag({ hasCredential: _flag, ...server }: IceServer): IceServer {
  return server;
}
