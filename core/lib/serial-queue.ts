/**
 * Runs async tasks one at a time, in the order they were queued. A task that fails hands its error to
 * its own caller (and to `onError`, where given) and never blocks the tasks after it: one bad
 * configuration, frame or storage write must not wedge everything that follows (issue 9).
 */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();

  /** `onError` hears every failed task, for the event log; the caller's promise still rejects. */
  constructor(private readonly onError?: (error: unknown) => void) {}

  run<T>(task: () => T | Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.then(
      () => undefined,
      (error: unknown) => this.onError?.(error),
    );
    return result;
  }

  /** Queues `task` for its effects alone: a failure is reported to `onError` only. */
  add(task: () => unknown): void {
    this.run(task).catch(() => undefined);
  }

  /** Resolves once every task queued so far has settled. */
  settled(): Promise<void> {
    return this.tail;
  }
}
