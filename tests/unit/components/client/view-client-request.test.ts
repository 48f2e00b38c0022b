/**
 * The view client's requests to the background (an envelope out, the reply unwrapped or thrown) and
 * firstHeard, on a faked runtime.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PROTOCOL_VERSION, errorReply, okReply } from '../../../../core/control/protocol';
import { ClientClosedError, NoReplyError, createViewClient, firstHeard } from '../../../../components/client/view-client';
import { FakeRuntime } from '../../../support/fake-view-runtime';
import { fakeSnapshot } from '../../../support/view-fixtures';

const snapshot = (at: number) => fakeSnapshot({ at });

// The polyfill throws outside an extension; the client only uses it as the default runtime.
vi.mock('webextension-polyfill', () => ({ default: { runtime: {} } }));

describe('request', () => {
  let runtime: FakeRuntime;
  beforeEach(() => {
    vi.useFakeTimers();
    runtime = new FakeRuntime();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends an envelope to the background and unwraps the value', async () => {
    runtime.answer = async (message) => okReply({ echoed: message.type });
    const client = createViewClient(runtime);
    await expect(client.request({ type: 'settings:get' })).resolves.toEqual({ echoed: 'settings:get' });
    expect(runtime.sent).toEqual([{ type: 'settings:get', v: PROTOCOL_VERSION, to: 'background' }]);
    client.close();
  });

  it("throws the reply's error with its name and message", async () => {
    runtime.answer = async () => ({ ok: false, error: { name: 'SettingsError', message: 'must be true or false' } });
    const client = createViewClient(runtime);
    const error = await client.request({ type: 'settings:update', patch: { enabled: true } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('SettingsError');
    expect((error as Error).message).toBe('must be true or false');
    expect((error as { field?: string }).field).toBeUndefined();
    client.close();
  });

  it('keeps the field a SettingsError is about', async () => {
    runtime.answer = async () => ({ ok: false, error: { name: 'SettingsError', message: '"x" is not a URL', field: 'signalingUrl' } });
    const client = createViewClient(runtime);
    const error = await client.request({ type: 'settings:update', patch: { signalingUrl: 'x' } }).catch((e: unknown) => e);
    expect((error as { field?: string }).field).toBe('signalingUrl');
    client.close();
  });

  it('throws NoReplyError when nothing answered', async () => {
    runtime.answer = async () => undefined;
    const client = createViewClient(runtime);
    await expect(client.request({ type: 'settings:get' })).rejects.toBeInstanceOf(NoReplyError);
    client.close();
  });

  it('passes on a failed sendMessage, also a synchronous throw', async () => {
    runtime.answer = () => Promise.reject(new Error('Could not establish connection. Receiving end does not exist.'));
    const client = createViewClient(runtime);
    await expect(client.request({ type: 'settings:get' })).rejects.toThrow('Receiving end does not exist');
    runtime.answer = () => {
      throw new Error('Extension context invalidated.');
    };
    await expect(client.request({ type: 'settings:get' })).rejects.toThrow('Extension context invalidated');
    client.close();
  });

  it('rejects pending and later requests once closed', async () => {
    runtime.answer = () => new Promise(() => {});
    const client = createViewClient(runtime);
    const pending = client.request({ type: 'settings:get' });
    client.close();
    await expect(pending).rejects.toBeInstanceOf(ClientClosedError);
    await expect(client.request({ type: 'settings:get' })).rejects.toBeInstanceOf(ClientClosedError);
  });

  it('honours an abort signal', async () => {
    runtime.answer = () => new Promise(() => {});
    const client = createViewClient(runtime);
    const controller = new AbortController();
    const pending = client.request({ type: 'settings:get' }, { signal: controller.signal });
    controller.abort(new Error('gone'));
    await expect(pending).rejects.toThrow('gone');
    client.close();
  });

  it('ignores a reply that arrives after the abort, and sends nothing when aborted already', async () => {
    let answer!: (reply: unknown) => void;
    runtime.answer = () => new Promise((resolve) => (answer = resolve));
    const client = createViewClient(runtime);
    const controller = new AbortController();
    const pending = client.request({ type: 'settings:get' }, { signal: controller.signal });
    controller.abort();
    answer(okReply({ late: true }));
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });

    await expect(client.request({ type: 'settings:get' }, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(runtime.sent).toHaveLength(1);
    client.close();
  });
});


describe('firstHeard', () => {
  let runtime: FakeRuntime;
  beforeEach(() => {
    vi.useFakeTimers();
    runtime = new FakeRuntime();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  async function settledAfter(act: (client: ReturnType<typeof createViewClient>) => void): Promise<{ settled: boolean; client: ReturnType<typeof createViewClient> }> {
    const client = createViewClient(runtime);
    let settled = false;
    void firstHeard(client, 1000).then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(10);
    expect(settled).toBe(false);
    act(client);
    await vi.advanceTimersByTimeAsync(0);
    return { settled, client };
  }

  it('resolves on the first snapshot', async () => {
    const { settled, client } = await settledAfter(() => runtime.port.post({ type: 'state', snapshot: snapshot(1) }));
    expect(settled).toBe(true);
    client.close();
  });

  it('resolves when the host proves unreachable (the background cannot create it)', async () => {
    runtime.answer = async () => errorReply(new Error('no offscreen document'));
    const { settled, client } = await settledAfter(() => runtime.port.drop());
    expect(settled).toBe(true);
    client.close();
  });

  it('resolves after the wait when the host says nothing, and at once when a snapshot is already there', async () => {
    const { settled, client } = await settledAfter(() => vi.advanceTimersByTime(990));
    expect(settled).toBe(true);
    let again = false;
    runtime.port.post({ type: 'state', snapshot: snapshot(2) });
    void firstHeard(client, 1000).then(() => (again = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(again).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    client.close();
  });
});
