// Membership changes, leadership transfer and failover on a live 3-member etcd cluster, compared
// between etcdctl and etcdctl-ts. Each side makes its own change (a member it adds gets its own ID,
// masked as <NEW>), and the cluster is put back between the two runs. One cluster serves the whole
// file: cases that need no membership change run first, while etcd's 5 s reconfiguration guard runs
// out; the leader is killed last, and the read-only checks of the crippled cluster run concurrently.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEtcdCluster, type EtcdCluster } from '../../helpers/etcd-cluster.js';
import { freePort } from '../../helpers/etcd-process.js';
import { cleanEnv, OUR_ETCDCTL, REAL_ETCDCTL, runCli, type CliCommand, type CliResult } from '../../helpers/run-cli.js';
import { assertSame, render, same, setPlaceholders, substitute, type CompareOptions, type Rendered } from './compare.js';

let cluster: EtcdCluster;
/** When every member was serving, so connected to its peers. */
let clusterUpAt = 0;

const ALL = '{ALL}';
/** etcd's HealthInterval: it refuses member adds until every voting member has been connected this long. */
const RECONFIG_GUARD_MS = 5_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function etcdctl(...args: string[]): Promise<string> {
  const result = await runCli(REAL_ETCDCTL, { args: [`--endpoints=${cluster.endpoints}`, ...args], env: cleanEnv(), timeoutMs: 15_000 });
  if (result.code !== 0) throw new Error(`etcdctl ${args.join(' ')} failed: ${result.stderr.toString()}`);
  return result.stdout.toString();
}

interface Member {
  id: string;
  name: string;
  peerURLs: string[];
  clientURLs: string[];
  isLearner: boolean;
}

/** The member list with IDs as exact decimal strings (they exceed 2^53). */
async function members(): Promise<Member[]> {
  const json = (await etcdctl('member', 'list', '-w', 'json')).replace(/"ID":(\d+)/g, '"ID":"$1"');
  const parsed = JSON.parse(json) as { members: (Omit<Member, 'id'> & { ID: string })[] };
  return parsed.members.map((m) => ({ ...m, id: m.ID, name: m.name ?? '', peerURLs: m.peerURLs ?? [], clientURLs: m.clientURLs ?? [], isLearner: Boolean(m.isLearner) }));
}

/** Waits out etcd's guard against reconfiguring a cluster whose members have just connected. */
async function reconfigurable(): Promise<void> {
  const wait = clusterUpAt + RECONFIG_GUARD_MS + 500 - Date.now();
  if (wait > 0) await sleep(wait);
}

/**
 * Waits until every running member has applied the last membership change. etcd 3.4 answers member list
 * from the member's own state, so the lists agree once they all have; a member that lags would refuse the
 * next add ("unhealthy cluster": it still counts the removed, never-connected member).
 */
async function settle(): Promise<void> {
  const idsOn = async (endpoint: string) => {
    const result = await runCli(REAL_ETCDCTL, { args: [`--endpoints=${endpoint}`, 'member', 'list'], env: cleanEnv(), timeoutMs: 10_000 });
    return result.stdout.toString().split('\n').map((line) => line.split(',')[0]).sort().join(' ');
  };
  const running = cluster.members.filter((m) => m.running);
  for (let attempt = 0; attempt < 100; attempt++) {
    const views = await Promise.all(running.map((m) => idsOn(m.endpoint)));
    if (views.every((view) => view === views[0])) return;
    await sleep(100);
  }
  throw new Error('the members do not agree on the member list');
}

/**
 * etcd derives a new member's ID from its peer URLs and the Unix second of the add, and refuses an ID it
 * has removed ("member not found"): the same URL can be added again only in a later second.
 */
async function nextSecond(): Promise<void> {
  await sleep(1000 - (Date.now() % 1000) + 20);
}

async function removeByPeerUrl(url: string): Promise<void> {
  for (const member of await members()) {
    if (member.peerURLs.includes(url)) await etcdctl('member', 'remove', BigInt(member.id).toString(16));
  }
}

async function leaderAndFollowers(endpoints = cluster.endpoints): Promise<{ leader: string; followers: string[] }> {
  const result = await runCli(REAL_ETCDCTL, { args: [`--endpoints=${endpoints}`, 'endpoint', 'status', '-w', 'json'], env: cleanEnv(), timeoutMs: 15_000 });
  const text = result.stdout.toString().replace(/"(member_id|leader)":(\d+)/g, '"$1":"$2"');
  const list = JSON.parse(text || '[]') as { Status: { header: { member_id: string }; leader: string } }[];
  const leader = list[0]?.Status.leader ?? '0';
  const ids = list.map((s) => s.Status.header.member_id);
  return { leader: BigInt(leader).toString(16), followers: ids.filter((id) => id !== leader).map((id) => BigInt(id).toString(16)) };
}

/**
 * Masks a member ID the run itself created, in every form etcdctl prints it, and ID-ordered listings. The
 * ID is found in the simple output (`Member <hex> added`), in json or in `-w protobuf` output decoded by
 * render() (`"member":{"ID":"<decimal>"`), or, for errors, from what the run acted on.
 */
function maskNewMember(text: string, result: CliResult): string {
  const all = `${result.stdout.toString('latin1')}\n${text}`;
  const hex = /Member +([0-9a-f]+) (?:added|removed|updated|promoted)/.exec(all)?.[1] ?? newIds.get(result);
  const decimal = /"member":\{"ID":"?(\d+)/.exec(all)?.[1] ?? (hex ? BigInt(`0x${hex}`).toString() : undefined);
  let out = text;
  if (decimal) out = out.split(decimal).join('<NEW>');
  if (hex) out = out.replace(new RegExp(`Member +${hex} `, 'g'), 'Member <NEW> ').split(hex).join('<NEW>');
  // Both the member list in json and ETCD_INITIAL_CLUSTER come in ID order, which the new ID changes.
  out = out.replace(/ETCD_INITIAL_CLUSTER="([^"]*)"/, (_, list: string) => `ETCD_INITIAL_CLUSTER="${list.split(',').sort().join(',')}"`);
  out = out.replace(/"members":\[(.*)\]\}/, (_, items: string) => `"members":[${items.split('},{').map((i) => i.replace(/^\{|\}$/g, '')).sort().join('|')}]}`);
  return out;
}
/** The ID a side's command acted on, when its output does not show it (errors). */
const newIds = new WeakMap<CliResult, string>();

async function runSide(cli: CliCommand, args: string[]): Promise<CliResult> {
  return runCli(cli, { args: args.map(substitute), env: cleanEnv(), timeoutMs: 20_000 });
}

/**
 * Runs `prepare` then the command on each side in turn, and `undo` after each; compares the masked
 * results. `prepare` returns values for `{NEW}` in the arguments (e.g. the ID of a member it added).
 */
async function compareSides(
  args: string[],
  steps: { prepare?: () => Promise<string | undefined>; undo?: (newId: string | undefined) => Promise<void> },
  options: CompareOptions = {},
): Promise<{ reference: CliResult; ours: CliResult; rendered: Rendered }> {
  const results: CliResult[] = [];
  for (const cli of [REAL_ETCDCTL, OUR_ETCDCTL]) {
    const newId = await steps.prepare?.();
    const result = await runSide(cli, args.map((arg) => (newId ? arg.replace('{NEW}', newId) : arg)));
    if (newId) newIds.set(result, newId);
    await steps.undo?.(newId);
    if (steps.undo) {
      // The other side's run must find the cluster as this one did.
      await settle();
      await nextSecond();
    }
    results.push(result);
  }
  const [reference, ours] = results as [CliResult, CliResult];
  const opts = { maskHeaderMember: true, ...options, masks: maskNewMember };
  const rendered = render(reference, opts);
  assert.deepEqual(render(ours, opts), rendered, `etcdctl-ts differs from etcdctl for: etcdctl ${args.join(' ')}`);
  return { reference, ours, rendered };
}

async function addMember(peerUrl: string, learner = false, name = 'extra'): Promise<{ id: string; initialCluster: string }> {
  let out = '';
  await reconfigurable();
  // A safety net: etcd refuses new members ("unhealthy cluster") while any voting member is not connected.
  for (let attempt = 0; ; attempt++) {
    try {
      out = await etcdctl('member', 'add', name, `--peer-urls=${peerUrl}`, ...(learner ? ['--learner'] : []));
      break;
    } catch (error) {
      if (attempt >= 20 || !/unhealthy cluster/.test(String(error))) throw error;
      await sleep(500);
    }
  }
  const id = /Member +([0-9a-f]+) added/.exec(out)![1]!;
  const initialCluster = /ETCD_INITIAL_CLUSTER="([^"]*)"/.exec(out)![1]!;
  return { id, initialCluster };
}

describe('membership, leadership and failover: etcdctl vs etcdctl-ts on a 3-member etcd cluster', { timeout: 600_000 }, () => {
  before(async () => {
    cluster = await startEtcdCluster(3);
    clusterUpAt = Date.now();
    setPlaceholders({ ALL: `--endpoints=${cluster.endpoints}` });
  }, { timeout: 60_000 });
  after(async () => {
    await cluster?.stop();
  });

  // No membership change: these run while etcd's reconfiguration guard runs out.
  describe('refused changes', () => {
    for (const bad of ['127.0.0.1:1999', 'ftp://127.0.0.1:1999', 'http://127.0.0.1', 'http://127.0.0.1:1999/path', 'localhost', 'http://127.0.0.1:abc']) {
      it(`add with a malformed peer URL: ${bad}`, same([ALL, 'member', 'add', 'bad', `--peer-urls=${bad}`]));
    }
    it('update with a malformed peer URL', same([ALL, 'member', 'update', '1', '--peer-urls=http://x']));
    it('update an unknown member', same([ALL, 'member', 'update', 'abcdef', '--peer-urls=http://127.0.0.1:1995']));
    it('remove an unknown member', same([ALL, 'member', 'remove', 'abcdef']));
    it('promote a voting member', async () => {
      const voter = (await members())[0]!.id;
      await assertSame([ALL, 'member', 'promote', BigInt(voter).toString(16)]);
    });
  });

  describe('move-leader', () => {
    it('from the leader to a follower, and back', async () => {
      const { leader, followers } = await leaderAndFollowers();
      const target = followers[0]!;
      const reference = await runSide(REAL_ETCDCTL, [ALL, 'move-leader', target]);
      await etcdctl('move-leader', leader);
      assert.equal((await leaderAndFollowers()).leader, leader);
      const ours = await runSide(OUR_ETCDCTL, [ALL, 'move-leader', target]);
      assert.deepEqual(render(ours), render(reference));
      assert.equal(reference.stdout.toString(), `Leadership transferred from ${leader} to ${target}\n`);
      assert.equal((await leaderAndFollowers()).leader, target);
    });
    it('-w json', async () => {
      await sleep(1000);
      const { leader, followers } = await leaderAndFollowers();
      const reference = await runSide(REAL_ETCDCTL, [ALL, 'move-leader', followers[0]!, '-w', 'json']);
      await etcdctl('move-leader', leader);
      const ours = await runSide(OUR_ETCDCTL, [ALL, 'move-leader', followers[0]!, '-w', 'json']);
      assert.deepEqual(render(ours), render(reference));
    });
    it('only a follower endpoint given', async () => {
      const { followers } = await leaderAndFollowers();
      const follower = (await members()).find((m) => BigInt(m.id).toString(16) === followers[0])!;
      const endpoint = follower.clientURLs[0]!.replace('http://', '');
      await assertSame([`--endpoints=${endpoint}`, 'move-leader', followers[1]!]);
    });
    it('to an unknown member', async () => {
      await assertSame([ALL, 'move-leader', 'abcdef']);
    });
  });

  describe('member add', () => {
    const url = 'http://127.0.0.1:1999';
    before(reconfigurable);
    it('simple, with the join settings for its own name', async () => {
      const { ours } = await compareSides([ALL, 'member', 'add', 'newbie', `--peer-urls=${url}`], { undo: () => removeByPeerUrl(url) });
      const text = ours.stdout.toString();
      assert.match(text, /^Member +[0-9a-f]+ added to cluster +[0-9a-f]+\n\nETCD_NAME="newbie"\n/);
      assert.match(text, /^ETCD_INITIAL_CLUSTER=".*newbie=http:\/\/127\.0\.0\.1:1999.*"$/m);
      assert.equal((/ETCD_INITIAL_CLUSTER="([^"]*)"/.exec(text)![1]!.split(',')).length, 4);
      assert.match(text, /^ETCD_INITIAL_ADVERTISE_PEER_URLS="http:\/\/127\.0\.0\.1:1999"\nETCD_INITIAL_CLUSTER_STATE="existing"\n$/m);
    });
    it('-w protobuf: the decoded response, the new member masked', async () => {
      const { rendered } = await compareSides(
        [ALL, 'member', 'add', 'newbie', `--peer-urls=${url}`, '-w', 'protobuf'],
        { undo: () => removeByPeerUrl(url) },
        { protobuf: 'MemberAddResponse' },
      );
      // Decoded and re-encoded byte for byte (else mask.ts says <non-canonical …>), with the new ID masked.
      assert.match(rendered.stdout, /^MemberAddResponse \{"header":\{"cluster_id":"\d+","member_id":<MEMBER>,"raft_term":"\d+"\},"member":\{"ID":"<NEW>","peerURLs":\["http:\/\/127\.0\.0\.1:1999"\]\},"members":\[/);
      assert.equal(rendered.stdout.match(/"ID":/g)?.length, 5, 'the member and the four members');
    });
    for (const [label, extra] of [
      ['--learner', ['--learner']],
      ['-w json', ['-w', 'json']],
      ['-w fields (added, then unsupported)', ['-w', 'fields']],
      ['-w table (added, then unsupported)', ['-w', 'table']],
      ['two peer URLs', ['--peer-urls=http://127.0.0.1:1999,http://127.0.0.1:1998']],
    ] as [string, string[]][]) {
      it(label, async () => {
        await compareSides([ALL, 'member', 'add', 'newbie', `--peer-urls=${url}`, ...extra], { undo: () => removeByPeerUrl(url) });
      });
    }
    it('an existing peer URL', async () => {
      const peer = cluster.members[1]!.peerUrl;
      const { stderr, code } = await assertSame([ALL, 'member', 'add', 'dup', `--peer-urls=${peer}`]);
      assert.equal(code, 1);
      assert.match(stderr, /^Error: etcdserver: Peer URLs already exists$/m);
    });
  });

  describe('member update', () => {
    const url = 'http://127.0.0.1:1997';
    let unstarted = '';
    // An unstarted member (even a learner) makes etcd refuse further adds, so it goes away afterwards.
    before(async () => {
      unstarted = (await addMember(url, true)).id;
    });
    after(async () => {
      await removeByPeerUrl('http://127.0.0.1:1996');
      await settle();
    });
    for (const format of ['simple', 'json', 'protobuf', 'fields']) {
      it(`update -w ${format}`, async () => {
        await assertSame([ALL, 'member', 'update', unstarted, '--peer-urls=http://127.0.0.1:1996', '-w', format], {
          maskHeaderMember: true,
          protobuf: format === 'protobuf' ? 'MemberUpdateResponse' : undefined,
        });
      });
    }
  });

  describe('member remove and promote', () => {
    it('promote an unstarted learner', async () => {
      await compareSides([ALL, 'member', 'promote', '{NEW}'], {
        prepare: async () => (await addMember('http://127.0.0.1:1994', true)).id,
        undo: () => removeByPeerUrl('http://127.0.0.1:1994'),
      });
    });
    for (const format of ['simple', 'json']) {
      it(`remove -w ${format}`, async () => {
        await compareSides([ALL, 'member', 'remove', '{NEW}', '-w', format], {
          prepare: async () => (await addMember('http://127.0.0.1:1993', true)).id,
          undo: () => removeByPeerUrl('http://127.0.0.1:1993'),
        });
      });
    }
    it('promote a learner that has caught up', { timeout: 120_000 }, async () => {
      await compareSides([ALL, 'member', 'promote', '{NEW}'], {
        prepare: async () => {
          const peerPort = await freePort();
          const name = `learner${peerPort}`;
          const { id, initialCluster } = await addMember(`http://127.0.0.1:${peerPort}`, true, name);
          const learner = await cluster.startJoining({ name, peerPort, initialCluster });
          await waitCaughtUp(learner.endpoint);
          learnerStops.push(() => learner.kill());
          return id;
        },
        undo: async (id) => {
          await etcdctl('member', 'remove', id!).catch(() => undefined);
          await learnerStops.pop()?.();
        },
      });
    });
  });

  describe('failover: the leader killed, all three endpoints given', () => {
    before(async () => {
      const { leader } = await leaderAndFollowers();
      const list = await members();
      const victim = cluster.members.find((m) => list.some((x) => BigInt(x.id).toString(16) === leader && x.name === m.name))!;
      await victim.kill();
      setPlaceholders({ DEAD: victim.endpoint });
      // Wait for the survivors to elect a new leader.
      const alive = cluster.members.filter((m) => m.running).map((m) => m.endpoint).join(',');
      for (let i = 0; i < 100; i++) {
        const { leader: now } = await leaderAndFollowers(alive).catch(() => ({ leader: '0' }));
        if (now !== '0' && now !== leader) return;
        await sleep(200);
      }
      throw new Error('no new leader after killing the old one');
    }, { timeout: 60_000 });

    // Whatever changes the raft log or the database goes first, one at a time: the read-only checks below
    // report raft indexes and sizes. (etcd 3.4 puts even an alarm list through raft.)
    describe('writes', () => {
      it('put through all endpoints', same([ALL, 'put', 'failover-key', 'v']));
      it('get through all endpoints', same([ALL, 'get', 'failover-key']));
      it('alarm list', same([ALL, 'alarm', 'list']));
      it('defrag', async () => {
        const { stdout, stderr, code } = await assertSame([ALL, '--command-timeout=2s', 'defrag'], { timeoutMs: 30_000 });
        assert.equal(code, 1);
        assert.equal(stdout.split('\n').filter((line) => line.startsWith('Finished defragmenting etcd member[')).length, 2);
        assert.match(stderr, deadMemberLine('Failed to defragment etcd member\\[{DEAD}\\] \\(context deadline exceeded\\)'));
      });
    });

    // Read-only, so each case runs both CLIs at once and several cases overlap: most of the time is spent
    // waiting for the dead member's deadline.
    const parallel = { parallel: true, timeoutMs: 30_000 };
    describe('reads', { concurrency: 4 }, () => {
      it('member list', same([ALL, 'member', 'list'], { ...parallel, maskHeaderMember: true }));
      it('member list -w table', same([ALL, 'member', 'list', '-w', 'table'], parallel));
      for (const format of ['simple', 'json', 'table', 'fields']) {
        it(`endpoint status -w ${format} reports the dead member`, async () => {
          const { stdout, stderr, code } = await assertSame([ALL, '--command-timeout=2s', 'endpoint', 'status', '-w', format], parallel);
          assert.equal(code, 1);
          assert.match(stderr, deadMemberLine('Failed to get the status of endpoint {DEAD} \\(context deadline exceeded\\)'));
          assert.match(stderr, refusedDialWarning());
          assert.doesNotMatch(stdout, new RegExp(substitute('{DEAD}').replace(/\./g, '\\.')));
        });
        it(`endpoint health -w ${format} reports the dead member`, same([ALL, '--command-timeout=2s', 'endpoint', 'health', '-w', format], { ...parallel, unordered: true }));
      }
      it('endpoint status with the default 5s timeout', same([ALL, 'endpoint', 'status'], parallel));
      it('endpoint status --cluster', same([ALL, '--command-timeout=2s', 'endpoint', 'status', '--cluster'], parallel));
      it('endpoint health --cluster', same([ALL, '--command-timeout=2s', 'endpoint', 'health', '--cluster'], { ...parallel, unordered: true }));
      it('endpoint hashkv', async () => {
        const { stdout, stderr, code } = await assertSame([ALL, '--command-timeout=2s', 'endpoint', 'hashkv'], parallel);
        assert.equal(code, 1);
        assert.equal(stdout.split('\n').filter((line) => /^127\.0\.0\.1:\d+, \d+$/.test(line)).length, 2);
        assert.match(stderr, deadMemberLine('Failed to get the hash of endpoint {DEAD} \\(context deadline exceeded\\)'));
        assert.match(stderr, /^Error: context deadline exceeded$/m);
      });
      it('health says which member is down', async () => {
        const { stderr, code } = await assertSame([ALL, '--command-timeout=2s', 'endpoint', 'health'], { ...parallel, unordered: true });
        assert.equal(code, 1);
        assert.match(stderr, deadMemberLine('{DEAD} is unhealthy: failed to commit proposal: context deadline exceeded'));
        assert.match(stderr, /^Error: unhealthy cluster$/m);
      });
    });
  });
});

/** A whole stderr line about the dead member; `{DEAD}` is its endpoint, the rest a regular expression. */
function deadMemberLine(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace('{DEAD}', substitute('{DEAD}').replace(/\./g, '\\.'))}$`, 'm');
}

/** The retry warning of a per-endpoint call to the dead member, with grpc-go's dial error (its `\"` rendered as `\\"`). */
function refusedDialWarning(): RegExp {
  const dead = substitute('{DEAD}').replace(/\./g, '\\.');
  return new RegExp(
    `^\\{"level":"warn","ts":"<TS>","caller":"clientv3/retry_interceptor\\.go:62","msg":"retrying of unary invoker failed","target":"passthrough:///${dead}","attempt":0,"error":"rpc error: code = DeadlineExceeded desc = latest balancer error: connection error: desc = \\\\\\\\"transport: Error while dialing dial tcp ${dead}: connect: connection refused\\\\\\\\""\\}$`,
    'm',
  );
}

const learnerStops: (() => Promise<void>)[] = [];


/** A learner can be promoted once its log matches the leader's. */
async function waitCaughtUp(endpoint: string): Promise<void> {
  const index = async (endpoints: string) => {
    const result = await runCli(REAL_ETCDCTL, { args: [`--endpoints=${endpoints}`, 'endpoint', 'status', '-w', 'json'], env: cleanEnv(), timeoutMs: 10_000 });
    return [...result.stdout.toString().matchAll(/"raftAppliedIndex":(\d+)/g)].map((m) => Number(m[1]));
  };
  for (let i = 0; i < 100; i++) {
    const [mine] = await index(endpoint);
    const others = await index(cluster.endpoints);
    if (mine !== undefined && others.length > 0 && mine >= Math.max(...others)) return;
    await sleep(200);
  }
  throw new Error(`learner at ${endpoint} did not catch up`);
}
