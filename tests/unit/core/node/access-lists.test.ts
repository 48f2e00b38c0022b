import { describe, expect, it } from 'vitest';
import { AccessLists } from '../../../../core/node/access-lists';
import { EventLog } from '../../../../core/lib/event-log';
import { FakeClock } from '../../../support/fake-clock';
import { fakeId } from '../../../support/ids';

describe('AccessLists', () => {
  const setUp = (trustedOnly = false) => {
    const log = new EventLog(new FakeClock());
    return { log, lists: new AccessLists({ selfUserId: 'uSELF', trustedOnly: () => trustedOnly, log }) };
  };

  it('blocks by node or user ID, and logs each ID added or removed', () => {
    const { log, lists } = setUp();
    lists.setBlocked([fakeId(1), 'uOTHER']);
    expect(lists.isBlocked(fakeId(1), null)).toBe(true);
    expect(lists.isBlocked(fakeId(2), 'uOTHER')).toBe(true);
    expect(lists.isBlocked(fakeId(2), null)).toBe(false);
    lists.setBlocked(['uOTHER']);
    expect(log.all().map((e) => e.message)).toEqual([`blocked ${fakeId(1)}`, 'blocked uOTHER', `unblocked ${fakeId(1)}`]);
    // A node ID names the node the line is about; a user ID does not.
    expect(log.all().map((e) => e.nodeId ?? null)).toEqual([fakeId(1), null, fakeId(1)]);
  });

  it('turns strangers away only in trusted-only mode; the user’s own browsers are never strangers', () => {
    const open = setUp(false).lists;
    expect(open.isStranger(fakeId(3), null)).toBe(false);
    const { lists } = setUp(true);
    expect(lists.setTrusted([fakeId(3)])).toEqual(new Set([fakeId(3)]));
    expect(lists.setTrusted([fakeId(3), 'uFRIEND'])).toEqual(new Set(['uFRIEND']));
    expect(lists.isStranger(fakeId(3), null)).toBe(false);
    expect(lists.isStranger(fakeId(4), 'uFRIEND')).toBe(false);
    expect(lists.isStranger(fakeId(4), 'uSELF')).toBe(false);
    expect(lists.isStranger(fakeId(4), null)).toBe(true);
  });
});
