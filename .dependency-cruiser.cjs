/**
 * The source's dependency rules, checked in `npm test` (tests/unit/architecture/dependencies.test.ts)
 * and by `npx depcruise --config .dependency-cruiser.cjs core server components entrypoints scripts bench tests`.
 * Type-only imports count: a cycle through types still ties the files' meaning together.
 */
module.exports = {
  forbidden: [
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
