import { describe, expect, it, vi } from 'vitest';
import { createDashboardModel } from '../../../../components/dashboard/dashboard-model';
import { fakeViewClient } from '../../../support/fake-view-client';

describe('createDashboardModel', () => {
  it('makes every model from one client and releases all of it on dispose', () => {
    vi.useFakeTimers();
    try {
      const fake = fakeViewClient();
      const model = createDashboardModel(fake.client, { tickMs: 1000 });
      expect(fake.listenerCount).toBeGreaterThan(0);
      expect(vi.getTimerCount()).toBe(1); // the node model's clock
      model.dispose();
      expect(fake.listenerCount).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
