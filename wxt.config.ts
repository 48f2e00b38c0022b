import { fileURLToPath } from 'node:url';
import { defineConfig } from 'wxt';
import { GECKO_ID } from './scripts/firefox-addon.mjs';

/**
 * Where the node host lives, per browser: the one place the build chooses it. Chrome's service worker
 * has no WebRTC, so the node runs in an offscreen document; Firefox's background page has WebRTC and no
 * offscreen API, so the node runs in the page itself.
 */
const NODE_HOST_PLACE = {
  chrome: './entrypoints/background/host-place/offscreen-document.ts',
  firefox: './entrypoints/background/host-place/background-page.ts',
} as const;

/**
 * The icon sizes @wxt-dev/auto-icons renders from assets/icon.svg into `icons/<size>.png` at build time:
 * 16 and 32 for the toolbar (1x and 2x), 48 for the extensions page, 128 for the store and install.
 */
const ICON_SIZES = [16, 32, 48, 128];
const ICONS = Object.fromEntries(ICON_SIZES.map((size) => [String(size), `icons/${size}.png`]));

// Endpoints come from WXT_SIGNALING_URL, WXT_RELAY_URLS, WXT_TRACKER_URLS, WXT_ROOM and WXT_ICE_SERVERS at build time
// (read in core/settings/settings.ts through import.meta.env); with none set the build points at the local
// server on 127.0.0.1:9000. No public server is ever a default.
export default defineConfig({
  // Benchmarks build the store flavour (no test instruments) beside the test build to measure it.
  outDir: process.env.MESHDECK_OUT_DIR ?? '.output',
  // Explicit imports only: auto-imports declare every export of components/ as a global, which hides a
  // missing import from the type checker.
  imports: false,
  modules: ['@wxt-dev/auto-icons'],
  autoIcons: {
    baseIconPath: 'assets/icon.svg',
    sizes: ICON_SIZES,
    // Its default greys the icon in `wxt dev`, which reads as "P2P off"; the toolbar badge shows state.
    developmentIndicator: false,
  },
  hooks: {
    // auto-icons fills the manifest's `icons` only. The toolbar button gets the same PNGs: `action`
    // (MV3), and `browser_action` (MV2), which the popup entrypoint has already written by this hook.
    'build:manifestGenerated': (_wxt, manifest) => {
      if (manifest.action) manifest.action.default_icon = ICONS;
      if (manifest.browser_action) manifest.browser_action.default_icon = ICONS;
    },
  },
  zip: {
    // The defaults name the packages meshdeck-<version>-chrome.zip, meshdeck-<version>-firefox.zip and
    // meshdeck-<version>-sources.zip (the Firefox zip brings the sources for addons.mozilla.org's review).
    // WXT already leaves out node_modules, hidden folders (.output, .wxt, .git, .ci, .tmp) and *.test.ts.
    // Also out: the test and bench harness, not needed to build the add-on, and run leftovers.
    excludeSources: ['tests/**', 'bench/**', 'test-results/**', 'tmp-prof/**', 'radata/**', 'stats.html', '**/*.log'],
    // Hidden, but it keeps a reviewer's `npm ci` from downloading a browser for puppeteer.
    includeSources: ['.puppeteerrc.cjs'],
  },
  manifest: ({ browser }) => ({
    name: 'Meshdeck',
    description: 'A peer-to-peer node in your browser, with full sight and control of it.',
    action: { default_title: 'Meshdeck' },
    ...(browser === 'firefox'
      ? {
          permissions: ['storage', 'alarms'],
          browser_specific_settings: {
            gecko: {
              id: GECKO_ID,
              // data_collection_permissions needs 140; everything else used is older.
              strict_min_version: '140.0',
              // Meshdeck sends nothing to its developers. What it sends to the servers and peers the user
              // configures is the product itself, described in the README.
              data_collection_permissions: { required: ['none'] },
            },
            // Firefox for Android reads data_collection_permissions from 142 on. Android is not tested.
            gecko_android: { strict_min_version: '142.0' },
          },
        }
      : { permissions: ['offscreen', 'storage', 'alarms'] }),
  }),
  vite: ({ browser }) => ({
    esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
    build: { chunkSizeWarningLimit: 400 },
    resolve: {
      alias: {
        '#node-host-place': fileURLToPath(new URL(NODE_HOST_PLACE[browser === 'firefox' ? 'firefox' : 'chrome'], import.meta.url)),
      },
    },
  }),
});
