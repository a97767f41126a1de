/**
 * Layering rules (see ../shared/DESIGN.md §2), checked by `npm run lint` (part of `npm test`).
 * Each rule was seen to fire on a deliberately violating import (test/unit/tooling/layering.test.ts
 * keeps proving it), so a rule whose pattern stops matching how a module resolves is noticed.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make modules impossible to read or test on their own.',
      from: {},
      to: { circular: true }
    },
    {
      name: 'electron-only-in-shell',
      severity: 'error',
      comment: "Only the Electron shell (src/main/electron) and the preload import 'electron'.",
      from: { pathNot: '^src/(main/electron|preload)/' },
      to: { path: '^electron$|node_modules/electron/' }
    },
    {
      name: 'sqlite-only-in-db',
      severity: 'error',
      comment: 'SQL and the SQLite driver live only in src/main/db.',
      from: { pathNot: '^src/main/db/' },
      to: { path: 'node_modules/better-sqlite3/' }
    },
    {
      name: 'compute-only-in-engine-and-worker',
      severity: 'error',
      comment: 'TensorFlow.js and ONNX Runtime load only in the training process (engine/, worker/).',
      from: { pathNot: '^src/main/(engine|worker)/' },
      to: { path: 'node_modules/(@tensorflow/|onnxruntime-)' }
    },
    {
      name: 'main-side-never-reaches-compute',
      severity: 'error',
      comment:
        'The Electron main process, the serve-mode server and the services they share never load TensorFlow.js or ONNX Runtime, not even through engine/ or worker/ modules: give what they need a compute-free module. Only the CLI embed, filters and explain commands load the engine, in its own process, when it runs.',
      from: {
        path: '^src/main/(electron|server|services|db|cli)/',
        pathNot: '^src/main/cli/(index|commands/(embed|filters|explain))\\.ts$'
      },
      to: { path: 'node_modules/(@tensorflow/|onnxruntime-)', reachable: true }
    },
    {
      name: 'shared-imports-nothing-platform',
      severity: 'error',
      comment: 'src/shared is the contract: no Node, Electron, DOM or app code.',
      from: { path: '^src/shared/' },
      to: { pathNot: '^src/shared/|node_modules/zod/' }
    },
    {
      name: 'renderer-only-shared',
      severity: 'error',
      comment: 'The renderer reaches the main side only through the contract (api.ts).',
      from: { path: '^src/renderer/' },
      to: { path: '^src/(main|preload)/' }
    },
    {
      name: 'renderer-no-node',
      severity: 'error',
      comment: 'The renderer runs in a browser page: no Node built-ins.',
      from: { path: '^src/renderer/' },
      to: { dependencyTypes: ['core'] }
    }
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.vue', '.json']
    },
    moduleSystems: ['es6', 'cjs']
  }
};
