/**
 * The layering rule (npm run deps, part of npm test): imports point down the stack.
 *   apps/       compose everything (the CLI); nothing imports them
 *   services/   shells around the packages (controller, worker, dashboard); they do not import each other
 *   packages/   the engine, agent core, store, transport, …; never a service or an app
 * and no import cycle: between packages (checked on the graph collapsed to packages) or between modules.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'package-imports-upward',
      comment: 'A package imports a service or an app: move the shared code down into a package instead.',
      severity: 'error',
      from: { path: '^packages/' },
      to: { path: '^(services|apps)/' },
    },
    {
      name: 'service-imports-app',
      comment: 'A service imports an app: apps compose services, not the other way round.',
      severity: 'error',
      from: { path: '^services/' },
      to: { path: '^apps/' },
    },
    {
      name: 'service-imports-service',
      comment: 'Services are independent shells; what two of them share belongs in a package.',
      severity: 'error',
      from: { path: '^services/([^/]+)/' },
      to: { path: '^services/', pathNot: '^services/$1/' },
    },
    {
      name: 'no-cycles',
      comment: 'An import cycle (type-only imports count too): move the shared piece into its own module.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
  },
};
