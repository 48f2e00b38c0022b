import { effect } from '@preact/signals';
import { describe, expect, it, vi } from 'vitest';
import { createMeshModel, describeRefresh } from '../../../../../components/dashboard/rendezvous-mesh/mesh-model';
import { createNodeModel } from '../../../../../components/client/node-model';
import { withSnapshotParts } from '../../../../../components/dashboard/snapshot-parts';
import { fakeViewClient } from '../../../../support/fake-view-client';
import { fakeDiscovered, fakePeer, fakeSnapshot, SELF_NODE } from '../../../../support/view-fixtures';

function setup() {
  const fake = fakeViewClient();
  const node = withSnapshotParts(createNodeModel(fake.client, { tickMs: 0 }));
  fake.calls.length = 0;
  return { fake, node, model: createMeshModel(node, fake.client) };
}

describe('createMeshModel', () => {
  it('summarises the topology and recomputes it only when the mesh changed', () => {
    const { fake, model } = setup();
    expect(model.topology.value).toBeNull();
    expect(model.summary.value).toMatch(/waiting for the node/);
    const discovered = [fakeDiscovered(1, { status: 'ready', neighbors: [SELF_NODE] }), fakeDiscovered(2)];
    fake.push(fakeSnapshot({ peers: [fakePeer(1)], discovered }));
    expect(model.summary.value).toBe('3 nodes, 1 link');
    let runs = 0;
    const stop = effect(() => void (model.topology.value, runs++));
    // A stats tick: figures change, the mesh does not.
    fake.push(fakeSnapshot({ peers: [fakePeer(1, { rttMs: 99, bytesIn: 5 })], discovered: structuredClone(discovered) }));
    expect(runs).toBe(1);
    fake.push(fakeSnapshot({ peers: [fakePeer(1), fakePeer(2)], discovered }));
    expect(runs).toBe(2);
    expect(model.summary.value).toBe('3 nodes, 2 links');
    stop();
  });

  it('refreshes and says what it found', async () => {
    const { fake, model } = setup();
    const done = model.refresh();
    expect(model.refreshStatus.value?.kind).toBe('pending');
    const call = fake.next();
    expect(call.request).toEqual({ type: 'node:refresh' });
    call.resolve({ found: 3, dialling: 2 });
    await done;
    expect(model.refreshStatus.value).toEqual({ kind: 'ok', text: 'Found 3 new nodes, dialling 2' });
  });

  it('disposed while a refresh is on its way: aborts it and writes nothing afterwards', async () => {
    const { fake, model } = setup();
    const request = vi.spyOn(fake.client, 'request');
    const done = model.refresh();
    const pending = model.refreshStatus.value;
    model.dispose();
    expect(request.mock.calls[0]![1]?.signal?.aborted).toBe(true);
    fake.next().reject(new Error('late'));
    await done;
    expect(model.refreshStatus.value).toBe(pending);
  });
});

describe('describeRefresh', () => {
  it('counts in words', () => {
    expect(describeRefresh({ found: 1, dialling: 1 })).toBe('Found 1 new node, dialling 1');
    expect(describeRefresh({ found: 0, dialling: 0 })).toBe('Found 0 new nodes, dialling 0');
  });
});
