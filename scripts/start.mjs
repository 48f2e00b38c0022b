// `npm start`: builds the extension for the local server, then runs scripts/demo.ts (server, demo
// peers, Chromium with the extension) inside a loopback-only network namespace.
import { buildExtension } from './build-extension.mjs';
import { ensureChromium } from './ensure-browsers.mjs';
import { runInLoopbackNamespace } from './loopback-namespace.mjs';

const chromium = ensureChromium();
buildExtension();
const code = await runInLoopbackNamespace(['npx', 'tsx', 'scripts/demo.ts'], { env: { ...process.env, CHROMIUM_PATH: chromium } }).catch((error) => {
  console.error(error.message);
  return 1;
});
process.exit(code);
