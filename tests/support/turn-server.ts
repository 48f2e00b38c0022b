/**
 * Debian's coturn, a real TURN server, on 127.0.0.1 for one test file: long-term credentials, relay
 * addresses on loopback (the test namespace has nothing else), and loopback peers allowed, which
 * coturn refuses by default. `.ci/run` installs it; a missing binary fails the suite loudly.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TurnServer {
  url: string;
  username: string;
  credential: string;
  /** Allocations coturn logged so far: proof that a connection went through it. */
  allocations(): number;
  stop(): Promise<void>;
}

const freeUdpPort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });

export async function startTurnServer({ username = 'meshdeck', credential = 'turn-secret' } = {}): Promise<TurnServer> {
  if (spawnSync('turnserver', ['--help'], { stdio: 'ignore' }).error) throw new Error('coturn is not installed (apt-get install -y coturn): the TURN tests cannot run');
  const port = await freeUdpPort();
  const dir = mkdtempSync(join(tmpdir(), 'meshdeck-turn-'));
  const args = [
    '-n', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${port}`,
    '--min-port=49152', '--max-port=65535', '--lt-cred-mech', `--user=${username}:${credential}`, '--realm=meshdeck',
    '--allow-loopback-peers', '--no-tls', '--no-dtls', '--no-cli', `--userdb=${join(dir, 'turndb')}`, `--pidfile=${join(dir, 'pid')}`,
    // -v: coturn logs each allocation only when verbose.
    '--log-file=stdout', '--simple-log', '-v',
  ];
  const child: ChildProcess = spawn('turnserver', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      log += chunk.toString();
      if (/turn server id=\d+ created|Total General servers/.test(log)) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`coturn exited (${code}) before it was ready:\n${log.slice(-2000)}`)));
    setTimeout(() => reject(new Error(`coturn not ready within 10 s:\n${log.slice(-2000)}`)), 10_000);
  });
  await ready;
  return {
    url: `turn:127.0.0.1:${port}?transport=udp`,
    username,
    credential,
    allocations: () => (log.match(/ALLOCATE processed, success/g) ?? []).length,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
