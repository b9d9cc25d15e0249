// Long-running commands compared live with the real etcdctl: interactive watch, keep-alive, and lock/elect,
// where ours and etcdctl must exclude each other on the same name (the same clientv3/concurrency keys).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEtcd, type EtcdProcess } from '../../helpers/etcd-process.js';
import { OUR_ETCDCTL, REAL_ETCDCTL, type CliCommand } from '../../helpers/run-cli.js';
import { etcdctl, sleep, startLive } from './live.js';

const CLIS: [string, CliCommand][] = [
  ['etcdctl', REAL_ETCDCTL],
  ['ours', OUR_ETCDCTL],
];

let etcd: EtcdProcess;
before(async () => {
  etcd = await startEtcd();
});
after(async () => {
  await etcd?.stop();
});

// lease IDs print as %x: 16 hex digits, or fewer when the top ones are zero (IDs derive from member IDs)
const maskLeases = (text: string) => text.replace(/\b[0-9a-f]{12,16}\b/g, '<LEASE>');

describe('watch -i', () => {
  it('watch and progress lines, errors, EOF: same output as etcdctl', { timeout: 60_000 }, async () => {
    const ep = `--endpoints=${etcd.endpoint}`;
    await etcdctl(etcd.endpoint, 'put', 'i/a', '1');
    await etcdctl(etcd.endpoint, 'put', 'i/b', '2');
    const rev = /"revision":(\d+)/.exec(await etcdctl(etcd.endpoint, 'get', 'x', '-w', 'json'))![1]!;
    const outputs: string[] = [];
    for (const [, cli] of CLIS) {
      const live = startLive(cli, [ep, 'watch', '-i']);
      live.write('\n');
      live.write('bogus line\n');
      live.write('watch\n');
      live.write('watch a --prefix b\n');
      live.write(`watch i/ --prefix --rev ${Number(rev) - 1} --prev-kv\n`);
      await live.waitFor(/i\/b\n2\n/, 20_000);
      // Double quotes: etcdctl cuts single-quoted words at the word count (see argify).
      live.write(`watch i/a --rev ${Number(rev) - 1} -- sh -c "echo exec $ETCD_WATCH_KEY"\n`);
      await live.waitFor(/exec "i\/a"\n/, 20_000);
      live.write('progress\n');
      await live.waitFor(/(progress notify: \d+\n[^]*){2}/, 20_000);
      live.endInput();
      const { code } = await live.finish(10_000);
      outputs.push(`exit ${code}\n--- stdout\n${live.stdout()}--- stderr\n${live.stderr()}`);
    }
    assert.equal(outputs[1], outputs[0]);
  });

  it('a bad flag on a line is fatal (exit 128), as in etcdctl', { timeout: 30_000 }, async () => {
    const outputs: string[] = [];
    for (const [, cli] of CLIS) {
      const live = startLive(cli, [`--endpoints=${etcd.endpoint}`, 'watch', '-i']);
      live.write('watch a --rev abc\n');
      const { code } = await live.finish(10_000);
      outputs.push(`exit ${code}\n${live.stdout()}--- stderr\n${live.stderr()}`);
    }
    assert.equal(outputs[1], outputs[0]);
  });
});

describe('lease keep-alive', () => {
  it('renews until the lease is revoked, then says so and exits 0, like etcdctl', { timeout: 60_000 }, async () => {
    const outputs: string[] = [];
    for (const [, cli] of CLIS) {
      const id = /lease ([0-9a-f]{1,16})/.exec(await etcdctl(etcd.endpoint, 'lease', 'grant', '6'))![1]!;
      const live = startLive(cli, [`--endpoints=${etcd.endpoint}`, 'lease', 'keep-alive', id]);
      // TTL 6: a renewal every 2 s; wait for two of them.
      await live.waitFor(/(keepalived with TTL\(6\)\n[^]*){2}/, 20_000);
      await etcdctl(etcd.endpoint, 'lease', 'revoke', id);
      const { code } = await live.finish(15_000);
      const lines = [...new Set(live.stdout().split('\n'))].join('\n');
      outputs.push(`exit ${code}\n${maskLeases(lines)}--- stderr\n${live.stderr()}`);
    }
    assert.equal(outputs[1], outputs[0]);
    assert.match(outputs[1]!, /^exit 0\nlease <LEASE> keepalived with TTL\(6\)\nlease <LEASE> expired or revoked\.\n/);
  });

  it('-w json prints each renewal and no closing line', { timeout: 60_000 }, async () => {
    const outputs: string[] = [];
    for (const [, cli] of CLIS) {
      const id = /lease ([0-9a-f]{1,16})/.exec(await etcdctl(etcd.endpoint, 'lease', 'grant', '6'))![1]!;
      const live = startLive(cli, [`--endpoints=${etcd.endpoint}`, 'lease', 'keep-alive', id, '-w', 'json']);
      await live.waitFor(/"TTL":6\}\n/, 20_000);
      await etcdctl(etcd.endpoint, 'lease', 'revoke', id);
      const { code } = await live.finish(15_000);
      const first = live.stdout().split('\n')[0]!.replace(/"(cluster_id|member_id|revision|raft_term|ID)":\d+/g, '"$1":N');
      outputs.push(`exit ${code} ${first} ${live.stdout().includes('expired') ? 'closing line' : ''}`);
    }
    assert.equal(outputs[1], outputs[0]);
  });
});

/** `a` holds the lock (or leads); `b` must wait until `a` lets go, then get it. */
async function exclusion(verb: 'lock' | 'elect', name: string, a: CliCommand, b: CliCommand): Promise<void> {
  const ep = `--endpoints=${etcd.endpoint}`;
  const extra = verb === 'elect' ? ['first'] : [];
  const holder = startLive(a, [ep, verb, name, ...extra]);
  try {
    await holder.waitFor(new RegExp(`^${name}/[0-9a-f]+\\n${verb === 'elect' ? 'first' : ''}\\n$`), 20_000);
    const waiter = startLive(b, [ep, verb, name, ...(verb === 'elect' ? ['second'] : [])]);
    try {
      // Long enough for the waiter to have queued its key behind the holder's.
      for (let i = 0; i < 50 && (await etcdctl(etcd.endpoint, 'get', `${name}/`, '--prefix', '--keys-only')).split('\n').filter(Boolean).length < 2; i++) await sleep(200);
      await sleep(500);
      assert.equal(waiter.stdout(), '', `${verb}: the waiter must not get ${name} while it is held`);
      holder.signal('SIGINT');
      const held = await holder.finish(10_000);
      assert.equal(held.code, 0, `${verb}: SIGINT releases and exits 0 (${holder.stderr()})`);
      await waiter.waitFor(new RegExp(`^${name}/[0-9a-f]+\\n${verb === 'elect' ? 'second' : ''}\\n$`), 20_000);
      assert.notEqual(maskLeases(waiter.stdout()), '', 'the waiter got it');
      assert.notEqual(waiter.stdout(), holder.stdout(), 'a different session key');
      waiter.signal('SIGINT');
      assert.equal((await waiter.finish(10_000)).code, 0);
      // Released: nothing is left under the name.
      assert.equal(await etcdctl(etcd.endpoint, 'get', `${name}/`, '--prefix', '--keys-only'), '');
    } finally {
      waiter.signal('SIGKILL');
    }
  } finally {
    holder.signal('SIGKILL');
  }
}

for (const verb of ['lock', 'elect'] as const) {
  describe(`${verb} interoperates with etcdctl`, () => {
    it(`ours holds, etcdctl waits`, { timeout: 60_000 }, () => exclusion(verb, `${verb}-a`, OUR_ETCDCTL, REAL_ETCDCTL));
    it(`etcdctl holds, ours waits`, { timeout: 60_000 }, () => exclusion(verb, `${verb}-b`, REAL_ETCDCTL, OUR_ETCDCTL));
    it(`ours against ours`, { timeout: 60_000 }, () => exclusion(verb, `${verb}-c`, OUR_ETCDCTL, OUR_ETCDCTL));
  });
}

describe('lock with a command and elect -l', () => {
  it('lock runs the command with ETCD_LOCK_KEY/ETCD_LOCK_REV, then releases (same as etcdctl)', { timeout: 60_000 }, async () => {
    const outputs: string[] = [];
    for (const [, cli] of CLIS) {
      const live = startLive(cli, [`--endpoints=${etcd.endpoint}`, 'lock', 'cmdlock', '--', 'sh', '-c', 'echo "$ETCD_LOCK_KEY" "${ETCD_LOCK_REV:+rev}"; exit 0']);
      const { code } = await live.finish(20_000);
      outputs.push(`exit ${code}\n${maskLeases(live.stdout())}--- stderr\n${live.stderr()}`);
    }
    assert.equal(outputs[1], outputs[0]);
    assert.equal(outputs[1], 'exit 0\ncmdlock/<LEASE> rev\n--- stderr\n');
  });

  it('a failing command: etcdctl 3.4 reports `exit status N`, exit 1', { timeout: 60_000 }, async () => {
    const outputs: string[] = [];
    for (const [, cli] of CLIS) {
      const live = startLive(cli, [`--endpoints=${etcd.endpoint}`, 'lock', 'cmdlock2', '--', 'sh', '-c', 'exit 3']);
      const { code } = await live.finish(20_000);
      outputs.push(`exit ${code}\n${live.stdout()}--- stderr\n${live.stderr()}`);
    }
    assert.equal(outputs[1], outputs[0]);
  });

  it('elect -l shows each leader in turn (ours observing etcdctl campaigns, and etcdctl observing ours)', { timeout: 60_000 }, async () => {
    const ep = `--endpoints=${etcd.endpoint}`;
    const observers = CLIS.map(([, cli]) => startLive(cli, [ep, 'elect', '-l', 'obs']));
    try {
      await sleep(3_000);
      const first = startLive(REAL_ETCDCTL, [ep, 'elect', 'obs', 'p1']);
      await first.waitFor(/p1\n$/, 20_000);
      const second = startLive(OUR_ETCDCTL, [ep, 'elect', 'obs', 'p2']);
      await sleep(1_000);
      first.signal('SIGINT');
      await first.finish(10_000);
      await second.waitFor(/p2\n$/, 20_000);
      for (const observer of observers) await observer.waitFor(/p1\n[^]*p2\n$/, 20_000);
      second.signal('SIGINT');
      await second.finish(10_000);
      for (const observer of observers) observer.signal('SIGINT');
      const results = await Promise.all(observers.map((o) => o.finish(10_000)));
      assert.deepEqual(results.map((r) => r.code), [0, 0]);
      assert.equal(maskLeases(observers[1]!.stdout()), maskLeases(observers[0]!.stdout()));
      assert.equal(maskLeases(observers[1]!.stdout()), 'obs/<LEASE>\np1\nobs/<LEASE>\np2\n');
    } finally {
      for (const observer of observers) observer.signal('SIGKILL');
    }
  });
});
