// etcdctl vs etcdctl-ts on a live 3-member etcd cluster: member list, endpoint status/health/hashkv
// (with and without --cluster, every format), alarm list/disarm, defrag, argument errors and help.
// Both CLIs run against the same cluster, so IDs are real and equal; only timings are masked. Groups that
// change nothing run concurrently; defrag and alarm cases (which do) one at a time, after them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEtcdCluster, type EtcdCluster } from '../../helpers/etcd-cluster.js';
import { assertSame, raiseNoSpaceAlarms, render, runBoth, same, setPlaceholders, substitute } from './compare.js';

const FORMATS = ['simple', 'table', 'json', 'fields', 'protobuf'];
/**
 * For cases that change nothing a run reports (no raft entry, no size change; etcd 3.4 puts alarm requests
 * through raft, so alarm and defrag cases are not among them): both CLIs at once, several cases at a time.
 */
const READ_ONLY = { parallel: true } as const;
const CONCURRENT = { concurrency: 4 };

describe('cluster commands: etcdctl vs etcdctl-ts on a 3-member etcd cluster', { timeout: 300_000 }, () => {
  let cluster: EtcdCluster;
  const all = '{ALL}';
  const first = '{FIRST}';

  before(async () => {
    cluster = await startEtcdCluster(3);
    setPlaceholders({ ALL: `--endpoints=${cluster.endpoints}`, FIRST: `--endpoints=${cluster.members[0]!.endpoint}` });
  }, { timeout: 60_000 });
  after(async () => {
    await cluster?.stop();
  });

  describe('member list', CONCURRENT, () => {
    for (const format of FORMATS) {
      it(`-w ${format}, one endpoint`, same([first, 'member', 'list', '-w', format], READ_ONLY));
      it(`-w ${format}, all endpoints`, same([all, 'member', 'list', '-w', format], { ...READ_ONLY, maskHeaderMember: true, protobuf: format === 'protobuf' ? 'MemberListResponse' : undefined }));
    }
    it('extra arguments are ignored', same([first, 'member', 'list', 'extra'], READ_ONLY));
    it('lists three started members', async () => {
      const { stdout } = await assertSame([first, 'member', 'list'], READ_ONLY);
      assert.equal(stdout.split('\n').filter((line) => line.includes(', started, ')).length, 3);
    });
  });

  describe('endpoint status and hashkv', CONCURRENT, () => {
    for (const verb of ['status', 'hashkv']) {
      for (const format of FORMATS) {
        it(`${verb} -w ${format}`, same([all, 'endpoint', verb, '-w', format], READ_ONLY));
        it(`${verb} --cluster -w ${format}`, same([first, 'endpoint', verb, '--cluster', '-w', format], READ_ONLY));
      }
    }
    it('endpoint --cluster before the sub-command', same([first, 'endpoint', '--cluster', 'status'], READ_ONLY));
    it('hashkv --rev 1', same([all, 'endpoint', 'hashkv', '--rev', '1', '-w', 'json'], READ_ONLY));
    it('hashkv --rev in the future', same([first, 'endpoint', 'hashkv', '--rev', '1000'], READ_ONLY));
    it('status reports one leader among three', async () => {
      const { stdout } = await assertSame([all, 'endpoint', 'status', '-w', 'table'], READ_ONLY);
      assert.equal(stdout.split('\n').filter((line) => /\|\s+true\s+\|\s+false\s+\|/.test(line)).length, 1);
    });
  });

  describe('endpoint health', CONCURRENT, () => {
    for (const format of FORMATS) {
      it(`-w ${format}`, same([all, 'endpoint', 'health', '-w', format], { ...READ_ONLY, unordered: true }));
      it(`--cluster -w ${format}`, same([first, 'endpoint', 'health', '--cluster', '-w', format], { ...READ_ONLY, unordered: true }));
    }
    it('simple goes to stderr, nothing on stdout', async () => {
      const { stdout, stderr } = await assertSame([all, 'endpoint', 'health'], { ...READ_ONLY, unordered: true });
      assert.equal(stdout, '');
      assert.equal(stderr.split('\n').filter((line) => line.includes('is healthy: successfully committed proposal: took = <TOOK>')).length, 3);
    });
  });

  describe('defrag', () => {
    it('every --endpoints member', same([all, 'defrag']));
    it('--cluster', same([first, 'defrag', '--cluster']));
    it('ignores -w json', same([first, 'defrag', '-w', 'json']));
    it('unknown -w is still rejected', same([first, 'defrag', '-w', 'yaml']));
    it('--data-dir of a missing directory is an error (etcdctl would create an empty bbolt file)', async () => {
      const { ours } = await runBoth(['defrag', '--data-dir', '/nonexistent/etcdctl-ts-test']);
      assert.equal(ours.code, 1);
      assert.match(ours.stderr.toString(), /^Failed to defragment etcd data\[\/nonexistent\/etcdctl-ts-test\] \(open .*: no such file or directory\)\n$/);
    });
  });

  describe('alarm', () => {
    for (const format of ['simple', 'json', 'table', 'protobuf']) {
      it(`list, none raised, -w ${format}`, same([all, 'alarm', 'list', '-w', format]));
    }
    it('disarm with none raised', same([all, 'alarm', 'disarm']));
    it('disarm -w json with none raised', same([all, 'alarm', 'disarm', '-w', 'json']));
    it('list with an argument', same([all, 'alarm', 'list', 'x']));
    it('disarm with an argument', same([all, 'alarm', 'disarm', 'x']));

    describe('with a NOSPACE alarm raised on every member', () => {
      const raise = () => raiseNoSpaceAlarms(cluster.members[0]!.endpoint);
      before(raise);
      for (const format of ['simple', 'json', 'protobuf', 'table']) {
        // etcd lists alarms in map order, which changes from call to call.
        it(`list -w ${format}`, same([all, 'alarm', 'list', '-w', format], { unordered: true, protobuf: format === 'protobuf' ? 'AlarmResponse' : undefined }));
      }
      it('list shows three NOSPACE alarms', async () => {
        const { stdout } = await assertSame([all, 'alarm', 'list'], { unordered: true });
        assert.equal(stdout.split('\n').filter((line) => /^memberID:\d+ alarm:NOSPACE $/.test(line)).length, 3);
      });
      for (const format of ['simple', 'json']) {
        it(`disarm -w ${format} clears them`, async () => {
          await raise();
          const { etcdctl } = await runBoth([all, 'alarm', 'list']);
          assert.equal(etcdctl.code, 0);
          // Disarm separately on each side, with the alarms raised again in between.
          const { runCli, cleanEnv, REAL_ETCDCTL, OUR_ETCDCTL } = await import('../../helpers/run-cli.js');
          const args = [all, 'alarm', 'disarm', '-w', format].map(substitute);
          const reference = await runCli(REAL_ETCDCTL, { args, env: cleanEnv() });
          await raise();
          const ours = await runCli(OUR_ETCDCTL, { args, env: cleanEnv() });
          assert.deepEqual(render(ours, { unordered: true }), render(reference, { unordered: true }));
          assert.match(reference.stdout.toString(), /NOSPACE|"alarm":1/);
          const listed = await assertSame([all, "alarm", "list"]);
          assert.equal(listed.stdout, '');
        });
      }
      for (const verb of ['list', 'disarm']) {
        it(`etcdctl panics on ${verb} -w fields (no header); etcdctl-ts says the format is unsupported`, async () => {
          await raise();
          const { etcdctl, ours } = await runBoth([all, 'alarm', verb, '-w', 'fields']);
          assert.equal(etcdctl.code, 2);
          assert.match(etcdctl.stderr.toString(), /^panic: runtime error/);
          assert.equal(ours.code, 4);
          assert.equal(ours.stderr.toString(), 'Error: fields not supported as output format\n');
        });
      }
      it('none left after the last disarm', async () => {
        await assertSame([all, 'alarm', 'disarm'], { unordered: true });
        const { stdout } = await assertSame([all, 'alarm', 'list']);
        assert.equal(stdout, '');
      });
    });
  });

  describe('argument errors (checked before dialing)', CONCURRENT, () => {
    const cases: string[][] = [
      ['member', 'add'],
      ['member', 'add', 'a', 'b'],
      ['member', 'add', 'a', 'http://x:1', 'HTTPS://y:2'],
      ['member', 'add', 'a'],
      ['member', 'remove'],
      ['member', 'remove', 'a', 'b'],
      ['member', 'remove', 'zz'],
      ['member', 'remove', '-1'],
      ['member', 'remove', '10000000000000000'],
      ['member', 'update', '1'],
      ['member', 'update'],
      ['member', 'update', 'xyz', '--peer-urls=http://a:1'],
      ['member', 'promote'],
      ['member', 'promote', 'q'],
      ['move-leader'],
      ['move-leader', 'a', 'b'],
      ['move-leader', 'zz'],
      ['move-leader', '10000000000000000'],
      ['alarm', 'list', 'x', '-w', 'yaml'],
      ['snapshot', 'save'],
      ['snapshot', 'save', 'a', 'b'],
      ['snapshot', 'status'],
      ['snapshot', 'restore'],
      ['make-mirror'],
      ['make-mirror', 'a', 'b'],
      ['check', 'perf', '--load', 'huge'],
      ['check', 'datascale', '--load', 'tiny'],
      ['member', 'bogus'],
      ['endpoint', 'bogus'],
    ];
    for (const args of cases) it(args.join(' '), same(['--endpoints=127.0.0.1:1', ...args], READ_ONLY));
  });

  describe('help', CONCURRENT, () => {
    const topics = [
      ['member'],
      ['member', 'add'],
      ['member', 'list'],
      ['member', 'promote'],
      ['member', 'update'],
      ['endpoint'],
      ['defrag'],
      ['alarm'],
      ['alarm', 'disarm'],
      ['move-leader'],
      ['snapshot'],
      ['snapshot', 'save'],
      ['snapshot', 'restore'],
      ['snapshot', 'status'],
      ['make-mirror'],
      ['check'],
      ['check', 'perf'],
      ['check', 'datascale'],
    ];
    for (const topic of topics) it(`${topic.join(' ')} --help`, same([...topic, '--help'], READ_ONLY));
    // `endpoint`'s persistent --cluster is listed under GLOBAL OPTIONS of each sub-command, as etcdctl does.
    for (const verb of ['status', 'health', 'hashkv']) {
      it(`endpoint ${verb} --help`, async () => {
        const { stdout } = await assertSame(['endpoint', verb, '--help'], READ_ONLY);
        assert.match(stdout, /GLOBAL OPTIONS:\n(.*\n)*      --cluster\[=false\]\s+use all endpoints from the cluster member list\n/);
        assert.doesNotMatch(stdout.slice(0, stdout.indexOf('GLOBAL OPTIONS:')), /--cluster/);
      });
    }
  });
});
