/**
 * Runs a MeshNode on behalf of the background: in Chrome's offscreen document, in Firefox's background
 * page, or in Node for a headless node. It asks for its configuration on boot, applies every new one,
 * and streams observed state to each observer (a view's port).
 */
import type { Clock } from './clock';
import type { Unsubscribe } from './events';
import { Identity, type StoredIdentity } from './identity';
import { MeshNode } from './node';
import type { HostCommand, HostConfig, StateMessage } from './protocol';
import type { RendezvousFactory, SignalingFactory } from './transport';

export interface Observer {
  post(message: StateMessage): void;
  onClose(listener: () => void): void;
}

/** How the host reaches the background and the views; each platform implements it. */
export interface HostChannel {
  requestConfig(): Promise<HostConfig>;
  onCommand(listener: (command: HostCommand) => void): Unsubscribe;
  onObserver(listener: (observer: Observer) => void): Unsubscribe;
}

export interface NodeHostDeps {
  channel: HostChannel;
  clock: Clock;
  createSignaling: SignalingFactory;
  createRendezvous: RendezvousFactory;
  app: string;
}

export class NodeHost {
  node: MeshNode | null = null;
  private nodePub: string | null = null;
  private readonly observers = new Set<Observer>();
  private unsubscribers: Unsubscribe[] = [];
  /** Configurations apply one at a time, in arrival order (identity import is async). */
  private applying: Promise<void> = Promise.resolve();

  constructor(private readonly deps: NodeHostDeps) {}

  async start(): Promise<void> {
    const { channel } = this.deps;
    this.unsubscribers.push(
      channel.onCommand((command) => this.apply(command.config)),
      channel.onObserver((observer) => this.observe(observer)),
    );
    this.apply(await channel.requestConfig());
    await this.applying;
  }

  private apply(config: HostConfig): void {
    this.applying = this.applying.then(async () => {
      if (this.nodePub !== config.identity.node.pub) await this.replaceNode(config.identity);
      this.node!.configure(config.settings);
    });
  }

  private async replaceNode(stored: StoredIdentity): Promise<void> {
    this.node?.stop();
    const identity = await Identity.fromStored(stored);
    const node = new MeshNode({ ...this.deps, identity });
    node.events.on('state:change', (snapshot) => {
      for (const observer of this.observers) observer.post({ type: 'state', snapshot });
    });
    this.node = node;
    this.nodePub = stored.node.pub;
  }

  private observe(observer: Observer): void {
    this.observers.add(observer);
    observer.onClose(() => this.observers.delete(observer));
    if (this.node) observer.post({ type: 'state', snapshot: this.node.snapshot() });
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    this.unsubscribers = [];
    this.observers.clear();
    this.node?.stop();
    this.node = null;
  }
}
