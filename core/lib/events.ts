/**
 * A small typed event emitter: `on()` returns its unsubscribe, `clear()` drops every listener. Event
 * maps are plain interfaces with no index signature, so a misspelled event name does not compile.
 */
export type Unsubscribe = () => void;

type Listener<T> = (payload: T) => void;

export class Emitter<Events extends { [K in keyof Events]: unknown }> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  on<K extends keyof Events>(name: K, listener: Listener<Events[K]>): Unsubscribe {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  /**
   * Calls every listener, even when one throws: one faulty listener must not starve the others of an
   * event (a session's close reaching the node, say). The first error is re-thrown afterwards, so it
   * reaches whoever emitted instead of vanishing.
   */
  emit<K extends keyof Events>(name: K, payload: Events[K]): void {
    let failure: { error: unknown } | null = null;
    for (const listener of [...(this.listeners.get(name) ?? [])]) {
      try {
        (listener as Listener<Events[K]>)(payload);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }

  /** Whether anyone listens to `name`. */
  listens(name: keyof Events): boolean {
    return (this.listeners.get(name)?.size ?? 0) > 0;
  }

  get listenerCount(): number {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }

  clear(): void {
    this.listeners.clear();
  }
}
