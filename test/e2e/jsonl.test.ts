// `-w jsonl` (our extension): every line is one JSON object that jq reads without losing a digit of a 64-bit ID
// or revision, checked against what etcdctl itself prints for the same server; commands without jsonl fail
// exactly as etcdctl does for an unknown format. Runs against real etcd and against our server.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { startEtcd } from '../helpers/etcd-process.js';
import { startOurServer } from '../helpers/our-server.js';
import { cleanEnv, OUR_ETCDCTL, REAL_ETCDCTL, runCli } from '../helpers/run-cli.js';

/** Pipes text through `jq -c <filter>` and returns its lines. */
function jq(input: string, filter: string, raw = false): string[] {
  const result = spawnSync('jq', [raw ? '-r' : '-c', filter], { input, encoding: 'utf8' });
  assert.equal(result.status, 0, `jq failed: ${result.stderr}\ninput: ${input}`);
  return result.stdout.split('\n').filter((line) => line !== '');
}

const nonEmptyLines = (text: string) => text.split('\n').filter((line) => line !== '');

const servers = [
  { name: 'real etcd', start: async () => startEtcd() },
  { name: 'our server', start: async () => startOurServer() },
];

for (const server of servers) {
  describe(`-w jsonl (${server.name})`, () => {
    let endpoint = '';
    let stop: () => Promise<void> = async () => {};
    const ours = (...args: (string | Buffer)[]) => runCli(OUR_ETCDCTL, { args: [`--endpoints=${endpoint}`, ...args], env: cleanEnv() });
    const etcdctl = (...args: (string | Buffer)[]) => runCli(REAL_ETCDCTL, { args: [`--endpoints=${endpoint}`, ...args], env: cleanEnv() });
    /** Our jsonl output, checked to be jq-clean: `jq -c .` gives back every line byte for byte. */
    async function jsonl(...args: (string | Buffer)[]): Promise<string> {
      const result = await ours(...args, '-w', 'jsonl');
      assert.equal(result.code, 0, result.stderr.toString());
      const text = result.stdout.toString();
      assert.deepEqual(jq(text, '.'), nonEmptyLines(text), 'jq -c . must reproduce every line exactly');
      return text;
    }

    before(async () => {
      const s = await server.start();
      endpoint = s.endpoint;
      stop = () => s.stop();
    });
    after(() => stop());

    it('get: one line per key, text as strings, other bytes as base64, revisions exact', async () => {
      assert.equal((await etcdctl('put', 'j/a', 'hello')).code, 0);
      assert.equal((await etcdctl('put', Buffer.from([0x6a, 0x2f, 0xff]), Buffer.from([0xfe, 0x41]))).code, 0);
      const text = await jsonl('get', 'j/', '--prefix');
      const lines = jq(text, '.');
      assert.equal(lines.length, 2);
      assert.deepEqual(jq(text, '[.key, .value, .key_base64, .value_base64]'), [
        '["j/a","hello",null,null]',
        `[null,null,"${Buffer.from([0x6a, 0x2f, 0xff]).toString('base64')}","${Buffer.from([0xfe, 0x41]).toString('base64')}"]`,
      ]);
      const fields = await etcdctl('get', 'j/a', '-w', 'json');
      const rev = /"mod_revision":(\d+)/.exec(fields.stdout.toString())![1];
      assert.equal(jq(text, 'select(.key == "j/a") | .mod_revision', true)[0], rev);
    });

    it('lease grant, list and timetolive: lease IDs survive jq exactly', async () => {
      const granted = JSON.parse(await jsonl('lease', 'grant', '600'));
      const id = jq(JSON.stringify(granted), '.id', true)[0];
      assert.match(id, /^\d+$/);
      assert.equal(BigInt(id).toString(16), jq(JSON.stringify(granted), '.id_hex', true)[0]);
      // etcdctl names the same lease in hex: the decimal string jq gave back is exactly that number.
      const ttl = await etcdctl('lease', 'timetolive', BigInt(id).toString(16));
      assert.match(ttl.stdout.toString(), new RegExp(`^lease ${BigInt(id).toString(16).padStart(16, '0')} granted with TTL\\(600s\\)`));
      assert.equal((await etcdctl('put', 'j/leased', 'x', `--lease=${BigInt(id).toString(16)}`)).code, 0);

      const list = await jsonl('lease', 'list');
      assert.ok(jq(list, '.id', true).includes(id), `lease list: ${list}`);
      const realList = nonEmptyLines((await etcdctl('lease', 'list')).stdout.toString()).slice(1);
      assert.deepEqual(jq(list, '.id_hex', true).map((h) => h.padStart(16, '0')).sort(), realList.sort());

      const live = await jsonl('lease', 'timetolive', BigInt(id).toString(16), '--keys');
      assert.deepEqual(jq(live, '[.id, .granted_ttl, .expired, .keys]'), [`["${id}","600",false,[{"key":"j/leased"}]]`]);
      const gone = await jsonl('lease', 'timetolive', '1234');
      assert.deepEqual(jq(gone, '[.id, .ttl, .expired]'), ['["4660","-1",true]']);
    });

    it('member list and endpoint status: member and cluster IDs survive jq exactly', async () => {
      const members = await jsonl('member', 'list');
      const real = nonEmptyLines((await etcdctl('member', 'list')).stdout.toString());
      assert.equal(jq(members, '.').length, real.length);
      const realId = real[0]!.split(', ')[0]!;
      assert.equal(BigInt(jq(members, '.id', true)[0]!).toString(16), realId);
      const realJson = (await etcdctl('member', 'list', '-w', 'json')).stdout.toString();
      // etcdctl's own -w json has the cluster ID as a bare number, which jq would round: read it as text.
      const clusterId = /"cluster_id":(\d+)/.exec(realJson)![1];
      assert.equal(jq(members, '.cluster_id', true)[0], clusterId);

      const status = await jsonl('endpoint', 'status');
      assert.deepEqual(jq(status, '[.cluster_id, .id, .leader, .is_leader]'), [`["${clusterId}","${BigInt('0x' + realId)}","${BigInt('0x' + realId)}",true]`]);
      const realTable = (await etcdctl('endpoint', 'status')).stdout.toString();
      assert.equal(realTable.split(', ')[1], jq(status, '.id_hex', true)[0]);
    });

    it('endpoint health: one line per endpoint on stdout', async () => {
      const health = await jsonl('endpoint', 'health');
      assert.deepEqual(jq(health, '[.endpoint, .health]'), [`["${endpoint}",true]`]);
    });

    it('watch: one line per event, streamed as it happens', async () => {
      const child = spawn(OUR_ETCDCTL.file, [...OUR_ETCDCTL.prefixArgs, `--endpoints=${endpoint}`, 'watch', 'w/', '--prefix', '--prev-kv', '-w', 'jsonl'], {
        env: cleanEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      try {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        const lineCount = async (n: number) => {
          for (const deadline = Date.now() + 10_000; nonEmptyLines(out).length < n; ) {
            if (Date.now() > deadline) throw new Error(`watch printed: ${out}`);
            await new Promise((r) => setTimeout(r, 20));
          }
        };
        // The watch is registered once the process is up; keep writing until the first event arrives.
        const first = lineCount(1);
        let written = false;
        for (let i = 0; i < 50 && !written; i++) {
          await etcdctl('put', 'w/a', '1');
          written = await Promise.race([first.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 200))]);
        }
        assert.ok(written, 'no event line');
        const putRev = jq(nonEmptyLines(out).at(-1)!, '.mod_revision', true)[0];
        const more = lineCount(nonEmptyLines(out).length + 1);
        await etcdctl('del', 'w/a');
        await more;
        const last = nonEmptyLines(out).at(-1)!;
        assert.deepEqual(jq(last, '[.type, .key, .prev_kv.value, .prev_kv.mod_revision]'), [`["DELETE","w/a","1","${putRev}"]`]);
        assert.deepEqual(jq(out, '.type', true).slice(-2), ['PUT', 'DELETE']);
      } finally {
        child.kill('SIGINT');
      }
    });

    it('a command without jsonl fails as etcdctl does for an unknown format, before any request', async () => {
      for (const args of [['put', 'j/never', 'x'], ['del', 'j/a'], ['lease', 'revoke', '1'], ['endpoint', 'hashkv']]) {
        const [mine, real] = [await ours(...args, '-w', 'jsonl'), await etcdctl(...args, '-w', 'jsonl')];
        assert.equal(mine.code, real.code, args.join(' '));
        assert.equal(mine.stderr.toString(), real.stderr.toString(), args.join(' '));
        assert.equal(mine.stdout.toString(), real.stdout.toString(), args.join(' '));
      }
      assert.equal((await etcdctl('get', 'j/never')).stdout.toString(), '');
      assert.equal((await etcdctl('get', 'j/a')).stdout.toString(), 'j/a\nhello\n');
    });
  });
}
