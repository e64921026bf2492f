/**
 * The layer order of kvfleet's top-level folders, checked by dependency-cruiser in `npm test`
 * (test/architecture/importRules.test.ts). A folder may import only from the folders below it:
 *
 *   compatibility   the launcher catalogue, placement, the node and move-to rules (pure, imports nothing of ours)
 *   fleet           the definition schema, validation, lint, loaders
 *   policies        the Kyverno policies
 *   plan            kvfleet plan / explain (pure)
 *   programs        the node labeller and the migration controller
 *   generators      the cdk8s app writing dist/
 *   cli             the kvfleet command
 *   clusters, kvfleet.config.ts   definitions: fleet/ only
 *   testbed         the test bed: tool builder, Go wrapper modules, harness and shared test support
 *   sim, bench, scripts, test      anything but test/ (test/ holds tests; what others reuse lives in testbed/)
 *
 * Tests next to the code they test (`*.test.ts`) may also import testbed/. Inside programs/, the shared
 * runtime (programs/runtime/) is the mechanism both programs stand on and imports neither program.
 * Type-only imports count for the layers; cycles are checked through runtime imports (a type cycle
 * inside fleet/'s schema files is harmless).
 */
const layers = ['compatibility', 'fleet', 'policies', 'plan', 'programs', 'generators', 'cli'];
const above = (layer) => layers.slice(layers.indexOf(layer) + 1);
const tooling = ['clusters', 'sim', 'bench', 'scripts', 'testbed', 'test'];
const folders = (names) => `^(${names.join('|')})/`;

/** programs/ may not import policies/ or plan/ either: the programs ship alone, with compatibility/ and fleet/ types. */
const extraForbidden = { programs: ['policies', 'plan'] };

module.exports = {
  forbidden: [
    ...layers.map((layer) => ({
      name: `${layer}-imports-only-below`,
      comment: `${layer}/ imports only from ${layers.slice(0, layers.indexOf(layer)).join(', ') || 'itself'} (the layer order in .dependency-cruiser.cjs)`,
      severity: 'error',
      from: { path: `^${layer}/`, pathNot: '\\.test\\.ts$' },
      to: { path: folders([...above(layer), ...tooling, ...(extraForbidden[layer] ?? [])]) },
    })),
    {
      name: 'tests-import-no-tooling-but-testbed',
      comment: 'a test next to product code may use the test bed (testbed/), not sim/, bench/, scripts/ or another test',
      severity: 'error',
      from: { path: `^(${layers.join('|')})/.*\\.test\\.ts$` },
      to: { path: folders(['sim', 'bench', 'scripts', 'test']) },
    },
    {
      name: 'tooling-imports-no-tests',
      comment: 'test/ holds tests: sim/, bench/, scripts/ and the test bed reuse testbed/, never a test folder',
      severity: 'error',
      from: { path: folders(['sim', 'bench', 'scripts', 'testbed']) },
      to: { path: '^test/' },
    },
    {
      name: 'runtime-imports-no-program',
      comment: 'programs/runtime/ is the mechanism both programs stand on: it imports neither program (each program owns its metrics and settings)',
      severity: 'error',
      from: { path: '^programs/runtime/' },
      to: { path: '^programs/(migration-controller|node-labeller)/' },
    },
    {
      name: 'definitions-import-fleet-only',
      comment: 'a cluster file (and kvfleet.config.ts) imports defineCluster/defineFleet from fleet/ and nothing else of ours',
      severity: 'error',
      from: { path: '^(clusters/|kvfleet\\.config\\.ts$)' },
      to: { path: '^(compatibility|policies|plan|programs|generators|cli|sim|bench|scripts|testbed|test)/' },
    },
    {
      name: 'no-circular',
      comment: 'no import cycle between modules (and so none between folders)',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|\\.kvfleet)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
