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
if (printStaticOutput()) return;
const cacheDirs = [path.join(bundleDir, '.cache'), userCacheDir()].filter(Boolean);
/** Bundles loaded with a code cache this run, to save caches for once the command is done. */
const loaded = [];

let cli;
try {
  cli = loadBundle('etcdctl-ts.cjs', (id) => (id === './client.cjs' ? loadBundle('client.cjs', (id) => (id === 'etcdctl-ts:client-api' ? cli.clientApi : undefined)) : undefined));
} catch (error) {
  if (error.code !== 'ENOENT') throw error;
  import('../dist/src/cli/main.js').then(({ main }) => main(process.argv.slice(2))).then((code) => process.exit(code));
  return;
}
cli.main(process.argv.slice(2)).then((code) => {
  saveCaches();
  process.exit(code);
});

/** Runs a CommonJS bundle file; `provide` answers the module ids it resolves itself, before Node's require. */
function loadBundle(file, provide) {
  const vm = require('node:vm');
  const { createRequire } = require('node:module');
  const filename = path.join(bundleDir, file);
  // ASCII only (scripts/bundle.mjs), so Latin-1 reads it exactly, and faster than UTF-8.
  const source = fs.readFileSync(filename, 'latin1');
  // The first line names the build, so a cache never outlives the code it was made from.
  const build = /^\/\/ build (\w+)/.exec(source)?.[1] ?? 'unknown';
  const prefix = `${file}-${build}-${process.version}-${process.arch}`;
  // The main bundle's cache made by a command that used the gRPC client covers more than a local command's.
  let cached;
  for (const tier of ['client', 'local']) {
    for (const dir of cacheDirs) {
      try {
        cached = { data: fs.readFileSync(path.join(dir, `${prefix}-${tier}.cache`)), tier };
        break;
      } catch {}
    }
    if (cached) break;
  }
  // The file is a CommonJS function expression already (scripts/bundle.mjs): compiled as it is, it yields the function.
  const script = new vm.Script(source, { filename, cachedData: cached?.data });
  const nodeRequire = createRequire(filename);
  const bundleRequire = Object.assign((id) => provide(id) ?? nodeRequire(id), nodeRequire);
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, bundleRequire, module, filename, bundleDir);
  loaded.push({ file, prefix, script, cached });
  return module.exports;
}

function saveCaches() {
  // A command that made a client (and so ran its code) has the fuller cache; http2 is loaded only by the gRPC client.
  const tier = cli.clientApi?.madeClient?.() || process.moduleLoadList.includes('NativeModule http2') ? 'client' : 'local';
  for (const { file, prefix, script, cached } of loaded) {
    if (cached && !script.cachedDataRejected && !(cached.tier === 'local' && tier === 'client')) continue;
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
  const argv = process.argv.slice(2);
  // Static forms are command words, help flags and `help`: anything else (a key, a --flag=value) skips the file read.
  if (argv.some((arg) => !/^(?:-h|--help|[a-z][a-z-]*)$/.test(arg))) return false;
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

/** isatty without loading Node's tty module when fd is plainly no terminal (a pipe, socket or file). */
function isTerminal(fd) {
  try {
    return fs.fstatSync(fd).isCharacterDevice() && require('node:tty').isatty(fd);
  } catch {
    return false;
  }
}
