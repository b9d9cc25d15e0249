// Bundles the start-up floors (grpc-unary.ts, http2-unary.ts, net-unary.ts, handle-unary.ts) the way scripts/bundle.mjs bundles the CLI, and
// writes the loader that runs them through a V8 code cache, as bin/etcdctl-ts.cjs does.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const FLOORS = ['grpc-unary', 'http2-unary', 'net-unary', 'handle-unary'] as const;

const LOADER = `'use strict';
const fs = require('node:fs');
const vm = require('node:vm');
const { createRequire, wrap } = require('node:module');
const file = require('node:path').join(__dirname, process.argv[2] + '.cjs');
const source = fs.readFileSync(file, 'latin1');
let cachedData;
try { cachedData = fs.readFileSync(file + '.cache'); } catch {}
const script = new vm.Script(wrap(source), { filename: file, cachedData });
const bundled = { exports: {} };
script.runInThisContext().call(bundled.exports, bundled.exports, createRequire(file), bundled, file, __dirname);
bundled.exports.run(process.argv[3]).then(() => {
  if (!cachedData || script.cachedDataRejected) fs.writeFileSync(file + '.cache', script.createCachedData());
  process.exit(0);
});
`;

/** Returns the loader's path: run it as `node <loader> <floor> <host:port>`. */
export async function buildFloors(repoRoot: string): Promise<string> {
  const esbuild = await import('esbuild');
  // The CLI's own bundling options, so a floor is bundled exactly as the CLI is.
  const { BUNDLE_OPTIONS } = (await import(pathToFileURL(path.join(repoRoot, 'scripts', 'bundle.mjs')).href)) as { BUNDLE_OPTIONS: object };
  const outDir = path.join(repoRoot, 'dist', 'bench-floors');
  mkdirSync(outDir, { recursive: true });
  for (const floor of FLOORS) {
    await esbuild.build({ ...BUNDLE_OPTIONS, entryPoints: [`bench/floors/${floor}.ts`], outfile: path.join(outDir, `${floor}.cjs`) });
    // A new build makes its own code cache (the loader keys it by file name only).
    rmSync(path.join(outDir, `${floor}.cjs.cache`), { force: true });
  }
  const loader = path.join(outDir, 'run-floor.cjs');
  writeFileSync(loader, LOADER);
  return loader;
}
