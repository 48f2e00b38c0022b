import { describe, expect, it } from 'vitest';
import { createConfirmModel } from '../../../../components/ui/confirm-model';

describe('createConfirmModel', () => {
  it('shows one question and resolves with the answer and the choice', async () => {
    const confirm = createConfirmModel();
    expect(confirm.current.value).toBeNull();
    const asked = confirm.ask({ title: 'Stop signaling?', message: 'm', choices: { legend: 'l', options: [{ value: 'a', label: 'A' }], initial: 'a' } });
    expect(confirm.current.value).toMatchObject({ title: 'Stop signaling?', seq: 1 });
    confirm.answer(true, 'a');
    expect(await asked).toEqual({ confirmed: true, choice: 'a' });
    expect(confirm.current.value).toBeNull();
  });

  it('a cancel carries no choice; answering twice changes nothing', async () => {
    const confirm = createConfirmModel();
    const asked = confirm.confirm({ title: 't', message: 'm' });
    confirm.answer(false, 'ignored');
    confirm.answer(true);
    expect(await asked).toBe(false);
  });

  it('a newer question cancels the one still open; dispose cancels too', async () => {
    const confirm = createConfirmModel();
    const first = confirm.confirm({ title: 'first', message: 'm' });
    const second = confirm.confirm({ title: 'second', message: 'm' });
    expect(await first).toBe(false);
    expect(confirm.current.value).toMatchObject({ title: 'second', seq: 2 });
    confirm.dispose();
    expect(await second).toBe(false);
    expect(confirm.current.value).toBeNull();
  });
});
