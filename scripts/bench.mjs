// `npm run bench [-- name]`: builds the extension for loopback and runs the benchmarks (bench/*.ts)
// inside a loopback-only network namespace; each writes bench/results/<name>.json.
import { readdirSync } from 'node:fs';
import { buildExtension } from './build-extension.mjs';
import { ensureChromium, ensureFirefox } from './ensure-browsers.mjs';
import { runInLoopbackNamespace } from './loopback-namespace.mjs';

const available = readdirSync('bench').filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !available.includes(name));
if (unknown.length) {
  console.error(`unknown benchmark ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}
const chromium = ensureChromium();
const firefox = ensureFirefox();
buildExtension();
for (const name of wanted.length ? wanted : available) {
  console.log(`\n== bench ${name}`);
  const code = await runInLoopbackNamespace(['npx', 'tsx', `bench/${name}.ts`], { env: { ...process.env, CHROMIUM_PATH: chromium, FIREFOX_PATH: firefox } });
  if (code !== 0) process.exit(code);
}
