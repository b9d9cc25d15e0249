// What etcdctl 3.5/3.6 added (issue 13): downgrade, --max-request-bytes / --max-recv-bytes, member list
// --consistency, get --min/max-create/mod-rev, make-mirror --rev / --max-txn-ops / --dest-user / --dest-password.
// Each runs our CLI against real etcd 3.4.23 and against the bundled server; etcdctl 3.4.23 has none of them,
// so the expected texts come from etcdctl 3.6's source (see the README's list of additions).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { type EtcdProcess, startEtcd } from '../helpers/etcd-process.js';
import { startOurServer, type OurServer } from '../helpers/our-server.js';
import { rawGrpcCall } from '../helpers/raw-grpc.js';
import { reapOnExit } from '../helpers/reaper.js';
import { cleanEnv, OUR_ETCDCTL, REAL_ETCDCTL, runCli } from '../helpers/run-cli.js';

const ours = (args: string[], opts: { env?: Record<string, string>; stdin?: string | Buffer } = {}) =>
  runCli(OUR_ETCDCTL, { args, env: cleanEnv(opts.env), stdin: opts.stdin });
const etcdctl = (args: string[]) => runCli(REAL_ETCDCTL, { args, env: cleanEnv() });

/** The zap warning's timestamp and client UUID differ per run. */
const unstamped = (stderr: Buffer) =>
  stderr.toString().replace(/"ts":"[^"]+"/g, '"ts":"TS"').replace(/client-[0-9a-f-]{36}\/[^"]+/g, 'client-UUID/EP');

async function ok(run: Promise<{ code: number | null; stderr: Buffer; stdout: Buffer }>): Promise<string> {
  const result = await run;
  assert.equal(result.code, 0, result.stderr.toString());
  return result.stdout.toString();
}

describe('etcdctl 3.5/3.6 additions, against real etcd 3.4.23 and the bundled server', () => {
  let etcd: EtcdProcess;
  let server: OurServer;
  const sides: Array<{ name: string; endpoint: () => string }> = [
    { name: 'etcd 3.4.23', endpoint: () => etcd.endpoint },
    { name: 'bundled server', endpoint: () => server.endpoint },
  ];
  before(async () => {
    [etcd, server] = await Promise.all([startEtcd(), startOurServer()]);
    for (const side of sides) {
      for (const [key, value] of [['a', '1'], ['b', '1'], ['a', '2'], ['c', '1']]) {
        await ok(etcdctl([`--endpoints=${side.endpoint()}`, 'put', key, value]));
      }
      // Revisions: a created 2, modified 4; b 3; c 5.
    }
  });
  after(async () => {
    await Promise.all([etcd?.stop(), server?.stop()]);
  });

  describe('downgrade', () => {
    it('answers as etcdctl 3.6 against a 3.4 cluster: Unimplemented, the same from both servers', async () => {
      const outputs: string[] = [];
      for (const side of sides) {
        for (const args of [['downgrade', 'validate', '3.3'], ['downgrade', 'enable', '3.3'], ['downgrade', 'cancel']]) {
          const result = await ours([`--endpoints=${side.endpoint()}`, ...args]);
          assert.equal(result.code, 1, side.name);
          assert.equal(result.stdout.toString(), '');
          const stderr = unstamped(result.stderr);
          assert.match(stderr, /\nError: rpc error: code = Unimplemented desc = unknown method Downgrade for service etcdserverpb.Maintenance\n$/);
          outputs.push(stderr.replace(side.endpoint(), 'EP'));
        }
      }
      assert.deepEqual(outputs.slice(3), outputs.slice(0, 3));
    });

    it("the bundled server answers unknown paths with grpc-go's statuses, as etcd 3.4.23 does", async () => {
      for (const path of ['/etcdserverpb.Maintenance/Downgrade', '/etcdserverpb.KV/Nope', '/etcdserverpb.Nope/Range', '/nope']) {
        const [real, bundled] = await Promise.all(sides.map((side) => rawGrpcCall(side.endpoint(), path, [Buffer.alloc(0)])));
        assert.deepEqual(bundled, real, path);
      }
    });

    it("checks validate's and enable's argument before connecting, with etcdctl 3.6's texts", async () => {
      for (const verb of ['validate', 'enable']) {
        for (const [args, message] of [
          [[], 'TARGET_VERSION not provided'],
          [['3.4', '3.3'], 'too many arguments'],
          [[''], 'target version not provided'],
        ] as const) {
          const result = await ours(['--endpoints=127.0.0.1:1', 'downgrade', verb, ...args]);
          assert.equal(result.code, 128);
          assert.equal(result.stderr.toString(), `Error: ${message}\n`);
        }
      }
    });

    it('is listed in help only on a terminal, like other 3.5+ additions', async () => {
      assert.doesNotMatch((await ours(['--help'])).stdout.toString(), /downgrade/);
      const help = await ours(['downgrade', '--help']);
      assert.match(help.stdout.toString(), /validate\tValidate downgrade capability before starting downgrade/);
    });
  });

  describe('--max-request-bytes and --max-recv-bytes', () => {
    for (const side of sides) {
      it(`limit what the client sends and accepts (${side.name})`, async () => {
        const ep = `--endpoints=${side.endpoint()}`;
        const sent = await ours([ep, '--max-request-bytes=10', 'put', 'k', 'a value of 30 bytes, no more!!']);
        assert.equal(sent.code, 1);
        assert.match(sent.stderr.toString(), /\nError: rpc error: code = ResourceExhausted desc = trying to send message larger than max \(35 vs\. 10\)\n$/);
        // The same put under a limit it fits in.
        await ok(ours([ep, '--max-request-bytes=35', 'put', 'k', 'a value of 30 bytes, no more!!']));
        const received = await ours([ep, '--max-recv-bytes=20', 'get', 'a']);
        assert.equal(received.code, 1);
        assert.match(received.stderr.toString(), /\nError: rpc error: code = ResourceExhausted desc = grpc: received message larger than max \(\d+ vs\. 20\)\n$/);
        assert.equal(await ok(ours([ep, '--max-recv-bytes=4096', 'get', 'a', '--print-value-only'])), '2\n');
        // ETCDCTL_MAX_REQUEST_BYTES sets it as well.
        const fromEnv = await ours([ep, 'put', 'k', 'a value of 30 bytes, no more!!'], { env: { ETCDCTL_MAX_REQUEST_BYTES: '10' } });
        assert.match(fromEnv.stderr.toString(), /trying to send message larger than max \(35 vs\. 10\)/);
        // Nothing over a limit was applied.
        assert.equal(await ok(ours([ep, 'get', 'k', '--print-value-only'])), 'a value of 30 bytes, no more!!\n');
      });
    }

    it('refuses a send limit above the receive limit, as clientv3.New does (exit 2)', async () => {
      const result = await ours([`--endpoints=${etcd.endpoint}`, '--max-recv-bytes=20', '--max-request-bytes=30', 'get', 'a']);
      assert.equal(result.code, 2);
      assert.equal(result.stderr.toString(), 'Error: gRPC message recv limit (20 bytes) must be greater than send limit (30 bytes)\n');
    });

    it('are hidden from piped help and from the --debug dump (etcdctl 3.4.23 lists neither)', async () => {
      assert.doesNotMatch((await ours(['--help'])).stdout.toString(), /max-re/);
      const debug = await ours([`--endpoints=${etcd.endpoint}`, '--debug', 'get', 'a']);
      assert.doesNotMatch(debug.stderr.toString(), /MAX_RE/);
    });
  });

  describe('member list --consistency', () => {
    for (const side of sides) {
      it(`l and s list the members as plain member list does (${side.name})`, async () => {
        const ep = `--endpoints=${side.endpoint()}`;
        const plain = await ok(ours([ep, 'member', 'list']));
        assert.equal(await ok(ours([ep, 'member', 'list', '--consistency=l'])), plain);
        assert.equal(await ok(ours([ep, 'member', 'list', '--consistency', 's'])), plain);
      });
    }
    it("plain member list still prints what etcdctl 3.4.23 prints, in every format (it now sends 3.6's linearizable)", async () => {
      for (const format of ['simple', 'json', 'table', 'fields', 'protobuf']) {
        const args = [`--endpoints=${etcd.endpoint}`, 'member', 'list', '-w', format];
        const [real, mine] = await Promise.all([etcdctl(args), ours(args)]);
        assert.equal(real.code, 0, real.stderr.toString());
        assert.deepEqual({ code: mine.code, stdout: mine.stdout, stderr: mine.stderr.toString() }, { code: 0, stdout: real.stdout, stderr: '' }, format);
      }
    });
    it('refuses another value before connecting, with etcdctl 3.6\'s text (which names get\'s default)', async () => {
      const result = await ours(['--endpoints=127.0.0.1:1', 'member', 'list', '--consistency=x']);
      assert.equal(result.code, 4);
      assert.equal(result.stderr.toString(), 'Error: unknown consistency flag "l"\n');
    });
  });

  describe('get --min/max-create/mod-rev (3.6), with our older spellings as aliases', () => {
    for (const side of sides) {
      it(`filters as the RangeRequest fields do (${side.name})`, async () => {
        const keys = async (...flags: string[]) =>
          (await ok(ours([`--endpoints=${side.endpoint()}`, 'get', 'a', 'd', '--keys-only', ...flags]))).split('\n').filter(Boolean);
        assert.deepEqual(await keys('--min-mod-rev=4'), ['a', 'c']);
        assert.deepEqual(await keys('--max-mod-rev=3'), ['b']);
        assert.deepEqual(await keys('--min-create-rev=3', '--max-create-rev=4'), ['b']);
        assert.deepEqual(await keys('--min-create-revision=3', '--max-create-rev=4'), ['b']);
        // 3.6 sends only positive values.
        assert.deepEqual(await keys('--min-mod-rev=-1', '--max-create-rev=-5'), ['a', 'b', 'c']);
      });
    }
    it('refuses a maximum below its minimum with etcdctl 3.6\'s texts (exit 4)', async () => {
      for (const [flags, message] of [
        [['--min-create-rev=5', '--max-create-rev=4'], 'getMinCreateRev(=5) > getMaxCreateRev(=4)'],
        [['--min-mod-revision=9', '--max-mod-rev=2'], 'getMinModRev(=9) > getMaxModRev(=2)'],
      ] as const) {
        const result = await ours(['--endpoints=127.0.0.1:1', 'get', 'a', ...flags]);
        assert.equal(result.code, 4);
        assert.equal(result.stderr.toString(), `Error: ${message}\n`);
      }
    });
  });
});

describe('make-mirror: --rev, --max-txn-ops, --dest-user, --dest-password', () => {
  let source: EtcdProcess;
  let dest: OurServer;
  before(async () => {
    [source, dest] = await Promise.all([startEtcd(), startOurServer()]);
    const src = `--endpoints=${source.endpoint}`;
    await ok(etcdctl([src, 'put', 'p/old', 'before']));
    await ok(etcdctl([src, 'put', 'p/kept', 'v1'])); // revision 3
    // The destination wants a user: root with password pw.
    const dst = `--endpoints=${dest.endpoint}`;
    await ok(etcdctl([dst, 'user', 'add', 'root:pw']));
    await ok(etcdctl([dst, 'auth', 'enable']));
  });
  after(async () => {
    await Promise.all([source?.stop(), dest?.stop()]);
  });

  /** Runs make-mirror until `done` holds on the destination (or 20 s pass), then stops it. */
  async function mirror(args: string[], whileRunning: () => Promise<void>, done: () => Promise<boolean>, stdin?: string) {
    const child = spawn(OUR_ETCDCTL.file, [...OUR_ETCDCTL.prefixArgs, `--endpoints=${source.endpoint}`, 'make-mirror', ...args, dest.endpoint], {
      env: cleanEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    reapOnExit(child);
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.stdin.end(stdin ?? '');
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await whileRunning();
      const deadline = Date.now() + 20_000;
      while (!(await done())) {
        assert.ok(child.exitCode === null, `make-mirror exited: ${output}`);
        assert.ok(Date.now() < deadline, `make-mirror did not finish: ${output}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      child.kill('SIGINT');
      await exited;
    }
    return output;
  }

  const destGet = async (...args: string[]) =>
    JSON.parse(await ok(ours([`--endpoints=${dest.endpoint}`, '--user=root:pw', 'get', '-w', 'json', ...args]))) as {
      kvs?: Array<{ key: string; mod_revision: number }>;
    };
  const keysOf = (r: { kvs?: Array<{ key: string }> }) => (r.kvs ?? []).map((kv) => Buffer.from(kv.key, 'base64').toString());

  it('--rev replays changes from that revision without a base copy; --dest-user name:password logs in', async () => {
    await mirror(
      ['--rev=3', '--prefix=p/', '--dest-user=root:pw'],
      async () => {},
      async () => keysOf(await destGet('p/', '--prefix')).includes('p/kept'),
    );
    // p/old (revision 2) was before --rev: not copied. The prefix stays (see the README on --rev).
    assert.deepEqual(keysOf(await destGet('', '--prefix')), ['p/kept']);
  });

  it('--max-txn-ops splits one revision\'s changes over several destination txns; --dest-password', async () => {
    const txn = '\nput p/t1 1\nput p/t2 2\nput p/t3 3\nput p/t4 4\nput p/t5 5\n\n\n';
    await mirror(
      ['--max-txn-ops=2', '--prefix=p/', '--dest-user=root', '--dest-password=pw'],
      async () => {
        // Once the base copy is on the destination (so the mirror is watching), change five keys in one revision.
        for (let i = 0; i < 100 && keysOf(await destGet('p/old')).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 200));
        await ok(runCli(REAL_ETCDCTL, { args: [`--endpoints=${source.endpoint}`, 'txn'], env: cleanEnv(), stdin: txn }));
      },
      async () => keysOf(await destGet('p/t', '--prefix')).length === 5,
    );
    const revisions = new Set((await destGet('p/t', '--prefix')).kvs!.map((kv) => kv.mod_revision));
    assert.equal(revisions.size, 3, 'five ops in txns of at most two: three destination revisions');
  });

  it('--dest-user without a password asks for it ("Destination Password: ")', async () => {
    const output = await mirror(
      ['--prefix=p/', '--dest-user=root'],
      async () => void (await ok(etcdctl([`--endpoints=${source.endpoint}`, 'put', 'p/prompted', 'v']))),
      async () => keysOf(await destGet('p/prompted')).length === 1,
      'pw\n',
    );
    assert.match(output, /^Destination Password: /);
  });

  it('without a destination user the mirror ends with the destination\'s error', async () => {
    const result = await ours([`--endpoints=${source.endpoint}`, 'make-mirror', dest.endpoint]);
    assert.equal(result.code, 1);
    assert.match(result.stderr.toString(), /Error: etcdserver: user name is empty\n$/);
  });
});
