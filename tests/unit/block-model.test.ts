import { describe, expect, it } from 'vitest';
import { createBlockModel } from '../../components/block-model';
import { createNodeModel } from '../../components/node-model';
import { withSnapshotParts } from '../../components/snapshot-parts';
import { fakeViewClient } from '../support/fake-view-client';
import { fakeId, fakeSnapshot, SELF_NODE } from '../support/view-fixtures';

function setup() {
  const fake = fakeViewClient();
  const node = withSnapshotParts(createNodeModel(fake.client, { tickMs: 0 }));
  fake.calls.length = 0;
  fake.push(fakeSnapshot());
  return { fake, model: createBlockModel(node, fake.client) };
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

  it('blocks a trimmed ID, clears the box and says so', async () => {
    const { fake, model } = setup();
    const id = fakeId('u', 7);
    model.setDraft(`  ${id} `);
    const done = model.submit();
    expect(model.status.value?.kind).toBe('pending');
    const call = fake.next();
    expect(call.request).toEqual({ type: 'block:add', id });
    call.resolve([id]);
    expect(await done).toBe(true);
    expect(model.draft.value).toBe('');
    expect(model.status.value).toEqual({ kind: 'ok', text: `Blocked user ${id.slice(0, 8)}…: every node of that user is refused.` });
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
});
