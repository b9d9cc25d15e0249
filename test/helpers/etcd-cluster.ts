// A real multi-member etcd cluster on loopback: one `etcd` process per member, each with its own client and
// peer ports and data dir, sharing one --initial-cluster. Members can be killed and restarted (failover
// tests) or added as learners. Everything started here is killed and removed on stop(), and on process exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { freePort, requireEtcdBinaries } from './etcd-process.js';
import { reapOnExit } from './reaper.js';

export interface ClusterMember {
  name: string;
  /** `127.0.0.1:PORT`, as --endpoints takes it. */
  endpoint: string;
  clientUrl: string;
  peerUrl: string;
  dataDir: string;
  readonly running: boolean;
  /** SIGKILL, like a crash; the data dir stays so the member can come back. */
  kill(): Promise<void>;
  /** Starts the member again on its data dir and waits until it serves. */
  restart(): Promise<void>;
  log(): string;
}

export interface EtcdCluster {
  members: ClusterMember[];
  /** Every member's endpoint, comma-separated, in member order. */
  endpoints: string;
  /** Starts an extra member after it was added with `member add` (`--initial-cluster-state existing`). */
  startJoining(options: JoinOptions): Promise<ClusterMember>;
  /** Kills every process and removes every data dir; safe to call twice. */
  stop(): Promise<void>;
}

export interface JoinOptions {
  name: string;
  peerPort: number;
  /** The ETCD_INITIAL_CLUSTER that `member add` printed. */
  initialCluster: string;
}

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;
const LOG_TAIL_BYTES = 8_192;


interface MemberSpec {
  name: string;
  clientPort: number;
  peerPort: number;
  dataDir: string;
}

export interface ClusterOptions {
  /**
   * Runs before any member starts, with each member's name, data dir and peer URL and the cluster's
   * --initial-cluster and token: e.g. `snapshot restore` into each data dir, which etcd then starts from.
   */
  prepare?: (members: { name: string; dataDir: string; peerUrl: string }[], initialCluster: string, token: string) => Promise<void>;
}

export async function startEtcdCluster(size = 3, options: ClusterOptions = {}): Promise<EtcdCluster> {
  requireEtcdBinaries();
  const root = await mkdtemp(path.join(os.tmpdir(), 'etcd-cluster-'));
  const specs: MemberSpec[] = [];
  const ports = new Set<number>();
  // freePort() can hand out the same port twice once it is released: insist on distinct ones.
  const distinctPort = async (): Promise<number> => {
    for (;;) {
      const port = await freePort();
      if (!ports.has(port)) {
        ports.add(port);
        return port;
      }
    }
  };
  for (let i = 0; i < size; i++) {
    specs.push({ name: `m${i}`, clientPort: await distinctPort(), peerPort: await distinctPort(), dataDir: path.join(root, `m${i}`) });
  }
  const initialCluster = specs.map((s) => `${s.name}=http://127.0.0.1:${s.peerPort}`).join(',');
  const token = `test-${path.basename(root)}`;
  const members = specs.map((spec) => new Member(spec, ['--initial-cluster', initialCluster, '--initial-cluster-token', token, '--initial-cluster-state', 'new']));
  const extra: Member[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all([...members, ...extra].map((m) => m.kill()));
    await rm(root, { recursive: true, force: true });
  };
  try {
    await options.prepare?.(members.map((m) => ({ name: m.name, dataDir: m.dataDir, peerUrl: m.peerUrl })), initialCluster, token);
    // All members must start together: none is healthy before a quorum has elected a leader.
    await Promise.all(members.map((m) => m.start()));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    members,
    endpoints: members.map((m) => m.endpoint).join(','),
    async startJoining(options: JoinOptions) {
      const clientPort = await distinctPort();
      const member = new Member(
        { name: options.name, clientPort, peerPort: options.peerPort, dataDir: path.join(root, options.name) },
        ['--initial-cluster', options.initialCluster, '--initial-cluster-state', 'existing', '--initial-cluster-token', token],
      );
      extra.push(member);
      await member.start();
      return member;
    },
    stop,
  };
}

class Member implements ClusterMember {
  readonly endpoint: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly name: string;
  readonly dataDir: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private logTail = '';

  constructor(
    spec: MemberSpec,
    private readonly clusterArgs: string[],
  ) {
    this.name = spec.name;
    this.dataDir = spec.dataDir;
    this.endpoint = `127.0.0.1:${spec.clientPort}`;
    this.clientUrl = `http://${this.endpoint}`;
    this.peerUrl = `http://127.0.0.1:${spec.peerPort}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  log(): string {
    return this.logTail;
  }

  async start(): Promise<void> {
    const { etcd } = requireEtcdBinaries();
    const child = spawn(
      etcd,
      [
        '--name', this.name,
        '--data-dir', this.dataDir,
        '--listen-client-urls', this.clientUrl,
        '--advertise-client-urls', this.clientUrl,
        '--listen-peer-urls', this.peerUrl,
        '--initial-advertise-peer-urls', this.peerUrl,
        ...this.clusterArgs,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? this.dataDir } },
    );
    this.child = child;
    reapOnExit(child);
    const keepTail = (chunk: Buffer) => {
      this.logTail = (this.logTail + chunk.toString('utf8')).slice(-LOG_TAIL_BYTES);
    };
    child.stdout!.on('data', keepTail);
    child.stderr!.on('data', keepTail);
    this.exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await this.waitServing();
    } catch (error) {
      await this.kill();
      throw error;
    }
  }

  restart(): Promise<void> {
    return this.start();
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    child.kill('SIGKILL');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }

  /** Polls /health until the member reports a healthy cluster (it has a leader and answers). */
  private async waitServing(): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`etcd ${this.name} exited during start-up:\n${this.logTail}`);
      if (await isHealthy(`${this.clientUrl}/health`)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`etcd ${this.name} not healthy after ${START_TIMEOUT_MS} ms:\n${this.logTail}`);
  }
}

function isHealthy(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: 1_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(response.statusCode === 200 && body.includes('"health":"true"')));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}
