/**
 * The outcome of a user's action, as each panel shows it beside the control that started it:
 * `pending` and `ok` in a polite status region, `error` in an alert (issue 4: errors say what failed).
 */
import type { Signal } from '@preact/signals';
import { describeError } from '../client/node-model';

export interface ActionStatus {
  kind: 'pending' | 'ok' | 'error';
  text: string;
}

interface ActionWords<T> {
  /** What is being done, for "Could not <action>: reason." */
  action: string;
  /** Shown while it runs: "Pinging n…". */
  pending: string;
  /** Shown when it succeeded. */
  done: (value: T) => string;
  /** The model's disposal scope: once aborted nothing is shown any more. */
  signal?: AbortSignal;
}

/**
 * Runs `request`, showing `pending` in `status` meanwhile, then `done(value)` or the error in words
 * ("Could not x: reason."). Resolves with the value, or null when it failed or was not run (`signal`
 * aborted already); never rejects. A status set by a newer run is not overwritten by an older one
 * finishing late, and once `signal` is aborted `status` is not written at all.
 */
export async function runAction<T>(
  status: Signal<ActionStatus | null>,
  { action, pending: pendingText, done, signal }: ActionWords<T>,
  request: () => Promise<T>,
): Promise<T | null> {
  if (signal?.aborted) return null;
  const pending: ActionStatus = { kind: 'pending', text: pendingText };
  status.value = pending;
  const mine = () => !signal?.aborted && status.peek() === pending;
  try {
    const value = await request();
    if (mine()) status.value = { kind: 'ok', text: done(value) };
    return value;
  } catch (error) {
    if (mine()) status.value = { kind: 'error', text: describeError(action, error) };
    return null;
  }
}
