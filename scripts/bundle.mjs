// Bundles the CLI into dist/bundle with esbuild, for start-up time (see bench/results.md for the breakdown):
// - etcdctl-ts.cjs: every command and the gRPC client in one minified CommonJS file. bin/etcdctl-ts.cjs loads it
//   through vm.Script with a V8 code cache, so its functions are neither parsed nor compiled on each run.
//   Parts only some commands need (the client, printers, completion) stay lazy: their modules run on first use.
// - server.cjs, ora.cjs and chalk.cjs: the bundled server, the terminal spinner and colour, loaded only by what needs them.
// - static-output.dat: every help and version text, printed by bin/etcdctl-ts.cjs without loading the CLI (static-output.mjs).
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { writeStaticOutput } from './static-output.mjs';

/** The least length of a code-cached bundle's text (see bundle()): V8's largest regular object is 128 KiB. */
const MIN_SOURCE_LENGTH = 132 * 1024;

/** Files bin/etcdctl-ts.cjs loads through vm.Script with a code cache (the others are plain require()s). */
const CODE_CACHED = ['etcdctl-ts.cjs', 'etcdctl-ts-kv.cjs', 'client.cjs'];

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE_DIR = path.join(repoRoot, 'dist', 'bundle');

/** Imports that become separate bundle files: module specifier → file name in dist/bundle. */
const SEPARATE = [
  { filter: /^ora$/, file: './ora.cjs' },
  { filter: /^chalk$/, file: './chalk.cjs' },
  { filter: /\/server\/cli\.js$/, file: './server.cjs' },
  { filter: /^\.\/etcd3-client\.js$/, file: './client.cjs' },
];

/**
 * In the client bundle, the client module is the main bundle's (bin/etcdctl-ts.cjs hands it over by this name), for
 * every module of src/client: a second copy would make its RpcError a different class (instanceof fails).
 */
const SHARED_CLIENT_API = 'etcdctl-ts:client-api';
const sharedClientApi = {
  name: 'shared-client-api',
  setup(build) {
    build.onResolve({ filter: /^\.\/client\.js$/ }, (args) =>
      path.dirname(args.importer).endsWith(path.join('src', 'client')) ? { path: SHARED_CLIENT_API, external: true } : undefined,
    );
  },
};

const separateFiles = {
  name: 'separate-files',
  setup(build) {
    for (const { filter, file } of SEPARATE) build.onResolve({ filter }, () => ({ path: file, external: true }));
  },
};

// Node modules that only some commands use (HTTP for check, child_process for watch/lock --exec, crypto and
// fs/promises for snapshots): each import gets a stand-in that loads the real module when first touched, so
// no command pays at start-up for what another one needs (tls: a plaintext endpoint never loads it).
const LAZY_BUILTINS = ['child_process', 'crypto', 'dns', 'dns/promises', 'fs/promises', 'http', 'https', 'os', 'readline', 'stream/promises', 'timers/promises', 'tls', 'tty', 'zlib'];
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(build) {
    const filter = new RegExp(`^(node:)?(${LAZY_BUILTINS.join('|').replaceAll('/', '\\/')})$`);
    build.onResolve({ filter }, (args) =>
      // The stand-in's own require is the real module.
      args.namespace === 'lazy-builtin' ? { path: args.path, external: true } : { path: args.path.replace(/^node:/, ''), namespace: 'lazy-builtin' },
    );
    // Every export is a getter, so esbuild's interop copies them without touching the module.
    build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, async (args) => {
      const names = Object.keys(await import(`node:${args.path}`)).filter((name) => name !== 'default');
      return {
        contents: [
          `let real; const load = () => (real ??= require('node:${args.path}'));`,
          `for (const name of ${JSON.stringify(names)}) Object.defineProperty(module.exports, name, { enumerable: true, get: () => load()[name] });`,
        ].join('\n'),
        loader: 'js',
      };
    });
  },
};

// Packages that only some commands use, as separate files loaded when first touched: the import gets a stand-in
// whose every property access loads the file (a Proxy, so esbuild's interop never touches it before that).
// protobufjs (a third of the main bundle) serves -w protobuf/json reflection and snapshot files only.
const LAZY_FILES = [{ filter: /^protobufjs\/light(\.js)?$/, file: './protobuf.cjs', entry: "module.exports = require('protobufjs/light.js');" }];
const lazyFiles = {
  name: 'lazy-files',
  setup(build) {
    for (const { filter, file } of LAZY_FILES) build.onResolve({ filter }, () => ({ path: file, namespace: 'lazy-file' }));
    // The stand-in's own require is the separate file.
    build.onResolve({ filter: /.*/, namespace: 'lazy-file' }, (args) => ({ path: args.path, external: true }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-file' }, (args) => ({
      contents: [
        `let real; const load = () => (real ??= require(${JSON.stringify(args.path)}));`,
        'module.exports = new Proxy({}, { get: (_, key) => load()[key], has: (_, key) => key in load() });',
      ].join('\n'),
      loader: 'js',
    }));
  },
};

// The small bundle, etcdctl-ts-kv.cjs: the same CLI with get, put and del as its only commands and the simple
// format as its only printer, for the lines scripts run most. Under half the main bundle's size, so a short command
// reads, deserialises and touches that much less. Its command list has none of the others, and nothing of
// completion or of the other printers; main() raises FullCliNeeded for any other line, before doing anything, and
// bin/etcdctl-ts.cjs runs that line with the main bundle.
const KV_ONLY_STUBS = [
  { filter: /^\.\/(commands\/)?other-commands\.js$/, importer: /commands[/\\]index\.ts$|main\.ts$/, contents: 'export const WHOLE_TREE = false; export const OTHER_COMMANDS = [];' },
  { filter: /^\.\/completion\/complete-command\.js$/, importer: /main\.ts$/, contents: 'export {};' },
  { filter: /^\.\/(fields|table|json|protobuf|jsonl|k8s)\.js$/, importer: /printers[/\\]index\.ts$/, contents: 'export {};' },
];
const kvOnly = {
  name: 'kv-only',
  setup(build) {
    for (const { filter, importer, contents } of KV_ONLY_STUBS) {
      build.onResolve({ filter }, (args) => (importer.test(args.importer) ? { path: args.path, namespace: 'kv-only' } : undefined));
      build.onLoad({ filter, namespace: 'kv-only' }, () => ({ contents, loader: 'js' }));
    }
  },
};

/** The esbuild options every bundle file shares (bench/floors/build.ts bundles its floors with them too). */
export const BUNDLE_OPTIONS = {
  absWorkingDir: repoRoot,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // import() of the other bundle files becomes require(): code run by vm.Script has no module loader.
  supported: { 'dynamic-import': false },
  minify: !process.env.BUNDLE_NO_MINIFY,
  // Names stay readable in stack traces and in anything that prints a class or function name.
  keepNames: true,
  // ASCII only (esbuild escapes the rest), so the loader can read it as one-byte Latin-1 text: no UTF-8 decoding.
  charset: 'ascii',
  legalComments: 'eof',
  logLevel: 'warning',
  // lmdb is a native addon that finds its prebuilt binary relative to its own files.
  external: ['lmdb'],
  // etcd3 parses its .proto with proto-loader as it loads; the stand-in hands it our precompiled schema.
  alias: { '@grpc/proto-loader': './src/client/precompiled-proto-loader.ts' },
  // CommonJS has no import.meta: our few uses get the bundle file's URL. __ETCDCTL_TS_BUNDLED__ tells code that
  // works around module loading (src/client/precompiled-proto-loader.ts) that the bundle already did it.
  // (A getter: working the URL out costs every run, and most never ask.)
  define: { 'import.meta.url': '__bundleFile.url', __ETCDCTL_TS_BUNDLED__: 'true' },
  banner: { js: "var __bundleFile = { get url() { return require('node:url').pathToFileURL(__filename).href; } };" },
};

export async function bundle({ metafile = false } = {}) {
  const results = await Promise.all([
    // keepNames off in the CLI bundle: naming every function as it is made was 5 M instructions of a `get`, and
    // nothing in the CLI reads a function's or class's name.
    esbuild.build({ ...BUNDLE_OPTIONS, keepNames: false, entryPoints: { 'etcdctl-ts': 'src/cli/bundle-entry.ts' }, outdir: BUNDLE_DIR, outExtension: { '.js': '.cjs' }, plugins: [separateFiles, lazyBuiltins, lazyFiles], metafile }),
    esbuild.build({ ...BUNDLE_OPTIONS, keepNames: false, entryPoints: { 'etcdctl-ts-kv': 'src/cli/bundle-entry.ts' }, outdir: BUNDLE_DIR, outExtension: { '.js': '.cjs' }, plugins: [kvOnly, separateFiles, lazyBuiltins, lazyFiles], metafile }),
    esbuild.build({ ...BUNDLE_OPTIONS, entryPoints: { client: 'src/client/etcd3-client.ts' }, outdir: BUNDLE_DIR, outExtension: { '.js': '.cjs' }, plugins: [sharedClientApi, lazyBuiltins], metafile }),
    esbuild.build({ ...BUNDLE_OPTIONS, entryPoints: { server: 'src/server/cli.ts' }, outdir: BUNDLE_DIR, outExtension: { '.js': '.cjs' }, metafile }),
    // module.exports is ora itself, as `import ora from 'ora'` in the main bundle then expects.
    esbuild.build({ ...BUNDLE_OPTIONS, stdin: { contents: "module.exports = require('ora').default;", resolveDir: repoRoot, sourcefile: 'ora-entry.cjs' }, outfile: path.join(BUNDLE_DIR, 'ora.cjs'), metafile }),
    ...LAZY_FILES.map(({ file, entry }) =>
      esbuild.build({ ...BUNDLE_OPTIONS, stdin: { contents: entry, resolveDir: repoRoot, sourcefile: `${file}-entry.cjs` }, outfile: path.join(BUNDLE_DIR, file), metafile }),
    ),
    // Colour on a terminal (src/cli/paint.ts): its module namespace, for `const { Chalk } = await import('chalk')`.
    esbuild.build({ ...BUNDLE_OPTIONS, stdin: { contents: "module.exports = require('chalk');", resolveDir: repoRoot, sourcefile: 'chalk-entry.cjs' }, outfile: path.join(BUNDLE_DIR, 'chalk.cjs'), metafile }),
  ]);
  // The code-cached files come wrapped as CommonJS function expressions, so bin/etcdctl-ts.cjs compiles the file's
  // text as it is (no second, wrapped copy of a few hundred KiB to build and then collect), and their first
  // line names the build (a hash of the text), so it never uses a stale code cache.
  for (const name of CODE_CACHED) {
    const file = path.join(BUNDLE_DIR, name);
    let code = `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`;
    // V8 puts a string of 128 KiB or more in its large-object space: the source string then neither fills the
    // young generation (the small bundle's 125 KiB string did, and its first scavenge cost ~3 ms) nor gets copied.
    if (code.length < MIN_SOURCE_LENGTH) code += `\n//${' '.repeat(MIN_SOURCE_LENGTH - code.length)}`;
    writeFileSync(file, `// build ${createHash('sha256').update(code).digest('hex').slice(0, 16)}\n${code}`);
  }
  // Help and version texts, rendered by the bundle just built, for bin/etcdctl-ts.cjs's fast path.
  await writeStaticOutput(path.join(repoRoot, 'dist'), BUNDLE_DIR);
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const results = await bundle({ metafile: process.argv.includes('--metafile') });
  if (results[0].metafile) {
    writeFileSync(path.join(BUNDLE_DIR, 'meta.json'), JSON.stringify(results.map((r) => r.metafile)));
  }
}
