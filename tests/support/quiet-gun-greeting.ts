/**
 * vitest's setupFiles for the suites that start GUN (vitest.config.ts): GUN's greeting is dropped from
 * this worker's console.log for its whole life, so it never reaches the test logs (issue 13). It
 * filters, it does not load GUN: loading GUN here, before a test's own imports, made the e2e leak test's
 * dials stall now and then (GUN patches timer functions when it loads), 0 of 7 runs before and about
 * half after.
 */
import { isGunGreeting } from '../../server/quiet-gun';

const log = console.log;
console.log = (...args: unknown[]) => {
  if (!isGunGreeting(args)) log.apply(console, args);
};
