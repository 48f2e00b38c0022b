/**
 * Several local servers at once, for users who outgrow one and for tests that kill one: `relays` GUN
 * relays that peer with each other (each dials those started before it, so every pair is linked and
 * any one can go) and `signaling` PeerJS servers, on consecutive ports from `port` (server i runs a
 * relay if i < relays and a PeerJS server if i < signaling). `npm run server -- --relays N --signaling N`.
 */
import path from 'node:path';
import { startLocalServer, type LocalServer, type LocalServerOptions } from './local-server';

interface FederationOptions extends Pick<LocalServerOptions, 'host' | 'log'> {
  /** The first server's port; the others follow. 0: every server picks a free port. */
  port: number;
  relays: number;
  signaling: number;
  /** Each relay keeps its data in DIR/relay-<i>; temporary folders when absent. */
  dataDir?: string;
}

export async function startFederation(options: FederationOptions): Promise<LocalServer[]> {
  const count = Math.max(options.relays, options.signaling, 1);
  const servers: LocalServer[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const relay = i < options.relays;
      servers.push(
        await startLocalServer({
          host: options.host,
          port: options.port === 0 ? 0 : options.port + i,
          dataDir: options.dataDir === undefined ? undefined : path.join(options.dataDir, `relay-${i}`),
          log: options.log && ((line) => options.log!(count > 1 ? `[${i}] ${line}` : line)),
          relay,
          signaling: i < options.signaling,
          // Trackers do not federate: one is enough, on the first port.
          tracker: i === 0,
          relayPeers: relay ? servers.slice(0, i).map((server) => server.relayUrl) : [],
        }),
      );
    }
  } catch (error) {
    await Promise.all(servers.map((server) => server.close()));
    throw error;
  }
  return servers;
}
