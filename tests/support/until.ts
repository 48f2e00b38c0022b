/**
 * The tests' one poller (issue 24, "one of each"): unit, integration and e2e tests and the benchmarks
 * all wait with it, in one argument order: what to read, how long at most, what is awaited, and when
 * what was read is enough.
 */

/**
 * Reads `read()` on the real clock until `accept` holds for what it returned (by default: until it is
 * truthy), and resolves with that value; after `ms` it fails saying `what` was not reached, with the
 * last value read. The bound is a safety net so a broken build fails instead of hanging, never a figure
 * under test.
 *
 * A check answered in this process (`read` returns a plain value) is asked every 10 ms; a read that
 * crosses to a page, a process or a socket (it returns a promise) every 100 ms, so polling adds little
 * to the load of the machine the test measures (and the benchmarks that time a figure by a poll keep
 * the pace they were measured with). `everyMs` sets another pace.
 */
export async function until<T>(
  read: () => T | Promise<T>,
  ms = 2000,
  what = 'condition',
  accept: (value: T) => boolean = Boolean,
  { everyMs }: { everyMs?: number } = {},
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const pending = read();
    const crossed = pending instanceof Promise;
    const value = crossed ? await pending : (pending as T);
    if (accept(value)) return value;
    if (Date.now() > end) throw new Error(`${what}: not reached within ${ms} ms${typeof value === 'boolean' ? '' : ` (last: ${shown(value)})`}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs ?? (crossed ? 100 : 10)));
  }
}

/** `value` as JSON for a failure message, or what it is when it has no JSON (a cycle, a bigint). */
function shown(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
