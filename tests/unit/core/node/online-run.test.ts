/**
 * The online run alone, on the fake clock, over in-memory transports: what going online starts, what a
 * transport's events reach, what a change of signaling or relay state sets off, and that going offline
 * leaves nothing behind. The parts the run hands events to are stubs that write down what they heard.
 */
import { describe, expect, it, vi } from 'vitest';
import { DIAL_SWEEP_MS, OnlineRun, STATS_INTERVAL_MS } from '../../../../core/node/online-run';
import { NEIGHBOUR_ANNOUNCE_MIN_MS } from '../../../../core/node/announcer';
import { ANNOUNCE_INTERVAL_MS, type NodeRecord } from '../../../../core/discovery/rendezvous-record';
import type { IceServerCheck } from '../../../../core/signaling/ice-check';
import { TimerGroup } from '../../../../core/lib/clock';
import { EventLog } from '../../../../core/lib/event-log';
import { defaultSettings, type Settings } from '../../../../core/settings/settings';
import type { PeerSession } from '../../../../core/session/peer-session';
import type { Link } from '../../../../core/session/link';
import { linkPair, MemoryNetwork } from '../../../../server/sim/memory-network';
import { MemoryRendezvous } from '../../../../server/sim/memory-rendezvous';
import { FakeClock, eventually, settle } from '../../../support/fake-clock';
import { makeIdentity } from '../../../support/identities';
import { fakeId } from '../../../support/ids';

const URL = 'http://127.0.0.1:9000/peerjs';
const RELAY = 'http://127.0.0.1:9000/gun';

// The defaults, on this test's endpoints.
const settings: Settings = { ...defaultSettings(), signalingUrl: URL, relayUrls: [RELAY] };

async function setUp({ checkIceServer }: { checkIceServer?: (server: { urls: string | string[] }) => Promise<IceServerCheck> } = {}) {
  const clock = new FakeClock();
  const { identity } = await makeIdentity();
  const network = new MemoryNetwork();
  const { store } = network;
  const timers = new TimerGroup(clock);
  const log = new EventLog(clock);
  const heard = {
    inbound: [] as Link[],
    met: [] as Link[],
    records: [] as unknown[],
    screened: [] as unknown[],
    shared: [] as [string, unknown][],
    roomStarts: 0,
    roomStops: 0,
    refusedClosed: 0,
    intakeStops: 0,
    sweeps: 0,
    diallerStops: 0,
    prunes: 0,
    dialled: 0,
    samples: 0,
  };
  /** Whether admission takes the trackers' links. */
  let takesMet = true;
  const session = { sampleTraffic: async () => void heard.samples++ } as unknown as PeerSession;
  const current = { settings: settings as Settings | null, ready: [] as string[] };
  const run = new OnlineRun({
    transports: { identity, clock, createSignaling: network.createSignaling, createRendezvous: network.createRendezvous },
    checkIceServer: checkIceServer ? (server) => checkIceServer(server) : undefined,
    timers,
    log,
    settings: () => current.settings,
    sessions: { all: () => [session], readyIds: () => current.ready },
    freshKeyOf: () => null,
    admission: {
      inbound: (link) => void heard.inbound.push(link),
      met: (link) => (heard.met.push(link), takesMet),
      holds: () => false,
      trackerOffersWanted: () => 0,
      closeRefused: () => void heard.refusedClosed++,
    },
    intake: {
      take: (raw, verdict) => {
        heard.records.push(raw);
        verdict(true);
      },
      screened: (refused) => void heard.screened.push(...refused),
      stop: () => void heard.intakeStops++,
    },
    room: {
      start: () => void heard.roomStarts++,
      stop: () => void heard.roomStops++,
      heard: (channel, value) => void heard.shared.push([channel, value]),
    },
    dialler: { sweep: () => void heard.sweeps++, stop: () => void heard.diallerStops++ },
    redial: { prune: () => void heard.prunes++ },
    dialled: () => void heard.dialled++,
    changed: () => undefined,
  });
  /** The records this node wrote to the rendezvous, oldest first. */
  const announced = (): NodeRecord[] => (run.rendezvous as unknown as { announced: NodeRecord[] } | null)?.announced ?? [];
  const signalOf = (record: NodeRecord | undefined) => JSON.parse(record?.signal ?? 'null') as string[] | null;
  return { clock, identity, network, store, timers, log, heard, run, current, announced, signalOf, takesMet: (takes: boolean) => (takesMet = takes) };
}

describe('OnlineRun', () => {
  it('goes online: registers with the signaling server, starts the room, announces, and sweeps once signaling is open', async () => {
    const { identity, network, heard, run, log } = await setUp();
    expect(run.isOnline).toBe(false);
    run.start(settings);
    expect(run.isOnline).toBe(true);
    expect(run.signalingState).toBe('connecting');
    expect(heard.roomStarts).toBe(1);
    await eventually(() => run.signalingState === 'open', 'signaling open');
    expect(network.registered.has(identity.nodeId)).toBe(true);
    expect(heard.sweeps).toBe(1);
    expect(log.all().map((e) => e.type)).toContain('signaling:open');
    expect(run.snapshot().relayStates.get(RELAY)).toBe('open');
  });

  it('announces again as soon as the endpoints it is registered on change, not at the next periodic announce', async () => {
    const { run, announced, signalOf } = await setUp();
    run.start(settings);
    // The announce of the start is made before signaling opens: it lists no endpoint.
    await eventually(() => signalOf(announced().at(-1))?.length === 1, 'announced with the open server');
    expect(signalOf(announced().at(-1))).toEqual([URL]);
    expect(run.snapshot().lastAnnounceAt).toBe(announced().at(-1)!.ts);
  });

  it('lists the ready neighbours in its record, an announce spaced after a change', async () => {
    const { clock, run, current, announced, signalOf } = await setUp();
    run.start(settings);
    await eventually(() => signalOf(announced().at(-1))?.length === 1, 'the announces of the start');
    const writes = announced().length;
    current.ready = [fakeId(1)];
    run.neighboursChanged();
    await clock.advance(NEIGHBOUR_ANNOUNCE_MIN_MS);
    await eventually(() => announced().length === writes + 1, 'the neighbour announce');
    expect(JSON.parse(announced().at(-1)!.neighbors)).toEqual([fakeId(1)]);
  });

  it('sweeps every DIAL_SWEEP_MS with the redial holds pruned first, and samples traffic every STATS_INTERVAL_MS', async () => {
    const { clock, heard, run } = await setUp();
    run.start(settings);
    await eventually(() => run.signalingState === 'open', 'signaling open');
    const sweeps = heard.sweeps;
    await clock.advance(DIAL_SWEEP_MS - 1);
    expect([heard.sweeps - sweeps, heard.prunes]).toEqual([0, 0]);
    await clock.advance(1);
    expect([heard.sweeps - sweeps, heard.prunes]).toEqual([1, 1]);
    expect(heard.samples).toBe(Math.floor(DIAL_SWEEP_MS / STATS_INTERVAL_MS));
    await clock.advance(2 * DIAL_SWEEP_MS);
    expect(heard.prunes).toBe(3);
    expect(heard.samples).toBe(Math.floor((3 * DIAL_SWEEP_MS) / STATS_INTERVAL_MS));
  });

  it('hands inbound links to admission, and counts a tracker’s link as a dial only when admission takes it', async () => {
    const { run, heard, takesMet } = await setUp();
    run.start(settings);
    const [, inbound] = linkPair(fakeId(1), fakeId(0));
    run.signaling!.events.emit('link:inbound', inbound);
    expect(heard.inbound).toEqual([inbound]);
    const [met] = linkPair(fakeId(0), fakeId(2));
    run.signaling!.events.emit('link:met', met);
    takesMet(false);
    run.signaling!.events.emit('link:met', met);
    expect(heard.met).toHaveLength(2);
    expect(heard.dialled).toBe(1);
  });

  it("hands the rendezvous's records, its screen's refusals and shared values to their parts", async () => {
    const { store, run, heard } = await setUp();
    run.start(settings);
    store.put(fakeId(1), { id: fakeId(1) });
    await settle();
    expect(heard.records).toContainEqual({ id: fakeId(1) });
    run.rendezvous!.events.emit('records:refused', ['forged']);
    expect(heard.screened).toEqual(['forged']);
    run.rendezvous!.events.emit('shared:update', { channel: 'c', value: 1, verdict: () => undefined });
    expect(heard.shared).toEqual([['c', 1]]);
  });

  it('back on a relay after losing it: announces at once and retries signaling; a relay lost while another stays: announces through it', async () => {
    const { run, announced, signalOf, log } = await setUp();
    const other = 'http://127.0.0.1:9001/gun';
    run.start({ ...settings, relayUrls: [RELAY, other] });
    await eventually(() => signalOf(announced().at(-1))?.length === 1, 'the announces of the start');
    const writes = announced().length;
    const retry = vi.spyOn(run.signaling!, 'retryNow');
    const relay = (url: string, state: 'open' | 'closed') => run.rendezvous!.events.emit('relay:state', { url, state });
    relay(RELAY, 'closed');
    await eventually(() => announced().length === writes + 1, 'announced through the other relay');
    relay(other, 'closed');
    relay(RELAY, 'open');
    await eventually(() => announced().length === writes + 2, 'announced on the relay back');
    expect(retry).toHaveBeenCalledTimes(1);
    expect(log.all().filter((e) => e.type === 'relay:closed')).toHaveLength(2);
  });

  it('starts with signaling left while a stop is in force, announcing no endpoint, and rejoins at its end', async () => {
    const { clock, identity, network, run, announced, signalOf, log } = await setUp();
    const stop = { until: clock.now() + 150 };
    run.start({ ...settings, signalingStop: stop });
    run.reconcileStop(stop);
    expect(network.registered.has(identity.nodeId)).toBe(false);
    expect(run.snapshot().signaling).toMatchObject({ state: 'stopped', stoppedByUser: true });
    await eventually(() => announced().length === 1, 'the first announce');
    expect(signalOf(announced()[0])).toEqual([]);
    await clock.advance(149);
    expect(network.registered.has(identity.nodeId)).toBe(false);
    await clock.advance(1);
    expect(network.registered.has(identity.nodeId)).toBe(true);
    await eventually(() => run.signalingState === 'open', 'signaling open');
    expect(run.snapshot().signaling.stoppedByUser).toBe(false);
    await eventually(() => signalOf(announced().at(-1))?.length === 1, 'announced with its endpoint');
    expect(log.all().some((e) => e.type === 'control:signaling' && e.message === 'signaling resumed')).toBe(true);
  });

  it('leaves the signaling server when the user stops signaling while online, announcing no endpoint, and rejoins when resumed', async () => {
    const { identity, network, run, announced, signalOf, log } = await setUp();
    run.start(settings);
    await eventually(() => signalOf(announced().at(-1))?.length === 1, 'announced with the open server');
    run.reconcileStop({ until: null });
    expect(network.registered.has(identity.nodeId)).toBe(false);
    expect(run.snapshot().signaling).toMatchObject({ state: 'stopped', stoppedByUser: true });
    await eventually(() => signalOf(announced().at(-1))?.length === 0, 'announced without an endpoint');
    run.reconcileStop(null);
    await eventually(() => signalOf(announced().at(-1))?.length === 1, 'announced with its endpoint again');
    expect(network.registered.has(identity.nodeId)).toBe(true);
    expect(log.all().filter((e) => e.type === 'control:signaling').map((e) => e.message)).toEqual(['signaling stopped; open connections kept', 'signaling resumed']);
  });

  it('checks each ICE server when it starts, logs a failure, and drops the results when it stops', async () => {
    const { run, log } = await setUp({
      checkIceServer: async (server) => ({ url: String(server.urls), state: 'failed', error: 'refused (401 Unauthorized)', at: 0 }),
    });
    run.start({ ...settings, iceServers: [{ urls: 'turn:127.0.0.1:3478' }] });
    await eventually(() => run.snapshot().ice[0]?.state === 'failed', 'the check answered');
    expect(log.all().some((e) => e.type === 'ice:check' && /401/.test(e.message))).toBe(true);
    run.stop();
    expect(run.snapshot().ice).toEqual([]);
  });

  it('going offline releases every listener, transport and timer, and tells each part', async () => {
    const { clock, identity, network, timers, heard, run, announced, signalOf } = await setUp();
    run.start(settings);
    await eventually(() => signalOf(announced().at(-1))?.length === 1, 'the announces of the start');
    const writes = announced().length;
    const board = run.rendezvous as MemoryRendezvous;
    // An announce pending at the stop is dropped with it.
    run.neighboursChanged();
    run.stop();
    expect(run.isOnline).toBe(false);
    expect([run.listenerCount, timers.size, clock.pending]).toEqual([0, 0, 0]);
    expect(network.registered.has(identity.nodeId)).toBe(false);
    expect([heard.refusedClosed, heard.intakeStops, heard.roomStops, heard.diallerStops]).toEqual([1, 1, 1, 1]);
    expect(run.signalingState).toBe('stopped');
    expect(run.snapshot().relayStates.size).toBe(0);
    // Offline, the snapshot lists the configured endpoint as stopped.
    expect(run.snapshot().signaling.endpoints).toEqual([{ url: URL, state: 'stopped', lastError: null }]);
    await clock.advance(ANNOUNCE_INTERVAL_MS);
    await settle();
    expect(board.announced).toHaveLength(writes);
  });
});
