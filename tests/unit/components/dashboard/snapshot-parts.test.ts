import { signal } from '@preact/signals';
import { describe, expect, it } from 'vitest';
import type { NodeSnapshot } from '../../../../core/node/observed-state';
import { createSnapshotParts } from '../../../../components/dashboard/snapshot-parts';
import { fakeSnapshot, SELF_NODE, SELF_USER } from '../../../support/view-fixtures';

describe('createSnapshotParts', () => {
  it('keeps the identity of parts that did not change', () => {
    const snapshot = signal<NodeSnapshot | null>(null);
    const parts = createSnapshotParts(snapshot);
    expect(parts.signaling.value).toBeNull();
    expect(parts.discovered.value).toEqual([]);
    snapshot.value = fakeSnapshot({ at: 1 });
    const signaling = parts.signaling.value;
    const discovered = parts.discovered.value;
    expect(parts.identity.value).toEqual({ nodeId: SELF_NODE, userId: SELF_USER });
    snapshot.value = fakeSnapshot({ at: 2, totals: { ...fakeSnapshot().totals, rateIn: 5 } });
    expect(parts.signaling.value).toBe(signaling);
    expect(parts.discovered.value).toBe(discovered);
    expect(parts.totals.value?.rateIn).toBe(5);
    snapshot.value = fakeSnapshot({ at: 3, signaling: { ...fakeSnapshot().signaling, attempts: 2 } });
    expect(parts.signaling.value).not.toBe(signaling);
    expect(parts.signaling.value?.attempts).toBe(2);
  });
});
