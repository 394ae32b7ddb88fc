// The layer rule of DESIGN.md: imports point downward only, and a folder is entered through its index.ts.
// Rank: core < store, net < history < worktree, household < sync < interface (cli, daemon, http, nfs, git).
const allowed = {
  core: [],
  store: ['core'],
  net: ['core'],
  history: ['core', 'store'],
  worktree: ['core', 'store', 'history'],
  household: ['core', 'store', 'net'],
  sync: ['core', 'store', 'net', 'history', 'household'],
  daemon: ['core', 'store', 'net', 'history', 'worktree', 'household', 'sync'],
  http: ['core', 'store', 'net', 'history', 'worktree', 'household', 'sync'],
  nfs: ['core', 'store', 'history', 'worktree'],
  git: ['core', 'store', 'history', 'worktree'],
  cli: ['core', 'store', 'net', 'history', 'worktree', 'household', 'sync', 'daemon', 'http', 'nfs', 'git'],
};
const folders = Object.keys(allowed);

const layerRules = folders.map((from) => ({
  name: `layer-${from}`,
  comment: `${from}/ may import only from ${allowed[from].join(', ') || 'nothing of lode'}`,
  severity: 'error',
  from: { path: `^src/${from}/` },
  to: { path: `^src/(?!(${[from, ...allowed[from]].join('|')})/)` },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'enter-through-index',
      comment: 'another folder is imported only through its index.ts',
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/([^/]+)/(?!index\\.ts$)', pathNot: '^src/$1/' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    { name: 'not-to-unresolvable', severity: 'error', from: {}, to: { couldNotResolve: true } },
    { name: 'no-tests-from-source', severity: 'error', from: { pathNot: '\\.test\\.ts$|/testing/' }, to: { path: '\\.test\\.ts$|/testing/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    // libp2p's packages have no main field: they resolve only through 'exports' (ESM only).
    enhancedResolveOptions: { extensions: ['.ts', '.js'], exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
