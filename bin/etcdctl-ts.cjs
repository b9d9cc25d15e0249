#!/usr/bin/env node
'use strict';
// Start-up is most of a short command's run time, so this file stays small and CommonJS (an ES module entry
// costs Node several milliseconds more), named .cjs so Node reads no package.json to learn that. It runs the bundled CLI (dist/bundle, built by scripts/bundle.mjs)
// through vm.Script with V8 code caches: functions compiled by an earlier run are neither parsed nor compiled
// again. A cache is made on the first run with this Node and this build, in the package (if writable) or the
// user's cache directory; V8 rejects a cache it cannot use, and the code then compiles as usual. The gRPC
// client is its own file, loaded only by commands that talk to a server. Without a bundle (a tsc-only
// build), the unbundled modules run. Help and version texts are printed from a file the build rendered them
// into, without loading the CLI at all (printStaticOutput).
const fs = require('node:fs');
const path = require('node:path');

// Node's own deprecation notices (e.g. TLS to an IP address) are not ours to print; etcdctl prints none.
process.noDeprecation = true;

const bundleDir = path.join(__dirname, '..', 'dist', 'bundle');
const argv = process.argv.slice(2);
if (printStaticOutput()) return;
const cacheDirs = [path.join(bundleDir, '.cache'), userCacheDir()].filter(Boolean);
/** Bundles loaded with a code cache this run, to save caches for once the command is done. */
const loaded = [];
/** The buffer loadBundle reads files through. */
let scratch;

// get, put and del run from the small bundle (scripts/bundle.mjs) when the line's first word names one (a flag's
// value may be that word: the bundle's main() finds the command as cobra does, and hands any other to the main
// bundle before doing anything). ETCDCTL_TS_NO_FAST_PATH runs everything with the main bundle.
const word = argv.find((arg) => !arg.startsWith('-'));
const small = (word === 'get' || word === 'put' || word === 'del') && !process.env.ETCDCTL_TS_NO_FAST_PATH;
/** The CLI bundle running: its client module is the one the gRPC client bundle shares. */
let cli;
const provide = (id) => (id === './client.cjs' ? loadBundle('client.cjs', (id) => (id === 'etcdctl-ts:client-api' ? cli.clientApi : undefined)) : undefined);
try {
  // The small bundle keeps a code cache per command: each then holds all of its command's code.
  cli = small ? loadBundle('etcdctl-ts-kv.cjs', provide, [word]) : loadBundle('etcdctl-ts.cjs', provide);
} catch (error) {
  if (error.code !== 'ENOENT') throw error;
  import('../dist/src/cli/main.js').then(({ main }) => main(argv)).then((code) => process.exit(code));
  return;
}
cli.main(argv).catch((error) => {
  if (error?.code !== 'ETCDCTL_TS_FULL_CLI') throw error;
  // The small bundle ran only its start: its code cache would be a poor one.
  loaded.length = 0;
  cli = loadBundle('etcdctl-ts.cjs', provide);
  return cli.main(argv);
}).then((code) => {
  saveCaches();
  process.exit(code);
});

/**
 * Runs a CommonJS bundle file; `provide` answers the module ids it resolves itself, before Node's require. `tiers`
 * names the code caches it may use, best first: by default, one made by a command that used the gRPC client
 * (it covers more), then any.
 */
function loadBundle(file, provide, tiers = ['client', 'local']) {
  const vm = require('node:vm');
  const filename = path.join(bundleDir, file);
  const sourceFd = fs.openSync(filename, 'r');
  let source;
  let prefix;
  /** The cache found ({ fd, tier }), and its bytes once read. */
  let cached;
  let cachedData;
  try {
    // The first line names the build, so a cache never outlives the code it was made from.
    const head = Buffer.alloc(64);
    const build = /^\/\/ build (\w+)/.exec(head.toString('latin1', 0, fs.readSync(sourceFd, head, 0, head.length, 0)))?.[1] ?? 'unknown';
    prefix = `${file}-${build}-${process.version}-${process.arch}`;
    for (const tier of tiers) {
      for (const dir of cacheDirs) {
        try {
          cached = { fd: fs.openSync(path.join(dir, `${prefix}-${tier}.cache`), 'r'), tier };
          break;
        } catch {}
      }
      if (cached) break;
    }
    // Both files go through one buffer, the size of the larger: every fresh page of memory costs a page fault
    // (~12 µs on a small VM), and a copy is made of each at once (V8 takes the source as a string, and the cache
    // while the script compiles).
    const sourceSize = fs.fstatSync(sourceFd).size;
    const cacheSize = cached ? fs.fstatSync(cached.fd).size : 0;
    if (!scratch || scratch.length < Math.max(sourceSize, cacheSize)) scratch = Buffer.allocUnsafeSlow(Math.max(sourceSize, cacheSize));
    // ASCII only (scripts/bundle.mjs), so Latin-1 reads it exactly, and faster than UTF-8.
    source = scratch.toString('latin1', 0, readInto(sourceFd, sourceSize));
    if (cached) cachedData = scratch.subarray(0, readInto(cached.fd, cacheSize));
  } finally {
    fs.closeSync(sourceFd);
    if (cached) fs.closeSync(cached.fd);
  }
  // The file is a CommonJS function expression already (scripts/bundle.mjs): compiled as it is, it yields the function.
  // (scratch is free again once the script is compiled)
  const script = new vm.Script(source, { filename, cachedData });
  // The bundles require Node's modules, lmdb (found from here as from dist/bundle) and each other, by ./name.
  const bundleRequire = (id) => provide(id) ?? require(id.startsWith('./') ? path.join(bundleDir, id) : id);
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, bundleRequire, module, filename, bundleDir);
  loaded.push({ file, prefix, script, cachedTier: cached?.tier, tiers });
  return module.exports;
}

/** Reads a whole file of `size` bytes into scratch; the length read. */
function readInto(fd, size) {
  let length = 0;
  while (length < size) {
    const n = fs.readSync(fd, scratch, length, size - length, length);
    if (n === 0) break;
    length += n;
  }
  return length;
}

function saveCaches() {
  // A command that made a client (and so ran its code) has the fuller cache; http2 is loaded only by the gRPC client.
  const made = () => (cli.clientApi?.madeClient?.() || process.moduleLoadList.includes('NativeModule http2') ? 'client' : 'local');
  for (const { file, prefix, script, cachedTier, tiers } of loaded) {
    // (a bundle with one tier, the small one, always writes that one)
    const tier = tiers.length === 1 ? tiers[0] : made();
    if (cachedTier && !script.cachedDataRejected && !(cachedTier === 'local' && tier === 'client')) continue;
    writeCache(file, `${prefix}-${tier}.cache`, script.createCachedData());
  }
}

function userCacheDir() {
  const base = process.env.XDG_CACHE_HOME || (process.env.HOME && path.join(process.env.HOME, '.cache'));
  return base ? path.join(base, 'etcdctl-ts') : undefined;
}

/** Best effort: the first directory that takes the file wins, and caches of other builds go. */
function writeCache(bundleFile, name, data) {
  for (const dir of cacheDirs) {
    try {
      fs.mkdirSync(dir, { recursive: true });
      const temporary = path.join(dir, `${name}.${process.pid}.tmp`);
      fs.writeFileSync(temporary, data);
      fs.renameSync(temporary, path.join(dir, name));
      const build = name.slice(bundleFile.length + 1).split('-')[0];
      for (const old of fs.readdirSync(dir)) {
        if (old.startsWith(`${bundleFile}-`) && !old.startsWith(`${bundleFile}-${build}-`)) fs.rmSync(path.join(dir, old), { force: true });
      }
      return;
    } catch {}
  }
}

/**
 * Help and version print the same bytes on every run, so the build renders them with the bundled CLI into
 * static-output.dat (scripts/static-output.mjs) and this prints them without loading the CLI: only when argv is
 * exactly one of the rendered forms and nothing in the environment could make the full CLI print something
 * else. Of the environment, only ETCDCTL_API changes these outputs (etcdctl ignores the other ETCDCTL_*
 * variables for them, and so do we); ETCDCTL_TS_NO_FAST_PATH turns this off (the tests compare both paths).
 */
function printStaticOutput() {
  // Static forms are command words, help flags and `help`, and hold a help word unless they are one word at most
  // (`version`, `lease`): anything else (`get foo`, a --flag=value) skips the file read.
  if (argv.some((arg) => !/^(?:-h|--help|[a-z][a-z-]*)$/.test(arg))) return false;
  if (argv.length > 1 && !argv.some((arg) => arg === '-h' || arg === '--help' || arg === 'help')) return false;
  const { ETCDCTL_API: api, ETCDCTL_TS_NO_FAST_PATH: off } = process.env;
  if ((api !== undefined && api !== '' && api !== '3') || off) return false;
  // The file is an index (one JSON line) then the texts: read the index, then only the text asked for.
  let fd;
  try {
    fd = fs.openSync(path.join(bundleDir, 'static-output.dat'), 'r');
  } catch {
    return false;
  }
  let text;
  try {
    let head = Buffer.allocUnsafe(32 * 1024);
    let length = fs.readSync(fd, head, 0, head.length, 0);
    let header = head.subarray(0, length).indexOf(10);
    while (header < 0 && length === head.length) {
      head = Buffer.concat([head, Buffer.allocUnsafe(head.length)]);
      length += fs.readSync(fd, head, length, head.length - length, length);
      header = head.subarray(0, length).indexOf(10);
    }
    if (header < 0) return false;
    // A terminal gets the texts with the extensions listed (help shows flags and commands newer than etcdctl 3.4).
    const key = (isTerminal(1) ? 't' : 'p') + argv.map((arg) => `\0${arg}`).join('');
    const entry = JSON.parse(head.toString('latin1', 0, header))[key];
    if (!entry) return false;
    text = Buffer.allocUnsafe(entry[1]);
    for (let read = 0; read < text.length; ) {
      const n = fs.readSync(fd, text, read, text.length - read, header + 1 + entry[0] + read);
      if (n === 0) return false;
      read += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  let written = 0;
  try {
    while (written < text.length) written += fs.writeSync(1, text, written);
  } catch {
    // EAGAIN (a non-blocking pipe), EPIPE (a reader gone): what the full CLI does, whose exit swallows a write error.
    process.stdout.write(text.subarray(written));
    process.exit(0);
  }
  return true;
}

/** isatty without loading Node's tty module (and node:net) when fd is plainly no terminal: a pipe, socket, file or /dev/null. */
function isTerminal(fd) {
  try {
    const stats = fs.fstatSync(fd);
    if (!stats.isCharacterDevice()) return false;
    try {
      if (fs.statSync('/dev/null').rdev === stats.rdev) return false;
    } catch {}
    return require('node:tty').isatty(fd);
  } catch {
    return false;
  }
}
