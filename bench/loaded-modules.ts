// Runs a node program under record-modules.ts and returns the files it loaded.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Read by record-modules.ts: where to write the list of loaded modules. */
const RECORD_MODULES_ENV = 'BENCH_RECORD_MODULES_FILE';
const preloadUrl = pathToFileURL(fileURLToPath(new URL('./record-modules.js', import.meta.url))).href;

export interface LoadedModules {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Absolute paths (or URLs for non-file modules such as `node:fs`), deduplicated. */
  files: string[];
  /** Node's built-in modules the process loaded, public and internal (`http2`, `internal/http2/core`, …). */
  builtins: string[];
}

/** `node --import record-modules.js <args>`, bounded by a timeout. */
export function loadedModules(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): LoadedModules {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'etcdctl-ts-modules-'));
  const outputFile = path.join(dir, 'loaded.txt');
  try {
    const result = spawnSync(process.execPath, ['--import', preloadUrl, ...args], {
      cwd: options.cwd,
      env: { ...(options.env ?? process.env), [RECORD_MODULES_ENV]: outputFile },
      encoding: 'utf8',
      timeout: options.timeoutMs ?? 20_000,
    });
    if (result.error) throw result.error;
    let recorded = '';
    try {
      recorded = readFileSync(outputFile, 'utf8');
    } catch {
      throw new Error(`the module recorder wrote nothing (exit ${result.status}); stderr:\n${result.stderr}`);
    }
    const files = new Set<string>();
    const builtins = new Set<string>();
    for (const line of recorded.split('\n')) {
      if (line.startsWith('builtin ')) {
        builtins.add(line.slice('builtin '.length));
        continue;
      }
      const entry = line.slice(4);
      if (!entry) continue;
      files.add(entry.startsWith('file:') ? fileURLToPath(entry) : entry);
    }
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, files: [...files], builtins: [...builtins] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The loaded files that belong to the given packages (e.g. `@grpc/grpc-js`, or a scope `@grpc`). */
export function filesFromPackages(files: readonly string[], packages: readonly string[]): string[] {
  return files.filter((file) => packages.some((name) => file.includes(`${path.sep}node_modules${path.sep}${name}${path.sep}`)));
}

/** The distinct npm packages among loaded files, for reporting. */
export function packagesOf(files: readonly string[]): string[] {
  const names = new Set<string>();
  const marker = `${path.sep}node_modules${path.sep}`;
  for (const file of files) {
    const at = file.lastIndexOf(marker);
    if (at < 0) continue;
    const parts = file.slice(at + marker.length).split(path.sep);
    names.add(parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!);
  }
  return [...names].sort();
}
