// Stale credentials, ours vs etcdctl 3.4.23 on the same server: a request that fails because the token expired
// (`invalid auth token`) or because the auth store changed while it was in flight (`revision of auth store is
// old`) is retried, after logging in again when there is a password, exactly where clientv3 retries it; a
// login that fails then ends the command with etcdctl's warnings, error and exit code. The server is real etcd
// unless REAUTH_SERVER=ours (the certificate cases need our server's TLS).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ALICE_PASSWORD, type AuthServer, makePki, type StartAuthServer, startOurServer, startRealEtcd } from '../helpers/auth-server.js';
import { maskOutput } from '../helpers/mask.js';
import { reapOnExit } from '../helpers/reaper.js';
import { type CliCommand, cleanEnv, OUR_ETCDCTL, REAL_ETCDCTL, REPO_ROOT, runCli } from '../helpers/run-cli.js';

const SERVERS: Record<string, StartAuthServer> = { etcd: startRealEtcd, ours: startOurServer };
const startServer = SERVERS[process.env.REAUTH_SERVER ?? 'etcd'];
if (!startServer) throw new Error(`REAUTH_SERVER must be one of ${Object.keys(SERVERS).join(', ')}`);

const SIDES: [string, CliCommand][] = [['etcdctl', REAL_ETCDCTL], ['etcdctl-ts', OUR_ETCDCTL]];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Timestamps, the client's UUID and the server's port masked: nothing else. */
function masked(output: Buffer, server: AuthServer): string {
  const hostPort = server.endpoint.replace(/^https?:\/\//, '');
  return maskOutput(output, { identity: { clusterId: '', memberId: '', leases: new Map(), literals: new Map([[hostPort, '{EP}']]) } });
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A CLI we can talk to while it runs: write stdin lines, then end it (SIGINT) or let it finish. */
function startCli(cli: CliCommand, args: string[]): { child: ChildProcess; write(line: string): void; done: Promise<{ code: number | null; stdout: Buffer; stderr: Buffer }> } {
  const child = spawn(cli.file, [...cli.prefixArgs, ...args], { env: cleanEnv(), cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  reapOnExit(child);
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
  child.stdin!.on('error', () => {});
  const done = new Promise<{ code: number | null; stdout: Buffer; stderr: Buffer }>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr) })),
  );
  return { child, write: (line) => child.stdin!.write(line), done };
}

const STALE_REVISION_WARNING =
  /^\{"level":"warn","ts":"<TS>","caller":"clientv3\/retry_interceptor\.go:62","msg":"retrying of unary invoker failed","target":"endpoint:\/\/client-<UUID>\/\{EP\}","attempt":(\d+),"error":"rpc error: code = InvalidArgument desc = etcdserver: revision of auth store is old"\}$/;

describe('stale credentials with client-certificate (CN) auth', () => {
  let server: AuthServer;
  const pki = makePki();
  before(async () => {
    server = await startServer({ tls: pki, tokenTtlSeconds: 2 });
  });
  after(() => server?.stop());

  const put = async (cli: CliCommand, key: string): Promise<Run> => {
    const result = await runCli(cli, { args: [`--endpoints=${server.endpoint}`, ...server.as('alice'), 'put', key, 'v'], env: cleanEnv() });
    return { code: result.code, stdout: result.stdout.toString(), stderr: masked(result.stderr, server) };
  };

  it('a put as the certificate user: same output', async () => {
    const [real, ours] = [await put(REAL_ETCDCTL, 'cn-a'), await put(OUR_ETCDCTL, 'cn-b')];
    assert.deepEqual(ours, real);
    assert.deepEqual(real, { code: 0, stdout: 'OK\n', stderr: '' });
  });

  it('puts while another process grants and revokes roles: each retried until it succeeds, as etcdctl does', async () => {
    const root = pki.client('root');
    const churn = spawn(process.execPath, [
      path.join(REPO_ROOT, 'dist/test/helpers/auth-churn.js'), server.endpoint, 'alice', 'spare', pki.ca, root.cert, root.key,
    ], { stdio: ['ignore', 'pipe', 'ignore'] });
    reapOnExit(churn);
    await new Promise<void>((resolve, reject) => {
      churn.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      churn.once('exit', (code) => reject(new Error(`auth churn exited (${code})`)));
    });
    try {
      for (const [name, cli] of SIDES) {
        // Until a few puts met a changed auth store (so the retry was exercised), at most 40.
        let retried = 0;
        let puts = 0;
        while (puts < 40 && (retried < 3 || puts < 8)) {
          const run = await put(cli, `churn-${name}-${puts++}`);
          const warnings = run.stderr.split('\n').filter((line) => line !== '');
          assert.deepEqual([run.code, run.stdout], [0, 'OK\n'], `${name}: ${run.stderr}`);
          // One warning per failed attempt, numbered from 0, each for the stale auth revision.
          warnings.forEach((line, attempt) => assert.equal(STALE_REVISION_WARNING.exec(line)?.[1], String(attempt), `${name}: ${line}`));
          if (warnings.length > 0) retried++;
        }
        assert.ok(retried > 0, `${name}: no put met a changed auth store in ${puts} puts; the race was not exercised`);
      }
    } finally {
      churn.kill('SIGTERM');
    }
  });
});

describe('stale credentials with a password (simple tokens that expire after 2 s)', () => {
  let server: AuthServer;
  before(async () => {
    server = await startServer({ tokenTtlSeconds: 2 });
  });
  after(() => server?.stop());

  const flags = (user: 'root' | 'alice') => [`--endpoints=${server.endpoint}`, ...server.as(user)];
  const run = async (cli: CliCommand, args: string[], stdin?: string): Promise<Run> => {
    const result = await runCli(cli, { args, env: cleanEnv(), stdin });
    return { code: result.code, stdout: result.stdout.toString(), stderr: masked(result.stderr, server) };
  };
  const asRoot = async (args: string[], stdin?: string) => {
    const result = await run(REAL_ETCDCTL, [...flags('root'), ...args], stdin);
    assert.equal(result.code, 0, result.stderr);
  };

  it('a wrong password: the login error, exit 2, as etcdctl', async () => {
    const args = [`--endpoints=${server.endpoint}`, '--user=alice:wrong', 'get', 'k'];
    const [real, ours] = [await run(REAL_ETCDCTL, args), await run(OUR_ETCDCTL, args)];
    assert.deepEqual(ours, real);
    assert.equal(real.code, 2);
    assert.match(real.stderr, /\nError: etcdserver: authentication failed, invalid user ID or password\n$/);
  });

  it('a watch the server refuses (no permission): etcd\'s whole reason, exit 5, as etcdctl (it used to hang)', async () => {
    await asRoot(['user', 'add', 'nobody:nobodypw']);
    const args = [`--endpoints=${server.endpoint}`, '--user=nobody:nobodypw', 'watch', 'k'];
    const [real, ours] = [await run(REAL_ETCDCTL, args), await run(OUR_ETCDCTL, args)];
    assert.deepEqual(ours, real);
    assert.deepEqual(real, {
      code: 5,
      stdout: '',
      stderr: 'watch was canceled (rpc error: code = PermissionDenied desc = etcdserver: permission denied)\nError: watch is canceled by the server\n',
    });
  });

  it('lock held past the token expiry: unlocking logs in again after one warning, as etcdctl', async () => {
    // etcd drops an idle token within TTL + 1 s (it checks once a second).
    const args = [...flags('alice'), 'lock', 'expiry-lock', '--', 'sleep', '4.5'];
    const [real, ours] = [await run(REAL_ETCDCTL, args), await run(OUR_ETCDCTL, args)];
    assert.deepEqual(ours, real);
    assert.equal(real.code, 0);
    assert.match(real.stderr, /^\{"level":"warn",.*"attempt":0,"error":"rpc error: code = Unauthenticated desc = etcdserver: invalid auth token"\}\n$/);
  });

  it('the password changes while lock is held: the new login fails, etcdctl’s warnings and error, exit 1', async () => {
    const results: Run[] = [];
    for (const [name, cli] of SIDES) {
      // Each side its own lock: etcdctl leaves its lock behind when unlocking fails.
      const locked = run(cli, [...flags('alice'), 'lock', `passwd-lock-${name}`, '--', 'sleep', '3']);
      await sleep(1_500);
      await asRoot(['user', 'passwd', 'alice', '--interactive=false'], 'changed\n');
      results.push(await locked);
      await asRoot(['user', 'passwd', 'alice', '--interactive=false'], `${ALICE_PASSWORD}\n`);
    }
    const [real, ours] = results as [Run, Run];
    assert.deepEqual(ours, real);
    assert.equal(real.code, 1);
    assert.match(real.stderr, /"caller":"clientv3\/retry_interceptor\.go:79","msg":"retrying of unary invoker failed to fetch new auth token"/);
    assert.match(real.stderr, /\nError: etcdserver: authentication failed, invalid user ID or password\n$/);
  });

  it('watch -i: a watch asked for after the token expired is created on a new stream, as etcdctl', async () => {
    const outputs: Run[] = [];
    for (const [name, cli] of SIDES) {
      const watcher = startCli(cli, [...flags('alice'), 'watch', '-i']);
      watcher.write('watch early\n');
      await sleep(4_500); // the stream's token has expired (etcd drops it within TTL + 1 s)
      watcher.write(`watch late-${name}\n`);
      await sleep(1_500);
      await asRoot(['put', `late-${name}`, 'v']);
      await sleep(500);
      watcher.child.stdin!.end();
      const result = await watcher.done;
      outputs.push({ code: result.code, stdout: result.stdout.toString().replace(name, '<SIDE>'), stderr: masked(result.stderr, server) });
    }
    const [real, ours] = outputs as [Run, Run];
    assert.deepEqual(ours, real);
    assert.equal(real.stdout, 'PUT\nlate-<SIDE>\nv\n');
  });

  it('watch and lease keep-alive outlive the token (their streams need no new login)', async () => {
    const outputs: { watch: string; keepAlive: string[] }[] = [];
    for (const [name, cli] of SIDES) {
      const granted = await run(REAL_ETCDCTL, [...flags('alice'), 'lease', 'grant', '3']);
      const lease = /^lease ([0-9a-f]+) granted/.exec(granted.stdout)![1]!;
      const watcher = startCli(cli, [...flags('alice'), 'watch', `outlive-${name}`]);
      const keeper = startCli(cli, [...flags('alice'), 'lease', 'keep-alive', lease]);
      await sleep(4_500);
      await asRoot(['put', `outlive-${name}`, 'v']);
      await sleep(500);
      watcher.child.kill('SIGINT');
      keeper.child.kill('SIGINT');
      const [watched, kept] = [await watcher.done, await keeper.done];
      assert.equal(watched.stderr.length + kept.stderr.length, 0, `${name}: ${watched.stderr}${kept.stderr}`);
      const lines = kept.stdout.toString().trimEnd().split('\n');
      assert.ok(lines.length >= 4, `${name}: ${kept.stdout}`);
      outputs.push({ watch: watched.stdout.toString().replace(name, '<SIDE>'), keepAlive: [...new Set(lines.map((l) => l.replace(lease, '<LEASE>')))] });
    }
    assert.deepEqual(outputs[1], outputs[0]);
    assert.deepEqual(outputs[0], { watch: 'PUT\noutlive-<SIDE>\nv\n', keepAlive: ['lease <LEASE> keepalived with TTL(3)'] });
  });

  it('the password changes and the server restarts: the watch cannot log in for its new stream and ends, as etcdctl', async () => {
    const outputs: Run[] = [];
    for (const [name, cli] of SIDES) {
      const watcher = startCli(cli, [...flags('alice'), 'watch', `restart-${name}`]);
      await sleep(2_500);
      await asRoot(['user', 'passwd', 'alice', '--interactive=false'], 'changed\n');
      await server.restart();
      const timer = setTimeout(() => watcher.child.kill('SIGKILL'), 15_000);
      const result = await watcher.done;
      clearTimeout(timer);
      await asRoot(['user', 'passwd', 'alice', '--interactive=false'], `${ALICE_PASSWORD}\n`);
      outputs.push({ code: result.code, stdout: result.stdout.toString(), stderr: masked(result.stderr, server) });
    }
    // The failed login (a warning), the stream's error with clientv3's stack, the canceled watch; before them at
    // most logins that failed while the server was down (a dropped connection), which depends on timing.
    const split = (run: Run) => {
      const lines = run.stderr.split('\n');
      return { early: lines.slice(0, -5), tail: lines.slice(-5) };
    };
    const [real, ours] = outputs as [Run, Run];
    assert.deepEqual([ours.code, ours.stdout, split(ours).tail], [real.code, real.stdout, split(real).tail]);
    assert.equal(real.code, 5);
    assert.match(real.stderr, /"caller":"clientv3\/retry_interceptor\.go:114","msg":"clientv3\/retry_interceptor: getToken failed","error":"etcdserver: authentication failed, invalid user ID or password","stacktrace":"go\.etcd\.io/);
    for (const line of [...split(real).early, ...split(ours).early]) {
      assert.match(line, /"caller":"clientv3\/retry_interceptor\.go:(62|114)",.*code = Unavailable/);
    }
  });

  it('one login per command, and one more for each stream it opens, as etcdctl', async (t) => {
    if (!server.logins) return t.skip('this server does not log its logins');
    const logins = async (cli: CliCommand, args: string[], endAfterMs?: number) => {
      const before = server.logins!('alice');
      const started = startCli(cli, [...flags('alice'), ...args]);
      if (endAfterMs !== undefined) setTimeout(() => started.child.kill('SIGINT'), endAfterMs);
      await started.done;
      await sleep(200);
      return server.logins!('alice') - before;
    };
    for (const [args, endAfterMs] of [
      [['put', 'count', 'v']],
      [['get', 'count']],
      [['--endpoints', `${server.endpoint},${server.endpoint}`, 'get', 'count']],
      [['watch', 'count'], 1_500],
      [['lease', 'grant', '10']],
    ] as [string[], number?][]) {
      const [real, ours] = [await logins(REAL_ETCDCTL, args, endAfterMs), await logins(OUR_ETCDCTL, args, endAfterMs)];
      assert.equal(ours, real, args.join(' '));
    }
  });
});
