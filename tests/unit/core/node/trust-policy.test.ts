import { describe, expect, it } from 'vitest';
import { isStranger, isTrustedPeer, NotTrustedError, type TrustRule } from '../../../../core/node/trust-policy';
import { fakeId } from '../../../support/ids';

const self = fakeId(0, 'u');
const friendNode = fakeId(1);
const friendUser = fakeId(2, 'u');
const rule = (trustedOnly: boolean): TrustRule => ({ trustedOnly, trusted: new Set([friendNode, friendUser]), selfUserId: self });

describe('trust policy', () => {
  it('trusts a listed node ID, any node of a listed user ID, and any node of this user', () => {
    expect(isTrustedPeer(rule(true), friendNode, fakeId(9, 'u'))).toBe(true);
    expect(isTrustedPeer(rule(true), fakeId(3), friendUser)).toBe(true);
    expect(isTrustedPeer(rule(true), fakeId(4), self)).toBe(true);
    expect(isTrustedPeer(rule(true), fakeId(5), fakeId(6, 'u'))).toBe(false);
  });

  it('with trusted-only on, a stranger is turned away; with it off, nobody is', () => {
    expect(isStranger(rule(true), fakeId(5), fakeId(6, 'u'))).toBe(true);
    expect(isStranger(rule(true), friendNode, null)).toBe(false);
    expect(isStranger(rule(true), fakeId(3), friendUser)).toBe(false);
    expect(isStranger(rule(false), fakeId(5), fakeId(6, 'u'))).toBe(false);
  });

  it('judges an unknown user by the node ID alone', () => {
    expect(isStranger(rule(true), fakeId(3), null)).toBe(true);
    // A user ID listed as if it were a node ID trusts nothing.
    expect(isStranger({ ...rule(true), trusted: new Set([friendUser]) }, friendUser.replace(/^u/, 'n'), null)).toBe(true);
  });

  it('says in words why a dial is refused', () => {
    const error = new NotTrustedError(fakeId(5));
    expect(error.name).toBe('NotTrustedError');
    expect(error.message).toMatch(/not a trusted peer and Trusted peers only is on: trust its node or user ID first/);
  });
});
