/**
 * Real processes at small scale (issue 14), for tests/e2e/scale.test.ts and bench/scale.ts: two
 * federated servers (server/federation.ts: each a PeerJS server and a GUN relay that peer), `meshdeck-node`
 * processes and extension browsers on both, and each node's state as it reports it (a meshdeck-node's
 * latest `status:` line, a browser's snapshot).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'puppeteer';
import type { LocalServer } from '../../server/local-server';
import { startFederation } from '../../server/federation';
import { spawnMeshdeckNode, type NodeProcess } from '../../server/node-process';
import { launchExtensionBrowser, request, type ExtensionBrowser } from './extension-browser';

/** What a node says of itself: the endpoints it has open and its ready peers. */
export interface NodeState {
  name: string;
  signalingOpen: string[];
  relaysOpen: string[];
  ready: number;
}

export interface FailoverMesh {
  servers: LocalServer[];
  nodes: NodeProcess[];
  browsers: ExtensionBrowser[];
  states(): Promise<NodeState[]>;
  /** Starts one more meshdeck-node on the same endpoints. */
  addNode(): NodeProcess;
  close(): Promise<void>;
}

/** `signaling <url> <state>, … | relays <url> <state>, … | room r | peers 3/8…` of a status line. */
function stateOfStatus(name: string, line: string | undefined): NodeState {
  const part = (label: string) => (line ? new RegExp(`\\| ${label} ([^|]*) \\|`).exec(line)?.[1] ?? '' : '');
  const open = (list: string) => list.split(', ').filter((entry) => entry.endsWith(' open')).map((entry) => entry.slice(0, -' open'.length));
  return {
    name,
    signalingOpen: open(part('signaling')),
    relaysOpen: open(part('relays')),
    ready: Number(line ? (/\| peers (\d+)\//.exec(line)?.[1] ?? 0) : 0),
  };
}

export async function startFailoverMesh(options: { nodes: number; browsers: number }): Promise<FailoverMesh> {
  // The extension's test build starts on port 9000: the first server.
  const servers = await startFederation({ port: 9000, relays: 2, signaling: 2 });
  const [first, second] = servers as [LocalServer, LocalServer];
  const dir = await mkdtemp(path.join(tmpdir(), 'meshdeck-failover-'));
  const nodes: NodeProcess[] = [];
  const browsers: ExtensionBrowser[] = [];
  const popups: Page[] = [];
  const endpoints = ['--signaling', first.signalingUrl, '--signaling', second.signalingUrl, '--relay', first.relayUrl, '--relay', second.relayUrl];
  const addNode = () => {
    const node = spawnMeshdeckNode(['--identity', path.join(dir, `node-${nodes.length}.json`), ...endpoints]);
    nodes.push(node);
    return node;
  };
  const close = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    await Promise.all(browsers.map((browser) => browser.close()));
    await Promise.all(servers.map((server) => server.close()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < options.nodes; i++) addNode();
    await Promise.all(nodes.map((node) => node.started(60_000)));
    for (let i = 0; i < options.browsers; i++) {
      const browser = await launchExtensionBrowser();
      browsers.push(browser);
      const popup = await browser.openPopup();
      popups.push(popup);
      await request(popup, { type: 'settings:update', patch: { backupSignalingUrls: [second.signalingUrl], relayUrls: [first.relayUrl, second.relayUrl] } });
    }
  } catch (error) {
    await close();
    throw error;
  }
  return {
    servers,
    nodes,
    browsers,
    addNode,
    close,
    async states() {
      const fromNodes = nodes.map((node, i) => stateOfStatus(`meshdeck-node ${i}`, node.out.filter((line) => line.startsWith('status:')).at(-1)));
      const fromBrowsers = await Promise.all(
        browsers.map(async (browser, i) => {
          const s = await browser.snapshot();
          return {
            name: `browser ${i}`,
            signalingOpen: s.signaling.endpoints.filter((e) => e.state === 'open').map((e) => e.url),
            relaysOpen: s.rendezvous.relays.filter((r) => r.state === 'open').map((r) => r.url),
            ready: s.peers.filter((p) => p.state === 'ready').length,
          };
        }),
      );
      return [...fromNodes, ...fromBrowsers];
    },
  };
}

/**
 * A node is ready on what is left when it has a signaling endpoint and a relay open other than the
 * dead ones, no longer counts the dead ones open, and has a ready peer.
 */
export function readyWithout(state: NodeState, dead: { signalingUrl: string; relayUrl: string }): boolean {
  return (
    state.ready >= 1 &&
    !state.signalingOpen.includes(dead.signalingUrl) &&
    !state.relaysOpen.includes(dead.relayUrl) &&
    state.signalingOpen.length >= 1 &&
    state.relaysOpen.length >= 1
  );
}
