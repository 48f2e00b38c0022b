import { afterEach, describe, expect, it, vi } from 'vitest';
import { COPIED_MS, createCopyModel } from '../../../../components/ui/copy-model';

describe('createCopyModel', () => {
  afterEach(() => vi.useRealTimers());

  it('marks the button that copied for a moment', async () => {
    vi.useFakeTimers();
    const written: string[] = [];
    const model = createCopyModel({ reportError: () => {} }, async (text) => void written.push(text));
    await model.copy('node-id', 'nabc');
    expect(written).toEqual(['nabc']);
    expect(model.copied.value).toBe('node-id');
    await vi.advanceTimersByTimeAsync(COPIED_MS);
    expect(model.copied.value).toBeNull();
    model.dispose();
  });

  it('reports a refused clipboard', async () => {
    const errors: string[] = [];
    const model = createCopyModel({ reportError: (action) => errors.push(action) }, () => Promise.reject(new Error('denied')));
    await model.copy('x', 'y');
    expect(model.copied.value).toBeNull();
    expect(errors).toEqual(['copy the ID to the clipboard']);
  });

  it('disposed while the clipboard write is under way: shows nothing afterwards', async () => {
    const errors: string[] = [];
    let refuse!: (error: Error) => void;
    const model = createCopyModel({ reportError: (action) => errors.push(action) }, () => new Promise((_, reject) => (refuse = reject)));
    const done = model.copy('x', 'y');
    model.dispose();
    refuse(new Error('denied'));
    await done;
    expect(errors).toEqual([]);
    expect(model.copied.value).toBeNull();
  });
});
