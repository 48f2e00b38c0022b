/**
 * The WebExtension runtime a view client talks through, faked: ports with their events, and
 * sendMessage answered as the test says.
 */
import { okReply } from '../../core/control/protocol';
import type { ViewPort, ViewRuntime } from '../../components/client/view-client';

/** A listener list with the add/remove semantics of a WebExtension event. */
class FakeEvent<T extends (...args: never[]) => void> {
  readonly listeners = new Set<T>();
  addListener(listener: T) {
    this.listeners.add(listener);
  }
  removeListener(listener: T) {
    this.listeners.delete(listener);
  }
  emit(...args: Parameters<T>) {
    for (const listener of [...this.listeners]) listener(...args);
  }
}

class FakePort implements ViewPort {
  readonly onMessage = new FakeEvent<(message: unknown) => void>();
  readonly onDisconnect = new FakeEvent<() => void>();
  disconnectedByClient = false;
  constructor(readonly name: string) {}
  disconnect() {
    this.disconnectedByClient = true;
  }
  /** The node host posts on the port. */
  post(message: unknown) {
    this.onMessage.emit(message);
  }
  /** The other end went away (or never existed); like Chrome, not fired for the client's own disconnect(). */
  drop() {
    this.onDisconnect.emit();
  }
  get listenerCount() {
    return this.onMessage.listeners.size + this.onDisconnect.listeners.size;
  }
}

export class FakeRuntime implements ViewRuntime {
  readonly ports: FakePort[] = [];
  readonly sent: unknown[] = [];
  /** Answers every message; replace per test. */
  answer: (message: Record<string, unknown>) => Promise<unknown> = async () => okReply(null);
  connect(info: { name: string }) {
    const port = new FakePort(info.name);
    this.ports.push(port);
    return port;
  }
  sendMessage(message: unknown) {
    this.sent.push(message);
    return this.answer(message as Record<string, unknown>);
  }
  get port() {
    return this.ports.at(-1)!;
  }
}
