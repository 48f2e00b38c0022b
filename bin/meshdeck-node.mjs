#!/usr/bin/env node
// `npx meshdeck-node`: runs server/meshdeck-node.ts in this process through tsx's loader, so that
// SIGINT/SIGTERM reach the node itself (no wrapper process to forward them). tsx is a devDependency:
// Meshdeck is not published, and a node runs from a checkout after `npm install` (README).
let register;
try {
  ({ register } = await import('tsx/esm/api'));
} catch {
  process.stderr.write('meshdeck-node: tsx is not installed: run `npm install` (with dev dependencies) in the Meshdeck checkout\n');
  process.exit(1);
}
register();
const { runCli } = await import('../server/meshdeck-node.ts');
runCli();
