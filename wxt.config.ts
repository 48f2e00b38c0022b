import { defineConfig } from 'wxt';

// Endpoints come from WXT_SIGNALING_URL, WXT_RELAY_URLS, WXT_ROOM and WXT_ICE_SERVERS at build time
// (read in core/control/settings.ts through import.meta.env); with none set the build points at the local
// server on 127.0.0.1:9000. No public server is ever a default.
export default defineConfig({
  // Benchmarks build the store flavour (no test instruments) beside the test build to measure it.
  outDir: process.env.MESHDECK_OUT_DIR ?? '.output',
  // Explicit imports only: auto-imports declare every export of components/ as a global, which hides a
  // missing import from the type checker.
  imports: false,
  manifest: {
    name: 'Meshdeck',
    description: 'A peer-to-peer node in your browser, with full sight and control of it.',
    permissions: ['offscreen', 'storage', 'alarms'],
    action: { default_title: 'Meshdeck' },
  },
  vite: () => ({
    esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
    build: { chunkSizeWarningLimit: 400 },
  }),
});
