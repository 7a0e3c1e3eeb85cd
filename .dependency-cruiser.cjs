/**
 * The import rules of the workspace, checked by `pnpm lint` (`depcruise`). The root README ("Packages"),
 * CONTRIBUTING.md and each package README's "Never imports" say the same thing in words; change them
 * together. test/import-rules/ holds one forbidden import per rule and proves that each rule fires.
 *
 * `preserveSymlinks` keeps `@signet/x` at `<workspace>/node_modules/@signet/x/…`, so a path under another
 * workspace's folder can only come from a relative import, and an import's type (npm or npm-dev) says
 * whether the importing workspace lists it in `dependencies` or in `devDependencies`.
 */

/**
 * `@signet/<one of names>` by package name, resolved or not; and for a package, its src/test-support/ by
 * a relative path (the one place a test may reach into another workspace's folder).
 */
function signet(...names) {
  return `(^|/node_modules/)@signet/(${names.join('|')})(/|$)|^packages/(${names.join('|')})/src/test-support/`;
}

const APPS = signet('webhook', 'signer', 'grafeas-emulator', 'demo');
const TEST_ONLY = signet('grafeas-emulator', 'guide-world', 'deploy');
/** Tests, their helpers, benchmarks and test configs: where the test-only packages may be imported. */
const TEST_CODE = '\\.test\\.ts$|/test-support/|^[^/]+/[^/]+/bench/|/vitest[^/]*\\.config\\.ts$';
/** Node's modules that read or write outside the process: `signing` and `policy` use none of them. */
const IO_MODULES =
  '^(node:)?(fs|fs/promises|net|http|https|http2|tls|dgram|dns|dns/promises|child_process|cluster|readline|worker_threads|inspector)$';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'no import cycles: move what both files need into a leaf file that imports neither',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'an import that does not resolve cannot be checked; run `pnpm build` first',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-relative-import-across-workspaces',
      comment:
        'a workspace imports another one by its package name, never by a relative path; tests alone may reach into a package’s src/test-support/, which is not published',
      severity: 'error',
      from: { path: '^(packages/[^/]+|apps/[^/]+|deploy)/' },
      to: { path: '^(packages|apps|deploy)/', pathNot: '^$1/|^packages/[^/]+/src/test-support/' },
    },
    {
      name: 'test-support-from-tests-only',
      comment:
        'test helpers (another workspace’s src/test-support/, or a `@signet/x/test-support` entry) are not built: only tests may import them',
      severity: 'error',
      from: { path: '^(packages/[^/]+|apps/[^/]+|deploy)/', pathNot: TEST_CODE },
      to: {
        path: '^packages/[^/]+/src/test-support/|(^|/node_modules/)@signet/[^/]+/(src/)?test-support(/|$)',
        pathNot: '^$1/',
      },
    },
    {
      name: 'packages-import-no-app',
      comment: 'a package never imports an app: move what both need into a package',
      severity: 'error',
      from: { path: '^(packages|deploy)/' },
      to: { path: APPS },
    },
    {
      name: 'errors-and-duration-import-nothing',
      comment: '@signet/errors and @signet/duration are imported by others and import no package',
      severity: 'error',
      from: { path: '^packages/(errors|duration)/', pathNot: TEST_CODE },
      to: { dependencyTypesNot: ['local', 'core'] },
    },
    {
      name: 'signing-imports-neither-policy-nor-grafeas-client',
      comment: 'signing is the bottom layer of the three',
      severity: 'error',
      from: { path: '^packages/signing/' },
      to: { path: signet('policy', 'grafeas-client') },
    },
    {
      name: 'policy-does-not-import-grafeas-client',
      comment: 'policy decides over typed metadata and does no I/O: the apps pass a MetadataSource in',
      severity: 'error',
      from: { path: '^packages/policy/' },
      to: { path: signet('grafeas-client') },
    },
    {
      name: 'grafeas-client-does-not-import-policy',
      comment: 'grafeas-client reads and writes metadata; deciding over it is policy’s job',
      severity: 'error',
      from: { path: '^packages/grafeas-client/' },
      to: { path: signet('policy') },
    },
    {
      name: 'registry-knows-no-kubernetes-grafeas-or-policy',
      comment:
        'the registry client speaks the Distribution API only: Kubernetes, Grafeas and policies are the callers’ business',
      severity: 'error',
      from: { path: '^packages/registry/' },
      to: { path: `${signet('grafeas-client', 'policy')}|(^|/node_modules/)@kubernetes/` },
    },
    {
      name: 'signing-and-policy-do-no-io',
      comment: 'signing and policy are pure: files, sockets and processes belong to the apps',
      severity: 'error',
      from: { path: '^packages/(signing|policy)/src/', pathNot: TEST_CODE },
      to: { dependencyTypes: ['core'], path: IO_MODULES },
    },
    {
      name: 'packages-import-no-test-only-package',
      comment: 'the guide’s world and deploy’s helpers sit above the packages: packages never import them',
      severity: 'error',
      from: { path: '^(packages|deploy)/' },
      to: { path: signet('guide-world', 'deploy') },
    },
    {
      name: 'deploy-imports-no-signet-package',
      comment: 'deploy holds manifests and the commands that apply them; it needs no Signet code',
      severity: 'error',
      from: { path: '^deploy/', pathNot: TEST_CODE },
      to: { path: '(^|/node_modules/)@signet/' },
    },
    {
      name: 'webhook-and-signer-never-import-each-other',
      comment: 'share through a package instead',
      severity: 'error',
      from: { path: '^apps/(webhook|signer)/' },
      to: { path: signet('webhook', 'signer') },
    },
    {
      name: 'emulator-imports-neither-webhook-nor-signer',
      comment: 'the emulator stands in for Grafeas: the webhook and the signer talk to it over HTTP',
      severity: 'error',
      from: { path: '^apps/grafeas-emulator/' },
      to: { path: signet('webhook', 'signer') },
    },
    {
      name: 'nothing-imports-the-demo',
      severity: 'error',
      from: { pathNot: '^apps/demo/' },
      to: { path: signet('demo') },
    },
    {
      name: 'test-only-packages-from-tests-only',
      comment:
        'the emulator, the guide’s world and deploy’s helpers are imported by *.test.ts, test-support/, bench/ and the demo only',
      severity: 'error',
      from: { pathNot: `${TEST_CODE}|^apps/demo/` },
      to: { path: TEST_ONLY },
    },
    {
      name: 'test-only-packages-are-dev-dependencies',
      comment:
        'list them in devDependencies, so that `pnpm deploy --prod` ships none of them (the demo aside)',
      severity: 'error',
      from: { pathNot: '^apps/demo/' },
      to: { path: TEST_ONLY, dependencyTypes: ['npm'] },
    },
    {
      name: 'no-dev-dependency-at-runtime',
      comment: 'code that ships imports only `dependencies`: `pnpm deploy --prod` leaves devDependencies out',
      severity: 'error',
      from: { path: '^(packages|apps|deploy)/[^/]*/?src/', pathNot: TEST_CODE },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'signer-cli-is-the-top-layer',
      comment:
        'cli/ builds the program over commands/; what commands, sign/, policy-io/ and kube/ share lives in common/',
      severity: 'error',
      from: { path: '^apps/signer/src/(commands|sign|policy-io|kube|common)/', pathNot: TEST_CODE },
      to: { path: '^apps/signer/src/cli/' },
    },
    {
      name: 'signer-commands-are-above-their-parts',
      comment: 'commands/ use sign/, policy-io/ and kube/, never the other way round',
      severity: 'error',
      from: { path: '^apps/signer/src/(sign|policy-io|kube|common)/', pathNot: TEST_CODE },
      to: { path: '^apps/signer/src/commands/' },
    },
    {
      name: 'signer-common-is-a-leaf',
      comment: 'common/ is the ground layer: it imports nothing else of the signer',
      severity: 'error',
      from: { path: '^apps/signer/src/common/', pathNot: TEST_CODE },
      to: { path: '^apps/signer/src/', pathNot: '^apps/signer/src/common/' },
    },
    {
      name: 'webhook-server-is-the-top-layer',
      comment:
        'server/, cli/ and start-webhook.ts wire the parts together; the parts share metrics and readiness through monitoring/',
      severity: 'error',
      from: {
        path: '^apps/webhook/src/(admission|audit|certs|kube|metadata|policies|pull-secrets|monitoring)/',
        pathNot: TEST_CODE,
      },
      to: { path: '^apps/webhook/src/(server/|cli/|start-webhook\\.ts$|index\\.ts$)' },
    },
    {
      name: 'webhook-monitoring-is-a-leaf',
      comment: 'monitoring/ (metrics, readiness) imports nothing else of the webhook',
      severity: 'error',
      from: { path: '^apps/webhook/src/monitoring/', pathNot: TEST_CODE },
      to: { path: '^apps/webhook/src/', pathNot: '^apps/webhook/src/monitoring/' },
    },
  ],
  options: {
    // The bins are one-line launchers of their app's dist/, which lint does not build (nothing imports
    // the signer or the demo, so turbo's `^build` never builds them): their one import is not code to check.
    exclude: { path: '^apps/[^/]+/bin/' },
    doNotFollow: { path: ['node_modules', '(^|/)dist/'] },
    preserveSymlinks: true,
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['types', 'import', 'node', 'default'],
      extensions: ['.ts', '.d.ts', '.js', '.mjs', '.cjs'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
