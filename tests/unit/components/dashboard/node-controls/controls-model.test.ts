import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createControlsModel, switchChangeText } from '../../../../../components/dashboard/node-controls/controls-model';

describe('createControlsModel', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sets a switch at once and offers Undo, which sets the previous value', () => {
    const setSwitch = vi.fn(async () => undefined);
    const controls = createControlsModel({ setSwitch });
    controls.toggle('routing', false);
    expect(setSwitch).toHaveBeenLastCalledWith('routing', false);
    expect(controls.routingUndo.offer.value).toEqual({ text: 'Mesh routing turned off.', undoable: true });
    expect(controls.pauseUndo.offer.value).toBeNull();
    controls.routingUndo.undo();
    expect(setSwitch).toHaveBeenLastCalledWith('routing', true);

    controls.toggle('pauseIncoming', true);
    expect(controls.pauseUndo.offer.value?.text).toBe('Incoming connections paused.');
    controls.toggle('trustedOnly', false);
    expect(controls.trustUndo.offer.value?.text).toBe('Any peer may connect again, not only trusted ones.');
    expect(controls.pauseUndo.offer.value?.text).toBe('Incoming connections paused.');
    controls.dispose();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('words every change', () => {
    expect(switchChangeText('pauseIncoming', false)).toBe('Incoming connections accepted again.');
    expect(switchChangeText('pauseOutgoing', true)).toBe('Outgoing connections paused.');
    expect(switchChangeText('routing', true)).toBe('Mesh routing turned on.');
    expect(switchChangeText('trustedOnly', true)).toBe('Trusted peers only: other peers are disconnected and refused.');
  });
});
