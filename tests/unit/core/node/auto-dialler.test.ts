/**
 * The auto-dialler alone, on the fake clock: the newly found first, the latest signed first, then the
 * rest in the order its random source gives, as the dial policy and the budget allow.
 */
import { describe, expect, it } from 'vitest';
import { AutoDialler } from '../../../../core/node/auto-dialler';
import { DialBudget } from '../../../../core/node/dial-budget';
import { RedialPolicy } from '../../../../core/node/redial-policy';
import { SessionTable } from '../../../../core/node/session-table';
import { RecordTable } from '../../../../core/discovery/record-table';
import { signRecord } from '../../../../core/discovery/rendezvous-record';
import { IdentityVerifier } from '../../../../core/identity/identity';
import { TimerGroup } from '../../../../core/lib/clock';
import { defaultSettings } from '../../../../core/settings/settings';
import { FakeClock } from '../../../support/fake-clock';
import { makeIdentity } from '../../../support/identities';
import { fakeId } from '../../../support/ids';

async function setUp(nodes: number, { maxPeers = 8, random = Math.random } = {}) {
  const clock = new FakeClock();
  const settings = { ...defaultSettings(), maxPeers };
  const records = new RecordTable(fakeId(0), new IdentityVerifier(), clock);
  const ids: string[] = [];
  for (let i = 0; i < nodes; i++) {
    const { identity } = await makeIdentity();
    await records.ingest(await signRecord(identity, { signal: [settings.signalingUrl], routing: true, neighbors: [] }, clock.now() - nodes + i));
    ids.push(identity.nodeId);
  }
  const dialled: string[] = [];
  const sessions = new SessionTable();
  const redial = new RedialPolicy(clock);
  const dialler = new AutoDialler({
    timers: new TimerGroup(clock),
    monotonic: () => clock.monotonic(),
    records,
    sessions,
    budget: new DialBudget(clock),
    context: () => ({
      settings,
      signalingState: 'open',
      selfId: fakeId(0),
      now: clock.now(),
      sessionCount: dialled.length,
      hasSession: (id) => dialled.includes(id),
      isBlocked: () => false,
      isStranger: () => false,
      redial,
    }),
    dial: (nodeId) => void dialled.push(nodeId),
    random,
  });
  return { clock, dialler, dialled, ids };
}

describe('AutoDialler', () => {
  it('dials every node the policy allows, in the order its random source gives', async () => {
    const inOrder = await setUp(4, { random: () => 0.999 });
    inOrder.dialler.sweep();
    // Fisher–Yates with a source near 1 swaps nothing: the table's order.
    expect(inOrder.dialled).toEqual(inOrder.ids);
    const reversed = await setUp(4, { random: () => 0 });
    reversed.dialler.sweep();
    expect(reversed.dialled).not.toEqual(reversed.ids);
    expect([...reversed.dialled].sort()).toEqual([...reversed.ids].sort());
  });

  it('dials a newly found node at once, before any sweep', async () => {
    const { clock, dialler, dialled, ids } = await setUp(3);
    dialler.found(ids[1]!, clock.now());
    expect(dialled).toEqual([ids[1]]);
  });

  it('forgets the newly found on stop: none is dialled by a later sweep first', async () => {
    const { clock, dialler, dialled, ids } = await setUp(3, { maxPeers: 0 });
    dialler.found(ids[2]!, clock.now());
    dialler.stop();
    expect(dialled).toEqual([]);
  });
});
