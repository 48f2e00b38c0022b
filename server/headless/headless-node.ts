/**
 * meshdeck-node's insides: the extension's own controller (core/control/controller.ts) and node host
 * (core/host/node-host.ts) in one process, as in Firefox's background page, over Node's transports.
 * Settings come from the config file and flags (the controller's defaults), with the changes made in
 * the dashboard over them (state-file.ts); the identity from its 0600 file, the block and trust lists
 * from their file (lists-file.ts). With a dashboard, the Node Dashboard's views reach the same two
 * through the view server.
 */
import { randomBytes } from 'node:crypto';
import { Controller } from '../../core/control/controller';
import { SETTINGS_STORAGE } from '../../core/control/settings-store';
import { errorReply, okReply } from '../../core/control/protocol';
import type { Settings } from '../../core/settings/settings';
import { createInProcessHost } from '../../core/host/in-process-host';
import { NodeHost } from '../../core/host/node-host';
import { NODE_KEY_STORAGE, USER_KEY_STORAGE } from '../../core/identity/identity-store';
import { systemClock } from '../../core/lib/clock';
import type { MeshNode } from '../../core/node/node';
import type { LoadedIdentity } from '../identity-file';
import { loadNodeTransports } from '../node-peer';
import type { OperatorSource, SettingSources } from '../setting-sources';
import { openListsFile } from './lists-file';
import { openStateFile, type StateFileNote } from './state-file';
import { startViewServer, type ViewServer } from './view-server';

interface HeadlessNodeOptions {
  /** What the config file and flags give; the dashboard's changes in the state file go over them. */
  settings: Settings;
  /** Which of `settings` the operator gave (setting-sources.ts: which wins). */
  sources: SettingSources<OperatorSource>;
  identity: LoadedIdentity;
  /** The block and trust lists' file. */
  listsPath: string;
  /** The file of the settings changed in the dashboard. */
  statePath: string;
  /** Serve the Node Dashboard: the built extension folder holding options.html, and the port (0: any free one). */
  dashboard: { root: string; port: number } | null;
  /** The node's `app` in its hello. */
  app: string;
}

interface HeadlessNode {
  node: MeshNode;
  controller: Controller;
  /** The dashboard's address with its token, or null without one. */
  dashboardUrl: string | null;
  /** What reading the state file found to say: why it, or a change in it, was not used. */
  stateNotes: StateFileNote[];
  /** Stops the node (a bye to every peer), the dashboard and its sockets; resolves once the lists and state are on disk. */
  stop(): Promise<void>;
}

export async function startHeadlessNode(options: HeadlessNodeOptions): Promise<HeadlessNode> {
  const { transports } = await loadNodeTransports();
  const { identity } = options;
  const state = await openStateFile(options.statePath, options.settings, options.sources);
  // The controller finds the identity where a browser keeps it: the user key in sync, the node's
  // certificate in local; and its settings as the state file left them (what the node runs with).
  const lists = await openListsFile(options.listsPath, {
    sync: { [USER_KEY_STORAGE]: identity.userKey },
    local: {
      [NODE_KEY_STORAGE]: { pub: identity.stored.node.pub, cert: identity.stored.cert, certUserPub: identity.stored.user.pub },
      [SETTINGS_STORAGE]: state.settings,
    },
  });
  const token = randomBytes(32).toString('base64url');
  // Handed to the view server before the controller exists; requests only arrive once it does.
  let controller: Controller | null = null;
  const handle = (request: Parameters<Controller['handle']>[0]) => {
    if (!controller) return Promise.reject(new Error('the node is starting'));
    return controller.handle(request);
  };
  let views: ViewServer | null = null;
  if (options.dashboard) views = await startViewServer({ ...options.dashboard, token, handle });

  /** The host the controller's ensureHost() created, and its start. */
  const running: { host: NodeHost | null; started: Promise<void> } = { host: null, started: Promise.resolve() };
  const place = createInProcessHost(
    (request) => handle(request).then(okReply, errorReply),
    (channel) => {
      const host = new NodeHost({ channel, clock: systemClock, ...transports, keys: identity.keys, app: options.app, random: Math.random });
      running.host = host;
      running.started = host.start();
      return { stop: () => host.stop() };
    },
    views?.observers ?? (() => () => undefined),
  );
  controller = new Controller({ local: state.persist(lists.local), sync: lists.sync, host: place, keys: identity.keys, defaults: options.settings });
  try {
    await controller.ensureHost();
    await running.started;
    const node = running.host?.node;
    if (!node) throw new Error(`the node did not start: ${running.host?.health.failure ?? 'no node host'}`);
    return {
      node,
      controller,
      dashboardUrl: views ? `${views.url}#token=${token}` : null,
      stateNotes: state.notes,
      async stop() {
        await place.close();
        await views?.close();
        await Promise.all([lists.flushed(), state.flushed()]);
      },
    };
  } catch (error) {
    await place.close();
    await views?.close();
    throw error;
  }
}
