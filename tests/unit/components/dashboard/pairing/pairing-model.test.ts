import { afterEach, describe, expect, it, vi } from 'vitest';
import { createNodeModel } from '../../../../../components/client/node-model';
import { withSnapshotParts } from '../../../../../components/dashboard/snapshot-parts';
import { createPairingModel } from '../../../../../components/dashboard/pairing/pairing-model';
import { createConfirmModel } from '../../../../../components/ui/confirm-model';
import { fakeViewClient } from '../../../../support/fake-view-client';
import { fakeSnapshot } from '../../../../support/view-fixtures';

function setup() {
  const fake = fakeViewClient();
  const node = withSnapshotParts(createNodeModel(fake.client, { tickMs: 0 }));
  fake.push(fakeSnapshot());
  fake.calls.length = 0;
  const confirm = createConfirmModel();
  let now = 1_000_000;
  const model = createPairingModel(node, fake.client, confirm, { now: () => now });
  // The model asks whether this browser is paired as it starts.
  expect(fake.calls[0]!.request).toEqual({ type: 'pairing:state' });
  fake.calls[0]!.resolve({ paired: false, since: null });
  fake.calls.length = 0;
  return { fake, confirm, model, advance: (ms: number) => (now += ms) };
}

describe('createPairingModel', () => {
  afterEach(() => vi.useRealTimers());

  it('shows the code counting down, and hides it when it expires', async () => {
    vi.useFakeTimers();
    const { fake, model, advance } = setup();
    const making = model.createOffer();
    expect(fake.calls[0]!.request).toEqual({ type: 'pairing:offer' });
    fake.calls[0]!.resolve({ code: 'abcd-efgh-ijkl-mnop', expiresAt: 1_000_000 + 300_000 });
    await making;
    expect(model.offer.value?.code).toBe('abcd-efgh-ijkl-mnop');
    expect(model.secondsLeft.value).toBe(300);
    advance(300_000);
    vi.advanceTimersByTime(1000);
    expect(model.offer.value).toBeNull();
    expect(model.offerStatus.value?.text).toMatch(/expired/);
    model.dispose();
  });

  it('refuses a mistyped code at the field, and asks before joining with a good one', async () => {
    const { fake, confirm, model } = setup();
    model.setDraft('abcd-efgh');
    expect(await model.join()).toBe(false);
    expect(model.draftError.value).toMatch(/16 letters and digits/);
    expect(fake.calls).toHaveLength(0);

    model.setDraft('ABCD EFGH IJKL MNOP');
    const joining = model.join();
    await Promise.resolve();
    expect(confirm.current.value?.message).toMatch(/replaced by the other browser’s/);
    expect(confirm.current.value?.message).toMatch(/kept and merged, never dropped/);
    confirm.answer(true);
    await vi.waitFor(() => expect(fake.calls).toHaveLength(1));
    expect(fake.calls[0]!.request).toEqual({ type: 'pairing:join', code: 'ABCD EFGH IJKL MNOP' });
    fake.calls[0]!.resolve({ userId: 'u' + 'a'.repeat(26), merged: 2 });
    // Then it asks again whether it is paired.
    await vi.waitFor(() => expect(fake.calls[1]?.request).toEqual({ type: 'pairing:state' }));
    fake.calls[1]!.resolve({ paired: true, since: 1 });
    await joining;
    expect(model.paired.value?.paired).toBe(true);
    expect(model.joinStatus.value?.text).toMatch(/Joined: this browser is now user uaaaaaaa…; 2 block list entries/);
    expect(model.draft.value).toBe('');
    model.dispose();
  });

  it('hides the code once the other browser joined, and unpairs', async () => {
    vi.useFakeTimers();
    const { fake, model } = setup();
    const making = model.createOffer();
    fake.calls[0]!.resolve({ code: 'abcd-efgh-ijkl-mnop', expiresAt: 1_000_000 + 300_000 });
    await making;
    fake.calls.length = 0;
    vi.advanceTimersByTime(1000);
    expect(fake.calls[0]!.request).toEqual({ type: 'pairing:state' });
    fake.calls[0]!.resolve({ paired: true, since: 1_000_500 });
    await vi.waitFor(() => expect(model.offer.value).toBeNull());
    expect(model.offerStatus.value?.text).toMatch(/^Paired/);
    expect(model.paired.value?.paired).toBe(true);

    fake.calls.length = 0;
    const unpairing = model.unpair();
    expect(fake.calls[0]!.request).toEqual({ type: 'pairing:unpair' });
    fake.calls[0]!.resolve({ paired: false, since: null });
    await unpairing;
    expect(model.paired.value?.paired).toBe(false);
    expect(model.unpairStatus.value?.text).toMatch(/no longer shared/);
    model.dispose();
  });

  it('sends nothing when the user declines', async () => {
    const { fake, confirm, model } = setup();
    model.setDraft('abcdefghijklmnop');
    const joining = model.join();
    await Promise.resolve();
    confirm.answer(false);
    await joining;
    expect(fake.calls).toHaveLength(0);
    model.dispose();
  });
});
