/**
 * Structural sharing for signals. The node host sends a whole new snapshot on every change, and
 * runtime messaging copies it, so every nested object is new each time even when nothing in it
 * changed. A `stableComputed` hands out its previous value while the new one is deep-equal, so the
 * views that read it re-render only when their part changed (issue 4: a stats tick re-renders only
 * what changed).
 */
import { computed, type ReadonlySignal } from '@preact/signals';

/** Deep equality of JSON-like values (plain objects, arrays, primitives). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const key of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, key)) return false;
    if (!deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}

/** A computed that keeps its previous value (same reference) while `equals` says nothing changed. */
export function stableComputed<T>(fn: () => T, equals: (a: T, b: T) => boolean = deepEqual): ReadonlySignal<T> {
  let has = false;
  let last: T;
  return computed(() => {
    const next = fn();
    if (has && equals(last, next)) return last;
    has = true;
    last = next;
    return next;
  });
}

/** Same items in the same order (by identity). */
export function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
