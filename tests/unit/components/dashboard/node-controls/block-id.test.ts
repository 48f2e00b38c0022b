import { describe, expect, it } from 'vitest';
import { checkBlockId } from '../../../../../components/dashboard/node-controls/block-id';
import { fakeId, SELF_NODE, SELF_USER } from '../../../../support/view-fixtures';

const self = { nodeId: SELF_NODE, userId: SELF_USER };

describe('checkBlockId', () => {
  it('accepts node and user IDs, trimmed', () => {
    expect(checkBlockId(`  ${fakeId('n', 5)}\n`, self)).toEqual({ ok: true, id: fakeId('n', 5), kind: 'node' });
    expect(checkBlockId(fakeId('u', 5), self)).toEqual({ ok: true, id: fakeId('u', 5), kind: 'user' });
  });

  it('refuses anything else with a message', () => {
    const refused = (raw: string) => {
      const result = checkBlockId(raw, self);
      expect(result.ok).toBe(false);
      return result.ok ? '' : result.message;
    };
    expect(refused('')).toMatch(/^Enter a node ID/);
    expect(refused('   ')).toMatch(/^Enter a node ID/);
    expect(refused('hello')).toMatch(/"hello" is not a node or user ID/);
    expect(refused(fakeId('n', 5).toUpperCase())).toMatch(/is not a node or user ID/);
    expect(refused(fakeId('n', 5) + 'a')).toMatch(/is not a node or user ID/);
    expect(refused('x' + fakeId('n', 5).slice(1))).toMatch(/is not a node or user ID/);
    expect(refused('n' + '1'.repeat(26))).toMatch(/is not a node or user ID/); // 1 is not base32
    expect(refused('z'.repeat(100))).toContain('…');
  });

  it("refuses this node's own ID and its user's", () => {
    expect(checkBlockId(SELF_NODE, self)).toMatchObject({ ok: false, message: expect.stringMatching(/own ID/) });
    expect(checkBlockId(SELF_USER, self)).toMatchObject({ ok: false, message: expect.stringMatching(/own user ID/) });
    // The trust box says why in its own words.
    expect(checkBlockId(SELF_NODE, self, 'trust')).toMatchObject({ ok: false, message: expect.stringMatching(/need not trust itself/) });
    expect(checkBlockId(SELF_USER, self, 'trust')).toMatchObject({ ok: false, message: expect.stringMatching(/always trusted/) });
    // Before the first snapshot the node's own IDs are unknown: the node refuses them itself.
    expect(checkBlockId(SELF_NODE, null).ok).toBe(true);
  });
});
