// Compares bench/results/*.json with the keys and targets of docs/benchmarks.md: one line per key,
// and exit 1 when a result file misses a key, a target, or a field every result carries.
//   node scripts/bench-check.mjs [hostile.json ...]
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const EVERY_RESULT_CARRIES = ['command', 'runs', 'machine', 'date', 'commit'];

/** @returns {Map<string, { key: string, target: string }[]>} the keys of each result file, in the page's order */
function readSpec() {
  const files = new Map();
  let current = null;
  for (const line of readFileSync(path.join(root, 'docs', 'benchmarks.md'), 'utf8').split('\n')) {
    const head = line.match(/^## (\S+\.json)/);
    if (head) files.set(head[1], (current = []));
    const row = line.match(/^\| `([a-z0-9_]+)` \|[^|]*\|\s*([^|]*?)\s*\|$/);
    if (row && current) current.push({ key: row[1], target: row[2] });
  }
  return files;
}

/** A target reads `≤ 5000`, `≥ 0.7` or nothing (reported only). */
function meets(value, target) {
  const bound = target.match(/^(≤|≥)?\s*([\d.]+)/);
  if (!bound) return true;
  const limit = Number(bound[2]);
  return bound[1] === '≤' ? value <= limit : bound[1] === '≥' ? value >= limit : value === limit;
}

const wanted = process.argv.slice(2);
let short = 0;
for (const [name, keys] of readSpec()) {
  if (wanted.length && !wanted.includes(name)) continue;
  const file = path.join(root, 'bench', 'results', name);
  if (!existsSync(file)) {
    console.log(`${name}: not measured yet`);
    continue;
  }
  let data;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    console.log(`${name}: unreadable (${error.message})`);
    short++;
    continue;
  }
  for (const field of EVERY_RESULT_CARRIES) {
    if (!(field in data)) {
      console.log(`${name}: no "${field}"`);
      short++;
    }
  }
  for (const { key, target } of keys) {
    const value = data[key];
    if (typeof value !== 'number') {
      console.log(`${name}: ${key} missing`);
      short++;
      continue;
    }
    const ok = meets(value, target);
    if (!ok) short++;
    console.log(`${name}: ${key} = ${value}${target ? `  (target ${target}) ${ok ? 'met' : 'NOT MET'}` : ''}`);
  }
}
process.exit(short ? 1 : 0);
