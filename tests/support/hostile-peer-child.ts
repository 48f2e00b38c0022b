/**
 * The child process side of tests/support/hostile-peer-process.ts: runs hostile peers
 * (tests/support/hostile-peer.ts, over Node's WebRTC) on its parent's orders, and reports what they
 * receive. Node's WebRTC (@roamhq/wrtc) can crash natively on the side whose flooded connection is
 * closed; here that crash ends this process alone, and the parent reports it as the hostile peer's.
 *
 * Orders and reports are the messages of hostile-peer-protocol.ts, over the IPC channel of fork().
 */
import { connect, routeFrame, type HostileConnection, type HostileIdentity } from './hostile-peer';
import { dialSilently, type SilentDialler } from './silent-dialler';
import { makeIdentity } from './identities';
import type { ChildReport, ParentOrder } from './hostile-peer-protocol';

const connections = new Map<number, HostileConnection>();
const diallers = new Map<number, SilentDialler>();
/** Identities by node ID, so that a later connection may reuse one (a replay from an earlier session). */
const identities = new Map<string, HostileIdentity>();

const report = (message: ChildReport): void => {
  process.send?.(message);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Reports the connection's close, with what its channel and its errors said. */
function reportClose(ref: number, connection: HostileConnection): void {
  void connection.closed.then(() => report({ kind: 'closed', ref, channelClosedWhile: connection.channelClosedWhile(), errors: [...connection.errors] }));
}

async function obey(order: ParentOrder): Promise<unknown> {
  switch (order.op) {
    case 'connect': {
      const identity = order.identityOf ? identities.get(order.identityOf) : await makeIdentity();
      if (!identity) throw new Error(`no identity ${order.identityOf} in this process`);
      identities.set(identity.identity.nodeId, identity);
      const connection = await connect(order.signalingUrl, order.targetId, {
        identity,
        auth: order.auth,
        answerPings: order.answerPings,
        timeoutMs: order.timeoutMs,
        onFrame: (frame) => report({ kind: 'frame', ref: order.ref, at: frame.at, text: frame.text }),
      });
      connections.set(order.ref, connection);
      reportClose(order.ref, connection);
      return { nodeId: connection.nodeId, authFrame: connection.authFrame, targetAuthVerified: connection.targetAuthVerified, targetHello: connection.targetHello };
    }
    case 'send':
      return connectionOf(order.ref).send(order.frame);
    case 'sendBinary':
      return connectionOf(order.ref).sendBinary(Uint8Array.from(order.bytes));
    case 'flood': {
      // Sent here, not frame by frame from the parent: the pace is the hostile peer's own.
      const connection = connectionOf(order.ref);
      const started = Date.now();
      let sent = 0;
      flood: while (sent < order.max) {
        for (let i = 0; i < order.perTick; i++) {
          if (connection.isClosed) break flood;
          try {
            connection.send(order.frame.replace('$n', String(sent)));
          } catch {
            break flood;
          }
          sent++;
        }
        await sleep(order.tickMs);
      }
      return { sent, ms: Date.now() - started };
    }
    case 'routeFrame': {
      const signer = order.signer === 'stranger' ? await makeIdentity() : undefined;
      return (await routeFrame(connectionOf(order.ref), { ...order.route, signer })).frame;
    }
    case 'bufferedAmount':
      return connectionOf(order.ref).bufferedAmount;
    case 'close':
      connections.get(order.ref)?.close();
      diallers.get(order.ref)?.close();
      diallers.delete(order.ref);
      return null;
    case 'dialSilently': {
      const dialler = await dialSilently(order.signalingUrl, order.targetId, order.nodeId);
      diallers.set(order.ref, dialler);
      return null;
    }
    case 'diallerState': {
      const dialler = diallers.get(order.ref);
      return { opened: dialler?.opened ?? false, isClosed: dialler?.isClosed ?? true };
    }
  }
}

function connectionOf(ref: number): HostileConnection {
  const connection = connections.get(ref);
  if (!connection) throw new Error(`no hostile connection ${ref} in this process`);
  return connection;
}

process.on('message', (message) => {
  const order = message as ParentOrder & { id: number };
  obey(order).then(
    (value) => report({ kind: 'answer', id: order.id, value: value ?? null }),
    (error: unknown) => report({ kind: 'answer', id: order.id, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }),
  );
});
// The parent gone (its test worker ended): nothing here may outlive it.
process.on('disconnect', () => process.exit(0));
report({ kind: 'ready' });
