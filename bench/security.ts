// Issue 9: put and range on secured servers (auth with simple tokens; TLS), real etcd configured the
// same way as ours, in one run, through our secure-loadgen (etcd's Go client with credentials and a CA).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { removeTempDir } from './processes.js';
import { oneLine } from './stats.js';
import { runThroughputBench, type ThroughputResult, type Workload } from './throughput.js';

export interface SecurityResult {
  auth: ThroughputResult | { error: string };
  tls: ThroughputResult | { error: string };
}

const BUILD_TIMEOUT_MS = 10 * 60_000;
const ROOT_PASSWORD = 'bench-root-pw';

export function securityWorkloads(scale: number): Workload[] {
  const n = (count: number) => String(Math.max(1, Math.round(count * scale)));
  return [
    { name: 'put, 100 clients / 10 conns', args: ['-mode', 'put', '-clients', '100', '-conns', '10', '-total', n(10_000)] },
    { name: 'range (linearizable)', args: ['-mode', 'range', '-clients', '100', '-conns', '10', '-total', n(10_000), '-key-space', '1000'] },
  ];
}

/** Builds bench/secure-loadgen with Debian's Go and etcd client sources (installing them if missing). */
export function ensureSecureLoadgen(repoRoot: string): string {
  return ensureBenchGoTool(repoRoot, 'secure-loadgen');
}

/** Builds bench/<name>/main.go with bench/build-go-tool.sh into bench/<name>-bin (gitignored) unless that is up to date. */
export function ensureBenchGoTool(repoRoot: string, name: string): string {
  const sourceDir = path.join(repoRoot, 'bench', name);
  const output = path.join(repoRoot, 'bench', `${name}-bin`);
  if (existsSync(output) && statSync(output).mtimeMs >= statSync(path.join(sourceDir, 'main.go')).mtimeMs) return output;
  process.stderr.write(`bench: building ${path.relative(repoRoot, output)}; the first build may install golang-go\n`);
  const build = spawnSync('bash', [path.join(repoRoot, 'bench', 'build-go-tool.sh'), sourceDir, output], { encoding: 'utf8', timeout: BUILD_TIMEOUT_MS });
  if (build.status !== 0 || !existsSync(output)) throw new Error(`${name} build exited ${build.status ?? build.signal}: ${oneLine(`${build.stderr}\n${build.stdout}`, 600)}`);
  return output;
}

/** A CA and a server certificate for 127.0.0.1 (Go checks the subjectAltName), made with openssl (on every Debian image). */
function makeCertificates(dir: string): { certFile: string; keyFile: string; caFile: string } {
  const file = (name: string) => path.join(dir, name);
  const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=bench-ca', '-keyout', file('ca.key'), '-out', file('ca.crt')]);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', file('server.key'), '-out', file('server.csr')]);
  writeFileSync(file('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', file('san.ext'), '-out', file('server.crt')]);
  return { certFile: file('server.crt'), keyFile: file('server.key'), caFile: file('ca.crt') };
}

export async function runSecurityBench(options: { repoRoot: string; loadgen: string; scale: number; repeats: number }): Promise<SecurityResult> {
  const run = async (setup: Parameters<typeof runThroughputBench>[0]['setup']) => {
    try {
      return await runThroughputBench({ ...options, setup });
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  };
  const auth = await run({
    workloads: securityWorkloads,
    security: { rootPassword: ROOT_PASSWORD },
    loadgenArgs: ['-user', 'root', '-password', ROOT_PASSWORD],
  });
  const certDir = mkdtempSync(path.join(os.tmpdir(), 'bench-certs-'));
  try {
    const tls = makeCertificates(certDir);
    return { auth, tls: await run({ workloads: securityWorkloads, security: { tls }, loadgenArgs: ['-cacert', tls.caFile] }) };
  } finally {
    removeTempDir(certDir);
  }
}
