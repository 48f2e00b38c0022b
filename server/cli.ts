/**
 * `npm run server [-- --port N] [-- --data DIR] [-- --relays N --signaling N]`: the local signaling +
 * relay server (or several, server/federation.ts) in the foreground,
 * for manual runs of the extension against loopback. Ctrl+C (SIGINT) or SIGTERM stops it cleanly.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_PORT, PortInUseError, type LocalServer } from './local-server';
import { startFederation } from './federation';

const USAGE = `Usage: npm run server -- [--port N] [--data DIR] [--relays N] [--signaling N]

Starts Meshdeck's local PeerJS signaling server and GUN relay on 127.0.0.1.
  --port N       TCP port (default ${DEFAULT_PORT}; 0 picks a free one); more servers take the next ports
  --data DIR     keep the relays' data in DIR (default: temporary folders, removed on exit)
  --relays N     run N GUN relays that peer with each other (default 1)
  --signaling N  run N PeerJS servers (default 1)`;

/** Bad command-line input: printed with the usage, exit code 2. */
class UsageError extends Error {
  override readonly name = 'UsageError';
}

interface CliOptions {
  port: number;
  dataDir?: string;
  relays: number;
  signaling: number;
  help: boolean;
}

function count(text: string | undefined, flag: string): number {
  if (text === undefined) return 1;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 16) throw new UsageError(`${flag} must be a whole number from 1 to 16, not "${text}".`);
  return Number(text);
}

function parseOptions(argv: string[]): CliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        data: { type: 'string' },
        relays: { type: 'string' },
        signaling: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const portText = values.port ?? String(DEFAULT_PORT);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65_535) {
    throw new UsageError(`--port must be a whole number from 0 to 65535, not "${portText}".`);
  }
  if (values.data !== undefined && values.data.trim() === '') throw new UsageError('--data needs a folder.');
  return { port, dataDir: values.data, relays: count(values.relays, '--relays'), signaling: count(values.signaling, '--signaling'), help: values.help ?? false };
}

function timestamp(): string {
  return new Date().toISOString().slice(11, 23);
}

async function main(): Promise<void> {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options.help) {
    console.log(USAGE);
    return;
  }

  let servers: LocalServer[];
  try {
    servers = await startFederation({
      port: options.port,
      relays: options.relays,
      signaling: options.signaling,
      dataDir: options.dataDir,
      log: (line) => console.log(`${timestamp()} ${line}`),
    });
  } catch (error) {
    if (error instanceof PortInUseError) {
      console.error(`${error.message} Stop the program using it, or choose another port: npm run server -- --port N`);
    } else {
      console.error(`Could not start the Meshdeck local server: ${(error as Error).message}`);
    }
    process.exit(1);
  }

  const lines = ['Meshdeck local server'];
  for (const [i, server] of servers.entries()) {
    if (i < options.signaling) lines.push(`  signaling  ${server.signalingUrl}`);
    if (i < options.relays) lines.push(`  relay      ${server.relayUrl}${options.relays > 1 ? ' (peers with the other relays)' : ''}`);
    if (i === 0) lines.push(`  tracker    ${server.trackerUrl}`);
  }
  const temporary = options.dataDir === undefined ? ' (temporary, removed on exit)' : '';
  for (const [i, server] of servers.entries()) if (i < options.relays) lines.push(`  data       ${server.dataDir}${temporary}`);
  console.log([...lines, 'Press Ctrl+C to stop.'].join('\n'));

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return; // a second Ctrl+C while closing changes nothing
    stopping = true;
    Promise.all(servers.map((server) => server.close())).then(
      () => {
        console.log(`Meshdeck local server stopped (${signal}).`);
        process.off('SIGINT', stop).off('SIGTERM', stop);
        // close() frees everything, so the process ends by itself. Should a library ever keep it alive,
        // say so and exit anyway rather than hang on Ctrl+C. unref: this timer alone keeps nothing alive.
        setTimeout(() => {
          console.error('Something kept the process alive after the server closed; exiting anyway.');
          process.exit(0);
        }, 2_000).unref();
      },
      (error: unknown) => {
        console.error(`Error while stopping: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop).on('SIGTERM', stop);
}

await main();
