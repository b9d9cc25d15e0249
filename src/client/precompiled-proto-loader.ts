// etcd3's connection pool parses its rpc.proto with @grpc/proto-loader as it loads, which was most of the
// CLI's start-up. Importing this module first puts a stand-in for proto-loader in Node's module cache,
// wherever etcd3 would resolve it from, that returns our precompiled package definition instead
// (same services, same (de)serialisation; test/unit/client/precompiled-proto-loader.test.ts compares
// them). The bundle (scripts/bundle.mjs) maps the import to the same stand-in at build time.
import { createRequire, Module } from 'node:module';
import path from 'node:path';
import { etcdPackageDefinition, type ObjectOptions } from '../api/grpc-package-definition.js';

export function loadSync(_protoFile: string, options: ObjectOptions = {}): ReturnType<typeof etcdPackageDefinition> {
  return etcdPackageDefinition(options);
}

/** Defined (true) by scripts/bundle.mjs: the bundle maps proto-loader to this module at build time. */
declare const __ETCDCTL_TS_BUNDLED__: boolean | undefined;

function seedModuleCache(): void {
  const require = createRequire(import.meta.url);
  let etcd3Pool: string;
  try {
    etcd3Pool = require.resolve('etcd3/lib/connection-pool.js');
  } catch {
    return; // no etcd3 to stand in for
  }
  const loaderPath = createRequire(etcd3Pool).resolve('@grpc/proto-loader');
  if (require.cache[loaderPath]) return;
  const standIn = new Module(loaderPath);
  standIn.filename = loaderPath;
  standIn.paths = [path.dirname(loaderPath)];
  standIn.exports = { loadSync };
  standIn.loaded = true;
  require.cache[loaderPath] = standIn;
}

if (typeof __ETCDCTL_TS_BUNDLED__ === 'undefined') seedModuleCache();
