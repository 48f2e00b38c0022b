/**
 * Test builds only: counts what escaped every handler in one context (uncaught errors and unhandled
 * promise rejections), so the e2e suites can fail on any (issue 9). Events are counted, not
 * prevented: they still reach the console as usual.
 */
export interface Faults {
  count: number;
  /** The first few, in words, for the failure message. */
  samples: string[];
}

const SAMPLES_KEPT = 10;

interface FaultTarget {
  addEventListener(type: 'error' | 'unhandledrejection', listener: (event: Event) => void): void;
}

export function countFaults(target: FaultTarget): Faults {
  const faults: Faults = { count: 0, samples: [] };
  const note = (text: string) => {
    faults.count++;
    if (faults.samples.length < SAMPLES_KEPT) faults.samples.push(text);
  };
  target.addEventListener('error', (event) => note(`error: ${describe((event as ErrorEvent).error ?? (event as ErrorEvent).message)}`));
  target.addEventListener('unhandledrejection', (event) => note(`unhandled rejection: ${describe((event as PromiseRejectionEvent).reason)}`));
  return faults;
}

function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  return String(value);
}
