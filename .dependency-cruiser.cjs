/**
 * Layering rules (see ../shared/DESIGN.md §2), checked by `npm run lint:deps` as part of `npm test`.
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
    }
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/|node_modules/',
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
