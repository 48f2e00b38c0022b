/**
 * `npm run sim [-- --nodes 500 --seed 1 --pings 200]`: runs the simulated mesh (sim/scenarios.ts),
 * prints a summary and writes its figures into bench/results/scale.json.
 */
import { parseArgs } from 'node:util';
import { SimMesh } from './sim-mesh';
import { runScenarios, type SimReport } from './scenarios';
import { scaleFigures } from './scale-figures';
import { mergeResult } from '../../bench/support/result';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '500' },
    seed: { type: 'string', default: '1' },
    pings: { type: 'string', default: '200' },
    'no-write': { type: 'boolean', default: false },
  },
});
const nodes = Number(values.nodes);
const seed = Number(values.seed);
const pings = Number(values.pings);
if (![nodes, seed, pings].every(Number.isInteger) || nodes < 3 || pings < 1) {
  console.error('meshdeck sim: --nodes (at least 3), --seed and --pings take whole numbers');
  process.exit(2);
}

const began = performance.now();
const log = (line: string) => console.log(`[${((performance.now() - began) / 1000).toFixed(0).padStart(4)} s] ${line}`);
log(`${nodes} nodes, seed ${seed}, ${pings} pings a round`);
const mesh = await SimMesh.create(nodes, seed);
let report: SimReport;
try {
  report = await runScenarios(mesh, { pings, log });
} finally {
  mesh.stop();
}
const figures = scaleFigures(report, (performance.now() - began) / 1000);
log(`done: ${JSON.stringify(figures)}`);
if (!values['no-write']) await mergeResult('scale', 'npm run sim', { runs: 1, ...figures });
