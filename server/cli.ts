/**
 * `npm run server [-- --port N] [-- --data DIR]`: the local signaling + relay server in the foreground,
 * for manual runs of the extension against loopback. Ctrl+C (SIGINT) or SIGTERM stops it cleanly.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_PORT, PortInUseError, startLocalServer, type LocalServer } from './local-server';

const USAGE = `Usage: npm run server -- [--port N] [--data DIR]

Starts Meshdeck's local PeerJS signaling server and GUN relay on 127.0.0.1.
  --port N    TCP port (default ${DEFAULT_PORT}; 0 picks a free one)
  --data DIR  keep the relay's data in DIR (default: a temporary folder, removed on exit)`;

/** Bad command-line input: printed with the usage, exit code 2. */
class UsageError extends Error {
  override readonly name = 'UsageError';
}

function parseOptions(argv: string[]): { port: number; dataDir?: string; help: boolean } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { port: { type: 'string' }, data: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
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
  return { port, dataDir: values.data, help: values.help ?? false };
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

  let server: LocalServer;
  try {
    server = await startLocalServer({
      port: options.port,
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

  console.log(
    [
      'Meshdeck local server',
      `  signaling  ${server.signalingUrl}`,
      `  relay      ${server.relayUrl}`,
      `  data       ${server.dataDir}${options.dataDir === undefined ? ' (temporary, removed on exit)' : ''}`,
      'Press Ctrl+C to stop.',
    ].join('\n'),
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return; // a second Ctrl+C while closing changes nothing
    stopping = true;
    server.close().then(
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
