// `npm run sim [-- --nodes 500 --seed 1 --pings 200]`: the simulated mesh (server/sim), in a
// loopback-only network namespace like every other run, though it opens no socket.
import { runInLoopbackNamespace } from './loopback-namespace.mjs';

process.exit(await runInLoopbackNamespace(['npx', 'tsx', 'server/sim/cli.ts', ...process.argv.slice(2)]));
