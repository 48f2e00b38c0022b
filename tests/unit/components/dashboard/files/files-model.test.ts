import { describe, expect, it } from 'vitest';
import { createNodeModel } from '../../../../../components/client/node-model';
import { createFilesModel } from '../../../../../components/dashboard/files/files-model';
import type { FilesSnapshot } from '../../../../../core/files/file-sharing';
import { fakeBlobStore } from '../../../../support/fake-blob-store';
import { fakeViewClient } from '../../../../support/fake-view-client';
import { fakeId, fakeSnapshot } from '../../../../support/view-fixtures';

const IH = 'f'.repeat(40);
const LIMIT = 50 * 1024 * 1024;

function setup() {
  const fake = fakeViewClient();
  const node = createNodeModel(fake.client, { tickMs: 0 });
  fake.calls.length = 0;
  const { store: blobs, held } = fakeBlobStore();
  const saved: { name: string; blob: Blob }[] = [];
  const model = createFilesModel(node, fake.client, { blobs, save: (name, blob) => saved.push({ name, blob }) });
  const push = (files: Partial<FilesSnapshot> | null) =>
    fake.push({ ...fakeSnapshot(), files: files && { limitBytes: LIMIT, shared: [], downloads: [], room: [], engineError: null, ...files } });
  return { fake, model, blobs, held, saved, push };
}

describe('createFilesModel', () => {
  it('is unavailable while the node has no file sharing, and lists the room with each file’s download', () => {
    const { model, push } = setup();
    push(null);
    expect(model.available.value).toBe(false);
    const download = { ih: IH, name: 'a.bin', size: 10, state: 'fetching' as const, progress: 0.5, downloadBytesPerSecond: 5, peers: 1, error: null };
    push({ room: [{ ih: IH, name: 'a.bin', size: 10, sharedBy: [fakeId('n', 1)] }], downloads: [download, { ...download, ih: 'e'.repeat(40) }] });
    expect(model.available.value).toBe(true);
    expect(model.room.value).toEqual([{ ih: IH, name: 'a.bin', size: 10, sharedBy: [fakeId('n', 1)], download }]);
    expect(model.otherDownloads.value.map((d) => d.ih)).toEqual(['e'.repeat(40)]);
  });

  it('hands the file over through the store, and refuses one over the limit without asking the host', async () => {
    const { fake, model, blobs, push } = setup();
    push({});
    await model.share(new File([new Uint8Array(LIMIT + 1)], 'big.iso'));
    expect(model.status.value).toEqual({ kind: 'error', text: 'Could not share big.iso: it is 52.4 MB, and at most 50 MiB can be shared.' });
    expect(fake.calls).toHaveLength(0);

    const done = model.share(new File(['hello'], 'hello.txt'));
    await new Promise((r) => setTimeout(r, 0));
    const call = fake.next();
    expect(call.request).toMatchObject({ type: 'files:share', name: 'hello.txt', blobKey: expect.stringMatching(/^share:/) });
    expect(await (await blobs.take((call.request as { blobKey: string }).blobKey))!.text()).toBe('hello');
    call.resolve({ ih: IH });
    await done;
    expect(model.status.value).toEqual({ kind: 'ok', text: 'Sharing hello.txt with the room.' });
  });

  it('leaves nothing in the hand-off store when the node is offline or the request fails, so a retry adds no copy (issue 23, item 9)', async () => {
    const { fake, model, held, push } = setup();
    push({});
    const tick = () => new Promise((r) => setTimeout(r, 0));
    let done = model.share(new File(['hello'], 'hello.txt'));
    await tick();
    const first = fake.next();
    expect(held.size).toBe(1);
    first.reject(Object.assign(new Error('the node is offline'), { name: 'NodeOfflineError' }));
    await done;
    expect(model.status.value).toMatchObject({ kind: 'error' });
    expect([...held.keys()]).toEqual([]);

    done = model.share(new File(['hello'], 'hello.txt'));
    await tick();
    fake.next().reject(new Error('the node host did not answer'));
    await done;
    expect([...held.keys()]).toEqual([]);

    // Closing the page mid-request aborts it: the entry goes too.
    done = model.share(new File(['hello'], 'hello.txt'));
    await tick();
    const pending = fake.next();
    expect(held.size).toBe(1);
    model.dispose();
    pending.reject(new DOMException('aborted', 'AbortError'));
    await done;
    expect([...held.keys()]).toEqual([]);
  });

  it('saves a finished download under its name, and says what failed', async () => {
    const { fake, model, blobs, saved, push } = setup();
    push({ room: [{ ih: IH, name: 'a.bin', size: 5, sharedBy: [fakeId('n', 1)] }] });
    let done = model.save(IH);
    await blobs.put(`download:${IH}`, new Blob(['bytes']));
    fake.next().resolve({ blobKey: `download:${IH}`, name: 'a.bin' });
    await done;
    expect(saved.map((s) => s.name)).toEqual(['a.bin']);
    expect(model.status.value).toEqual({ kind: 'ok', text: 'Saved a.bin.' });

    done = model.download(IH);
    fake.next().reject(Object.assign(new Error('at most 4 downloads at once: wait for one, or cancel it'), { name: 'FileSharingError' }));
    await done;
    expect(model.status.value).toEqual({ kind: 'error', text: 'Could not download a.bin: at most 4 downloads at once: wait for one, or cancel it.' });
  });
});
