import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createUndoSlot, UNDO_MS } from '../../../../components/ui/undo-model';

describe('createUndoSlot', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('offers Undo for UNDO_MS, then forgets it', () => {
    const slot = createUndoSlot();
    const undo = vi.fn();
    slot.show('Unblocked node nabc.', undo);
    expect(slot.offer.value).toEqual({ text: 'Unblocked node nabc.', undoable: true });
    vi.advanceTimersByTime(UNDO_MS - 1);
    expect(slot.offer.value?.undoable).toBe(true);
    vi.advanceTimersByTime(1);
    expect(slot.offer.value).toBeNull();
    slot.undo();
    expect(undo).not.toHaveBeenCalled();
  });

  it('runs the undo once, says so for a moment, and a newer offer replaces an older one', () => {
    const slot = createUndoSlot();
    const older = vi.fn();
    const newer = vi.fn();
    slot.show('one', older);
    slot.show('two', newer);
    slot.undo('Blocked again.');
    slot.undo();
    expect(older).not.toHaveBeenCalled();
    expect(newer).toHaveBeenCalledTimes(1);
    expect(slot.offer.value).toEqual({ text: 'Blocked again.', undoable: false });
    vi.advanceTimersByTime(UNDO_MS / 2);
    expect(slot.offer.value).toBeNull();
  });

  it('dispose leaves no timer behind', () => {
    const slot = createUndoSlot();
    slot.show('x', () => undefined);
    slot.dispose();
    expect(vi.getTimerCount()).toBe(0);
  });
});
