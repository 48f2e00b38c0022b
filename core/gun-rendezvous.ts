/**
 * The rendezvous mesh on GUN relays: node records live at
 * `meshdeck/v1/<room>/nodes/<nodeId>` (PROTOCOL.md). GUN only moves the records; the node verifies them.
 */
import Gun from 'gun/gun';
import { Emitter } from './events';
import type { NodeRecord } from './rendezvous-record';
import type { Rendezvous, RendezvousEvents, RendezvousFactory, RendezvousOptions } from './transport';

export const createGunRendezvous: RendezvousFactory = (options) => new GunRendezvous(options);

/** The slice of GUN's untyped chain API used here. */
interface GunChain {
  get(key: string): GunChain;
  put(value: object): GunChain;
  map(): GunChain;
  on(callback: (data: unknown, key: string) => void): GunChain;
  once(callback: (data: unknown, key: string) => void): GunChain;
  off(): void;
  back(path: string): unknown;
}
interface GunRoot extends GunChain {
  on(event: 'hi' | 'bye', callback: (peer: { url?: string }) => void): GunChain;
  on(callback: (data: unknown, key: string) => void): GunChain;
}
interface GunMesh {
  bye(peer: unknown): void;
}
type GunFactory = (options: Record<string, unknown>) => GunRoot;

class GunRendezvous implements Rendezvous {
  readonly events = new Emitter<RendezvousEvents>();
  private gun: GunRoot | null = null;
  private nodes: GunChain | null = null;

  constructor(private readonly options: RendezvousOptions) {}

  start(): void {
    if (this.gun) return;
    const gun = (Gun as unknown as GunFactory)({
      peers: this.options.relayUrls,
      // Records live on the relays only: nothing persisted in the browser, no multicast, no AXE routing.
      localStorage: false,
      radisk: false,
      // In Node, a relay loaded in the same process registers its storage plugins on every instance.
      rfs: false,
      file: false,
      axe: false,
      multicast: false,
      WebSocket: globalThis.WebSocket,
    });
    this.gun = gun;
    gun.on('hi', (peer) => this.relayState(peer.url, 'open'));
    gun.on('bye', (peer) => this.relayState(peer.url, 'closed'));
    this.nodes = gun.get('meshdeck/v1').get(this.options.room).get('nodes');
    this.nodes.map().on((data) => {
      if (this.gun === gun) this.events.emit('record:update', data);
    });
  }

  private relayState(url: string | undefined, state: 'open' | 'closed'): void {
    if (url && this.gun) this.events.emit('relay:state', { url, state });
  }

  announce(record: NodeRecord): void {
    this.nodes?.get(record.id).put({ ...record });
  }

  reread(): void {
    const gun = this.gun;
    this.nodes?.map().once((data) => {
      if (this.gun === gun) this.events.emit('record:update', data);
    });
  }

  stop(): void {
    const gun = this.gun;
    if (!gun) return;
    this.gun = null;
    this.nodes?.map().off();
    this.nodes = null;
    // Saying bye removes each relay from GUN's peer table first, so its socket's close does not
    // schedule a reconnect.
    const mesh = gun.back('opt.mesh') as GunMesh | undefined;
    const peers = (gun.back('opt.peers') ?? {}) as Record<string, { wire?: { close(): void } | null }>;
    for (const peer of Object.values(peers)) {
      if (mesh) mesh.bye(peer);
      else peer.wire?.close();
    }
    this.events.clear();
  }
}
