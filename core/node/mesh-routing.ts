/**
 * The node's mesh routing (core/routing, issue 14): the router that forwards, answers and sends route
 * messages among ready neighbours, fed by the shortest known paths through the room's fresh records,
 * blocked nodes left out. A neighbour that sends what does not verify loses score (peer-scores.ts),
 * and at SCORE_DISCONNECT_AT its connection closes with bye `limit` (the redial policy's cool-down
 * keeps it away). Each mesh ping leaves a line in the event log.
 */
import type { Clock } from '../lib/clock';
import type { EventLog } from '../lib/event-log';
import type { Identity } from '../identity/identity';
import type { RecordTable } from '../discovery/record-table';
import { isStale } from '../discovery/rendezvous-record';
import { MeshRouter } from '../routing/mesh-router';
import { RouteCache } from '../routing/route-graph';
import type { MeshPingResult, RoutingSnapshot } from '../routing/routing-reports';
import type { RoutedMessage } from '../session/wire';
import type { AccessLists } from './access-lists';
import { SCORE_DISCONNECT_AT, SCORE_PENALTIES, type PeerScores } from './peer-scores';
import type { SessionTable } from './session-table';

interface MeshRoutingDeps {
  identity: Identity;
  clock: Clock;
  sessions: SessionTable;
  records: RecordTable;
  access: AccessLists;
  /** The `Mesh routing` setting now. */
  routingEnabled(): boolean;
  log: EventLog;
  scores: Pick<PeerScores, 'penalize'>;
  /** A score changed (a routine update of the snapshot). */
  changed(): void;
  /** A number in [0, 1): the neighbours a route floods to when no path is known. */
  random(): number;
}

export class MeshRouting {
  private readonly router: MeshRouter;
  /** Shortest known paths through the room's records, for directed routing. */
  private readonly routes: RouteCache;

  constructor(private readonly deps: MeshRoutingDeps) {
    const { identity, clock, sessions, records, access } = deps;
    const isBlocked = (nodeId: string) => access.isBlocked(nodeId, records.get(nodeId)?.userId ?? null);
    this.router = new MeshRouter({
      identity,
      clock,
      readyNeighbours: () => sessions.readyIds(),
      sendTo: (nodeId, message) => sessions.get(nodeId)?.send(message),
      keyOf: (nodeId) => sessions.get(nodeId)?.peer?.nodeKey ?? records.get(nodeId)?.nodeKey ?? null,
      isBlocked,
      routingEnabled: () => deps.routingEnabled(),
      log: (level, type, message, nodeId) => deps.log.add(level, type, message, nodeId),
      penalize: (nodeId, why) => this.penalize(nodeId, why),
      nextHop: (destination) => this.routes.nextHop(destination),
      random: () => deps.random(),
    });
    this.routes = new RouteCache({
      now: () => clock.monotonic(),
      revision: () => records.revision,
      // setBlocked replaces the set, so a new block list is a new item.
      context: () => [sessions.readyIds().join(), access.blocked],
      input: () => ({
        self: identity.nodeId,
        neighbours: sessions.readyIds(),
        records: records
          .all()
          .filter((known) => !isStale(known.record, clock.now()))
          .map((known) => ({ id: known.record.id, neighbors: known.neighbors, routing: known.record.routing })),
        isBlocked,
      }),
    });
  }

  get counters(): RoutingSnapshot {
    return this.router.counters;
  }

  /** A route message from the ready neighbour `from`. */
  receive(message: RoutedMessage, from: string): Promise<void> {
    return this.router.receive(message, from);
  }

  /** Mesh ping/traceroute to any node (docs/protocol.md §6 body `ping`), logged either way. */
  async ping(nodeId: string): Promise<MeshPingResult> {
    try {
      const result = await this.router.ping(nodeId);
      this.deps.log.add('info', 'mesh:ping', `mesh ping ${Math.round(result.rttMs)} ms via ${result.path.join(' → ')}`, nodeId);
      return result;
    } catch (error) {
      this.deps.log.add('warn', 'mesh:ping', `mesh ping failed: ${(error as Error).message}`, nodeId);
      throw error;
    }
  }

  stop(): void {
    this.router.stop();
  }

  /** A neighbour sent a route message that fails a check: it loses score, and at the threshold its connection. */
  private penalize(nodeId: string, why: string): void {
    const score = this.deps.scores.penalize(nodeId, SCORE_PENALTIES.invalidMessage, why);
    this.deps.log.add('warn', 'peer:penalty', `score ${score} after: ${why}`, nodeId);
    if (score <= SCORE_DISCONNECT_AT) this.deps.sessions.get(nodeId)?.close('limit', `peer score ${score}: ${why}`);
    this.deps.changed();
  }
}
