// Renders every output of the CLI that depends on nothing but argv and whether stdout is a terminal (`--help`/`-h`
// of the root and of every command and sub-command, `help <command>`, a group on its own, `version`) into
// dist/bundle/static-output.dat, with the bundled CLI itself, so the bytes are the full CLI's by construction.
// bin/etcdctl-ts.cjs prints them from there without loading the CLI (test/e2e/static-output.test.ts compares both).
//
// File format: one line of JSON, {"<variant><NUL and an argument, for each argument>": [offset, length]}, variant
// `p` for a pipe or file and `t` for a terminal; then the texts, each once, as UTF-8 (offsets count from the byte
// after the newline).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';

export const STATIC_OUTPUT_FILE = 'static-output.dat';

/** The index key of an output (bin/etcdctl-ts.cjs builds the same). NUL cannot occur in an argument. */
export const staticOutputKey = (variant, argv) => variant + argv.map((arg) => `\0${arg}`).join('');

/** Commands that print the same text whenever they run with no arguments (the others need a server or arguments). */
const STATIC_RUNNERS = new Set(['version', 'help']);

/** Every argv of a static output, from the tsc build's command tree (the bundle exports only main). */
async function staticForms(distDir) {
  const { buildProgram } = await import(pathToFileURL(path.join(distDir, 'src', 'cli', 'commands', 'index.js')).href);
  const { specOf } = await import(pathToFileURL(path.join(distDir, 'src', 'cli', 'command-tree.js')).href);
  const forms = [];
  const visit = (command, words) => {
    forms.push([...words, '--help'], [...words, '-h'], ['help', ...words]);
    if (!specOf(command).run || STATIC_RUNNERS.has(words.join(' '))) forms.push(words);
    for (const sub of command.commands) visit(sub, [...words, sub.name()]);
  };
  visit(await buildProgram(), []);
  return forms;
}

/** The bundled CLI's main, loaded as bin/etcdctl-ts.cjs loads it (the file is a CommonJS function expression). */
function bundledMain(bundleDir) {
  const filename = path.join(bundleDir, 'etcdctl-ts.cjs');
  const wrapper = vm.runInThisContext(readFileSync(filename, 'utf8'), { filename });
  const module = { exports: {} };
  wrapper.call(module.exports, module.exports, createRequire(filename), module, filename, bundleDir);
  return module.exports.main;
}

async function render(main, argv, isTTY) {
  const stdout = [];
  const stderr = [];
  const sink = (chunks) => ({ write: (chunk) => chunks.push(Buffer.from(chunk)), isTTY, columns: isTTY ? 80 : undefined, rows: isTTY ? 24 : undefined });
  const io = { stdin: (async function* () {})(), stdout: sink(stdout), stderr: sink(stderr), env: {} };
  const code = await main(argv, { io });
  // The fast path prints stdout and exits 0; anything else stays with the full CLI.
  if (code !== 0 || stderr.length > 0) throw new Error(`etcdctl-ts ${argv.join(' ')}: exit ${code}, stderr ${Buffer.concat(stderr)}`);
  return Buffer.concat(stdout);
}

export async function writeStaticOutput(distDir, bundleDir) {
  const main = bundledMain(bundleDir);
  const index = {};
  const texts = [];
  const offsets = new Map();
  let size = 0;
  for (const argv of await staticForms(distDir)) {
    for (const [variant, isTTY] of [['p', false], ['t', true]]) {
      const text = await render(main, argv, isTTY);
      const key = text.toString('latin1');
      if (!offsets.has(key)) {
        offsets.set(key, size);
        texts.push(text);
        size += text.length;
      }
      index[staticOutputKey(variant, argv)] = [offsets.get(key), text.length];
    }
  }
  writeFileSync(path.join(bundleDir, STATIC_OUTPUT_FILE), Buffer.concat([Buffer.from(`${JSON.stringify(index)}\n`), ...texts]));
  return Object.keys(index).length;
}
