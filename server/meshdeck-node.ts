/**
 * `meshdeck-node` (issue 14): the extension's node as a headless process. The extension's controller
 * and node host over @roamhq/wrtc and the real transports (headless/headless-node.ts), with its
 * identity in a 0600 file (identity-file.ts), its settings from a config file and flags
 * (node-options.ts) with the dashboard's changes over them (headless/state-file.ts), its block and
 * trust lists in a file, and the Node Dashboard on 127.0.0.1 (headless/view-server.ts).
 *
 * Output: one line per event on stdout (start, dashboard, status, peers, servers back); warnings on
 * stderr (unreachable servers). Exit codes: 0 after SIGINT/SIGTERM, 2 for a bad flag, value, config,
 * identity or lists file, 1 for anything unexpected.
 *
 * Runs from bin/meshdeck-node.mjs, or directly: `tsx server/meshdeck-node.ts --help`.
 */
import { describeClose } from '../core/session/close-reason';
import { errorText } from '../core/lib/error-text';
import type { MeshNode } from '../core/node/node';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IdentityFileError, loadOrCreateIdentityFile } from './identity-file';
import { nodeDefaults, parseCommand, UsageError, USAGE, type NodeOptions } from './node-options';
import { ReachabilityWatch, settingsNote, statusKey, statusLine } from './node-status';
import { sourcesOf, withoutEndedStop } from './setting-sources';
import { startHeadlessNode } from './headless/headless-node';
import { ListsFileError } from './headless/lists-file';

const VERSION = '0.1.0';
/** After stop() every session has sent its bye; a data channel flushes within 0.5 s (data-channel.ts closeWhenFlushed). */
const BYE_FLUSH_MS = 800;
/** A shutdown that takes longer than this is cut short (a library stuck in its teardown). */
const SHUTDOWN_DEADLINE_MS = 4000;
/** How often unreachable servers are re-judged, so a server that never answers is reported after the grace period. */
const REACHABILITY_POLL_MS = 1000;
/** The built Node Dashboard: the extension's options page (`npm run build`, or the test build). */
const DASHBOARD_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../.output/chrome-mv3');

interface Output {
  out(line: string): void;
  err(line: string): void;
}

const stdio: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Starts the node the options describe and prints what it does; resolves once it runs. */
async function runNode(options: NodeOptions, io: Output = stdio): Promise<{ node: MeshNode; stop: () => Promise<void> }> {
  const identity = await loadOrCreateIdentityFile(options.identityPath);
  const built = existsSync(path.join(DASHBOARD_ROOT, 'options.html'));
  if (options.dashboard && !built) io.err(`warning: no Node Dashboard: ${DASHBOARD_ROOT} has no build (run npm run build)`);
  const headless = await startHeadlessNode({
    settings: options.settings,
    sources: options.sources,
    identity,
    listsPath: options.listsPath,
    statePath: options.statePath,
    dashboard: options.dashboard && built ? { root: DASHBOARD_ROOT, port: options.dashboard.port } : null,
    app: `meshdeck-node/${VERSION}`,
  });
  const { node } = headless;
  for (const note of headless.stateNotes) {
    if (note.warning) io.err(`warning: ${note.text}`);
    else io.out(note.text);
  }
  const settings = await headless.controller.settings();
  io.out(
    `meshdeck-node ${VERSION}: node ${identity.nodeId} user ${identity.userId} (identity ${options.identityPath}${identity.created ? ', created' : ''})` +
      ` | signaling ${[settings.signalingUrl, ...(settings.backupSignalingUrls ?? [])].join(', ')}` +
      ` | relays ${settings.relayUrls.join(', ')}` +
      (settings.trackerUrls?.length ? ` | trackers ${settings.trackerUrls.join(', ')}` : '') +
      ` | room ${settings.room} | max peers ${settings.maxPeers} | lists ${options.listsPath} | state ${options.statePath}`,
  );
  if (headless.dashboardUrl) io.out(`dashboard: ${headless.dashboardUrl}`);

  const watch = new ReachabilityWatch(Date.now);
  const defaults = nodeDefaults();
  let lastKey = '';
  const report = (always: boolean): void => {
    const snapshot = node.snapshot();
    const { warnings, notes } = watch.update(snapshot);
    for (const line of warnings) io.err(`warning: ${line}`);
    for (const line of notes) io.out(line);
    // The dashboard may change the settings: the line shows those the node runs with, and whence each came.
    const applied = withoutEndedStop(node.appliedSettings ?? settings, Date.now());
    const note = settingsNote(applied, defaults, sourcesOf(applied, options.settings, options.sources));
    const key = `${statusKey(snapshot)} ${applied.maxPeers} ${note}`;
    if (always || key !== lastKey) io.out(statusLine(snapshot, applied.maxPeers, note));
    lastKey = key;
  };
  // Peers that reached ready: only their closes are news (a dial that never answered is not).
  const ready = new Set<string>();
  const unsubscribers = [
    node.events.on('state:change', () => report(false)),
    node.events.on('peer:ready', (session) => {
      ready.add(session.remoteId);
      io.out(`peer ready: ${session.remoteId} (user ${session.peer?.userId ?? '?'}, ${session.link.direction})`);
    }),
    node.events.on('peer:close', ({ nodeId, reason, error }) => {
      if (!ready.delete(nodeId)) return;
      io.out(`peer closed: ${nodeId}: ${reason} (${describeClose(reason)}${error ? `: ${error}` : ''})`);
    }),
  ];
  const timers = [setInterval(() => report(false), REACHABILITY_POLL_MS)];
  if (options.statusIntervalS > 0) timers.push(setInterval(() => report(true), options.statusIntervalS * 1000));
  report(true);

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      for (const timer of timers) clearInterval(timer);
      const peers = node.readySessions().length;
      io.out(`shutting down: bye shutdown to ${peers} peer${peers === 1 ? '' : 's'}`);
      // The host stops its node, which closes every session with reason `shutdown`: a bye to each peer first (peer-session.ts close).
      await headless.stop();
      for (const unsubscribe of unsubscribers) unsubscribe();
      await new Promise((resolve) => setTimeout(resolve, BYE_FLUSH_MS));
    })());
  return { node, stop };
}

/** The command: parses argv, runs the node until a signal, and returns the exit code. */
async function main(argv: readonly string[], io: Output = stdio): Promise<number> {
  let options: NodeOptions;
  try {
    const parsed = await parseCommand(argv);
    if (parsed.help) {
      io.out(USAGE.trimEnd());
      return 0;
    }
    options = parsed.options;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`meshdeck-node: ${error.message}`);
      return 2;
    }
    throw error;
  }
  let running: Awaited<ReturnType<typeof runNode>>;
  try {
    running = await runNode(options, io);
  } catch (error) {
    if (error instanceof IdentityFileError || error instanceof ListsFileError) {
      io.err(`meshdeck-node: ${error.message}`);
      return 2;
    }
    throw error;
  }
  return new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      io.out(`${signal} received`);
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      // A second signal, or a teardown that hangs, ends the process anyway.
      process.once('SIGINT', () => resolve(130));
      process.once('SIGTERM', () => resolve(143));
      setTimeout(() => {
        io.err('meshdeck-node: shutdown took too long; exiting');
        resolve(1);
      }, SHUTDOWN_DEADLINE_MS).unref();
      running.stop().then(
        () => {
          // The last line of a clean stop: a crash after it is in the process's exit, one before it in the stop.
          io.out('stopped');
          resolve(0);
        },
        (error: unknown) => {
          io.err(`meshdeck-node: shutdown failed: ${errorText(error)}`);
          resolve(1);
        },
      );
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}

/**
 * A library promise that rejects with nobody listening (PeerJS, GUN, a socket of a server that went
 * away) would end the process under Node's default; a node that outlives its servers says so and runs on.
 */
function keepRunningOnStrayRejections(io: Output): void {
  process.on('unhandledRejection', (reason) => io.err(`warning: unhandled rejection (node keeps running): ${errorText(reason)}`));
}

/** The process: runs main() with this process's argv and exits with its code (bin/meshdeck-node.mjs calls it). */
export function runCli(): void {
  keepRunningOnStrayRejections(stdio);
  main(process.argv.slice(2)).then(
    // Libraries (GUN, PeerJS) keep timers that outlive stop(): exit rather than wait for them.
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`meshdeck-node: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}

// `tsx server/meshdeck-node.ts …` runs it too.
if (/meshdeck-node\.ts$/.test(process.argv[1] ?? '')) runCli();
