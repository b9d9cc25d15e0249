// Preload (`node --import <this file>`) that records every module the process loads, so a test
// can prove that a command never touched a heavy dependency. ESM loads are seen by a load hook
// (run on the loader thread, hence written straight to the file); CommonJS loads, which in
// Node 20 bypass the ESM hooks when one CJS module requires another, are read from
// require.cache when the process exits. Node's built-in modules come from process.moduleLoadList: they
// show what ran whatever the packaging (a bundle loads no files from node_modules, but gRPC still needs http2).
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

// The same name is used by loaded-modules.ts (which must not import this preload).
const outputFile = process.env.BENCH_RECORD_MODULES_FILE;
if (outputFile) {
  register('./record-modules-hooks.js', { parentURL: import.meta.url, data: { outputFile } });
  const require = createRequire(import.meta.url);
  process.on('exit', () => {
    const files = Object.keys(require.cache);
    const builtins = (process as unknown as { moduleLoadList: string[] }).moduleLoadList.filter((entry) => entry.startsWith('NativeModule ')).map((entry) => entry.slice('NativeModule '.length));
    appendFileSync(outputFile, [...files.map((file) => `cjs ${file}\n`), ...builtins.map((name) => `builtin ${name}\n`)].join(''));
  });
}
