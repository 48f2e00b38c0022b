import { describe, expect, it, vi } from 'vitest';
import { createNodeModel } from '../../../../../components/client/node-model';
import { withSnapshotParts } from '../../../../../components/dashboard/snapshot-parts';
import { createPingModel, describePing } from '../../../../../components/dashboard/mesh-controls/ping-model';
import { fakeViewClient } from '../../../../support/fake-view-client';
import { fakeDiscovered, fakeId, fakeSnapshot, SELF_NODE } from '../../../../support/view-fixtures';

const short = (id: string) => `${id.slice(0, 8)}…`;

function setup() {
  const fake = fakeViewClient();
  const node = withSnapshotParts(createNodeModel(fake.client, { tickMs: 0 }));
  fake.calls.length = 0;
  return { fake, model: createPingModel(node, fake.client) };
}

describe('createPingModel', () => {
  it('lists discovered nodes but this one, ready neighbours first', () => {
    const { fake, model } = setup();
    fake.push(
      fakeSnapshot({
        discovered: [fakeDiscovered(2, { status: 'stale' }), fakeDiscovered(1, { status: 'ready' }), { ...fakeDiscovered(0), nodeId: SELF_NODE }],
      }),
    );
    expect(model.targets.value).toEqual([
      { nodeId: fakeId('n', 1), label: `${short(fakeId('n', 1))} — ready neighbour` },
      { nodeId: fakeId('n', 2), label: `${short(fakeId('n', 2))} — stale` },
    ]);
  });

  it('asks for a node first, then pings it and shows the path or the failure', async () => {
    const { fake, model } = setup();
    await model.ping();
    expect(model.targetError.value).toMatch(/No node to ping yet/);
    fake.push(fakeSnapshot({ discovered: [fakeDiscovered(3)] }));
    await model.ping();
    expect(model.targetError.value).toBe('Choose a node to ping.');
    expect(fake.calls).toHaveLength(0);

    const target = fakeId('n', 3);
    model.setTarget(target);
    expect(model.targetError.value).toBeNull();
    let done = model.ping();
    let call = fake.next();
    expect(call.request).toEqual({ type: 'node:ping', nodeId: target });
    call.resolve({ rttMs: 23.4, path: [SELF_NODE, fakeId('n', 1), target] });
    await done;
    expect(model.status.value).toEqual({ kind: 'ok', text: `23 ms via ${short(SELF_NODE)} → ${short(fakeId('n', 1))} → ${short(target)}` });

    done = model.ping();
    call = fake.next();
    call.reject(Object.assign(new Error(`no answer from ${short(target)} within 5 s`), { name: 'PingTimeoutError' }));
    await done;
    expect(model.status.value).toEqual({ kind: 'error', text: `Could not ping ${short(target)}: no answer from ${short(target)} within 5 s.` });
  });

  it('disposed while a ping is on its way: aborts it and writes nothing afterwards', async () => {
    const { fake, model } = setup();
    const request = vi.spyOn(fake.client, 'request');
    fake.push(fakeSnapshot({ discovered: [fakeDiscovered(3)] }));
    model.setTarget(fakeId('n', 3));
    const done = model.ping();
    const pending = model.status.value;
    model.dispose();
    expect(request.mock.calls[0]![1]?.signal?.aborted).toBe(true);
    fake.next().resolve({ rttMs: 5, path: [SELF_NODE] });
    await done;
    expect(model.status.value).toBe(pending);
  });
});

describe('describePing', () => {
  it('gives the round trip and the path in short IDs', () => {
    expect(describePing({ rttMs: 5, path: ['nabcdefghij', 'nbcdefghijk'] })).toBe('5 ms via nabcdefg… → nbcdefgh…');
  });
});
