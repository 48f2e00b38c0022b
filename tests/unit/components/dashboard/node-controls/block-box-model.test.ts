import { describe, expect, it, vi } from 'vitest';
import { createBlockModel, labelOf } from '../../../../../components/dashboard/node-controls/block-box-model';
import { createConfirmModel } from '../../../../../components/ui/confirm-model';
import { createNodeModel } from '../../../../../components/client/node-model';
import { withSnapshotParts } from '../../../../../components/dashboard/snapshot-parts';
import { fakeViewClient, flush } from '../../../../support/fake-view-client';
import { fakeDiscovered, fakeId, fakePeer, fakeSnapshot, SELF_NODE } from '../../../../support/view-fixtures';

function setup() {
  const fake = fakeViewClient();
  const node = withSnapshotParts(createNodeModel(fake.client, { tickMs: 0 }));
  fake.calls.length = 0;
  fake.push(fakeSnapshot());
  const confirm = createConfirmModel();
  return { fake, confirm, model: createBlockModel(node, fake.client, confirm) };
}

describe('createBlockModel', () => {
  it('refuses a bad or own ID at the field and sends nothing', async () => {
    const { fake, model } = setup();
    model.setDraft('not an id');
    expect(await model.submit()).toBe(false);
    expect(model.fieldError.value).toMatch(/is not a node or user ID/);
    model.setDraft(SELF_NODE);
    expect(model.fieldError.value).toBeNull();
    expect(await model.submit()).toBe(false);
    expect(model.fieldError.value).toMatch(/own ID/);
    expect(fake.calls).toHaveLength(0);
  });

  it('asks before blocking a user ID; blocks the trimmed ID once confirmed, clears the box and says so', async () => {
    const { fake, model, confirm } = setup();
    const id = fakeId('u', 7);
    model.setDraft(`  ${id} `);
    const cancelled = model.submit();
    expect(confirm.current.value).toMatchObject({ title: `Block user ${id.slice(0, 8)}…?`, destructive: true });
    confirm.answer(false);
    expect(await cancelled).toBe(false);
    expect(fake.calls).toHaveLength(0);
    expect(model.draft.value).toBe(`  ${id} `);

    const done = model.submit();
    confirm.answer(true);
    await flush();
    expect(model.status.value?.kind).toBe('pending');
    const call = fake.next();
    expect(call.request).toEqual({ type: 'block:add', id });
    call.resolve([id]);
    expect(await done).toBe(true);
    expect(model.draft.value).toBe('');
    expect(model.status.value).toEqual({ kind: 'ok', text: `Blocked user ${id.slice(0, 8)}…: every node of that user is refused.` });
  });

  it('blocks a node ID without asking, labelled with the user it was seen as', async () => {
    const { fake, model, confirm } = setup();
    const peer = fakePeer(3);
    fake.push(fakeSnapshot({ peers: [peer] }));
    model.setDraft(peer.nodeId);
    const done = model.submit();
    expect(confirm.current.value).toBeNull();
    const call = fake.next();
    expect(call.request).toEqual({ type: 'block:add', id: peer.nodeId, label: `user ${peer.userId}` });
    call.resolve(null);
    expect(await done).toBe(true);
    expect(labelOf(fakeSnapshot({ discovered: [fakeDiscovered(4)] }), fakeDiscovered(4).nodeId)).toBe(`user ${fakeDiscovered(4).userId}`);
    expect(labelOf(fakeSnapshot(), fakeId('n', 9))).toBe('');
  });

  it("puts the background's refusal of the ID at the field", async () => {
    const { fake, model } = setup();
    model.setDraft(fakeId('n', 8));
    const done = model.submit();
    fake.next().reject(Object.assign(new Error('that ID is this node'), { name: 'BlockInputError', field: 'id' }));
    expect(await done).toBe(false);
    expect(model.fieldError.value).toBe('That ID is this node.');
    expect(model.status.value).toBeNull();
  });

  it('keeps the box and shows the failure', async () => {
    const { fake, model } = setup();
    const id = fakeId('n', 7);
    model.setDraft(id);
    const done = model.submit();
    fake.next().reject(Object.assign(new Error('no answer'), { name: 'NoReplyError' }));
    expect(await done).toBe(false);
    expect(model.draft.value).toBe(id);
    expect(model.status.value?.kind).toBe('error');
    expect(model.status.value?.text).toMatch(/^Could not block node .*did not answer/);
  });

  it('disposed while a block is on its way: aborts it and writes nothing afterwards', async () => {
    const { fake, model } = setup();
    const request = vi.spyOn(fake.client, 'request');
    model.setDraft(fakeId('n', 7));
    const done = model.submit();
    const pending = model.status.value;
    model.dispose();
    expect(request.mock.calls[0]![1]?.signal?.aborted).toBe(true);
    fake.take('block:add').reject(Object.assign(new Error('not a node or user ID'), { name: 'BlockInputError' }));
    expect(await done).toBe(false);
    expect(model.status.value).toBe(pending);
    expect(model.fieldError.value).toBeNull();
  });
});
