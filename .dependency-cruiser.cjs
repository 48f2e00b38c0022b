/**
 * The source's dependency rules, the order of core/'s layers among them (README, Layout). Checked in
 * `npm test` (tests/unit/architecture/dependencies.test.ts), and by hand with
 * `npx depcruise --config .dependency-cruiser.cjs core server components entrypoints scripts bench tests`.
 * Type-only imports count: a cycle or an upward import through types still ties the files' meaning together.
 */
/**
 * core/'s folders, lowest first: a folder imports only from its own layer and those below. Folders of
 * one layer may import each other (never in a cycle).
 */
const CORE_LAYERS = [
  ['lib'],
  ['settings'],
  ['identity'],
  ['session'],
  ['signaling', 'discovery', 'routing', 'files', 'blocklist'],
  ['node'],
  ['pairing'],
  ['host', 'control'],
];

const upwardImports = CORE_LAYERS.flatMap((layer, i) => {
  const above = CORE_LAYERS.slice(i + 1).flat();
  return above.length === 0
    ? []
    : [
        {
          name: `core-layers: ${layer.join('/')}`,
          comment: `core/${layer.join(', core/')} import nothing from the layers above: ${above.join(', ')}.`,
          severity: 'error',
          from: { path: `^core/(${layer.join('|')})/` },
          to: { path: `^core/(${above.join('|')})/` },
        },
      ];
});

module.exports = {
  forbidden: [
    ...upwardImports,
    {
      name: 'core-layers: every folder placed',
      comment: 'A new folder of core/ takes its place in CORE_LAYERS before anything imports it.',
      severity: 'error',
      from: { path: '^core/' },
      to: { path: `^core/(?!(${CORE_LAYERS.flat().join('|')})/)[^/]+/` },
    },
    {
      name: 'no-circular',
      comment: 'No import cycle anywhere: each module can be understood, and tested, from the ones below it.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-stands-alone',
      comment: 'core/ is plain TypeScript under every entry: it imports no view, entrypoint, server or test code.',
      severity: 'error',
      from: { path: '^core/' },
      to: { path: '^(components|entrypoints|server|tests|scripts|bench)/' },
    },
    {
      name: 'views-below-entrypoints',
      comment: 'Views and servers never reach into an entrypoint: entrypoints are thin and import them.',
      severity: 'error',
      from: { path: '^(components|server|core)/' },
      to: { path: '^entrypoints/' },
    },
    {
      name: 'product-not-tests',
      comment: 'Nothing the product ships or runs imports test code.',
      severity: 'error',
      from: { path: '^(core|components|entrypoints|server|scripts)/' },
      to: { path: '^tests/' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|\\.output|\\.wxt|dist)/' },
  },
};
