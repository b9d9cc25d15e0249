// Completion of what only the server knows (keys, lease and member IDs, users, roles), through the generated
// scripts in the real shells, against real etcd and the bundled server. bash: an interactive bash sources the
// script, gets COMP_LINE/COMP_POINT/COMP_WORDS/COMP_CWORD as readline would set them, calls the completion
// function and prints COMPREPLY. zsh: the function runs with $words/$CURRENT/$PREFIX and compadd/_describe
// replaced by printers. fish: `complete -C`. The scripts call `etcdctl-ts __etcdctl-ts-complete`, found on PATH.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ZSH_COMPLETION_STUBS } from '../helpers/zsh-stubs.js';
import { buildProgram } from '../../src/cli/commands/index.js';
import { completionScript, type Shell } from '../../src/cli/completion/index.js';
import { freePort, requireEtcdBinaries, startEtcd } from '../helpers/etcd-process.js';
import { startOurServer } from '../helpers/our-server.js';
import { cleanEnv, REAL_ETCDCTL, REPO_ROOT, runCli } from '../helpers/run-cli.js';

const commandTree = await buildProgram();

const scratch = mkdtempSync(path.join(os.tmpdir(), 'etcdctl-ts-completion-server-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

// `etcdctl-ts` on PATH, as after `npm install -g`.
const binDir = path.join(scratch, 'bin');
spawnSync('mkdir', ['-p', binDir]);
writeFileSync(path.join(binDir, 'etcdctl-ts'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(REPO_ROOT, 'bin/etcdctl-ts.cjs'))} "$@"\n`);
chmodSync(path.join(binDir, 'etcdctl-ts'), 0o755);

function scriptFile(shell: Shell): string {
  const file = path.join(scratch, `script.${shell}`);
  writeFileSync(file, completionScript(commandTree, shell));
  return file;
}

const hasShell = (name: string) => spawnSync(name, ['-c', 'exit 0'], { stdio: 'ignore' }).status === 0;
const sorted = (list: string[]) => [...list].sort();

function shellEnv(extra: Record<string, string> = {}): Record<string, string> {
  // A loaded test machine can take longer than a Tab's default second; the unreachable case keeps the default.
  return cleanEnv({ PATH: `${binDir}:${process.env.PATH}`, TERM: 'dumb', ETCDCTL_TS_COMPLETION_TIMEOUT: '10s', ...extra });
}

/** bash's COMP_WORDS for a line: split at blanks and at COMP_WORDBREAKS' `=` and `:` (quotes are ignored here). */
function compWords(line: string): string[] {
  const words = line.split(/\s+/).flatMap((word) => word.split(/([=:])/)).filter((w, i, all) => w !== '' || i === all.length - 1);
  return line.endsWith(' ') ? [...words.filter(Boolean), ''] : words;
}

function bashComplete(line: string, env: Record<string, string> = {}): { candidates: string[]; stderr: string; ms: number } {
  const script = scriptFile('bash');
  const words = compWords(line);
  const program = [
    'source "$1"',
    'COMP_LINE=$2; COMP_POINT=${#COMP_LINE}',
    'eval "COMP_WORDS=($3)"; COMP_CWORD=$((${#COMP_WORDS[@]} - 1))',
    '_etcdctl_ts "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"',
    "printf '%s\\n' \"${COMPREPLY[@]}\"",
  ].join('\n');
  const quotedWords = words.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
  const started = Date.now();
  const result = spawnSync('bash', ['--norc', '--noprofile', '-i', '-c', program, 'bash', script, line, quotedWords], { encoding: 'utf8', env: shellEnv(env) });
  const stderr = result.stderr.replace(/^bash: (cannot set terminal process group|no job control).*\n/gm, '');
  return { candidates: result.stdout.split('\n').filter(Boolean), stderr, ms: Date.now() - started };
}

function zshComplete(line: string): string[] {
  const stubs = ZSH_COMPLETION_STUBS;
  const program = `${stubs}\nsource $1\nwords=(\${(z)2}); [[ $2 == *' ' ]] && words+=('')\nCURRENT=\${#words}; PREFIX=\${words[CURRENT]}; IPREFIX=''\n_etcdctl`;
  const result = spawnSync('zsh', ['-f', '-c', program, 'zsh', scriptFile('zsh'), line], { encoding: 'utf8', env: shellEnv() });
  assert.equal(result.stderr, '');
  const typed = line.split(' ').pop()!;
  return result.stdout.split('\n').filter((c) => c !== '' && c.startsWith(typed));
}

function fishComplete(line: string): string[] {
  const result = spawnSync('fish', ['--no-config', '-c', 'source $argv[1]; complete -C $argv[2]', scriptFile('fish'), line], { encoding: 'utf8', env: shellEnv() });
  assert.equal(result.stderr, '');
  return result.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]!);
}

/**
 * Really presses Tab: an interactive bash on a pty (util-linux `script`) sources the script, the line is typed,
 * then Tab `tabs` times; resolves with what the terminal showed once it matches `expected`, or rejects with it.
 */
function pressTab(line: string, tabs: number, expected: RegExp): Promise<string> {
  const child = spawn('script', ['-qfc', 'stty cols 300; exec bash --norc --noprofile -i', '/dev/null'], {
    env: shellEnv({ PS1: '$ ' }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let shown = '';
  child.stdout.on('data', (chunk: Buffer) => (shown += chunk.toString('utf8')));
  child.stdin.on('error', () => {});
  const waitFor = (pattern: RegExp, from: number) =>
    new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const poll = setInterval(() => {
        if (pattern.test(shown.slice(from))) {
          clearInterval(poll);
          resolve();
        } else if (Date.now() - started > 30_000) {
          clearInterval(poll);
          reject(new Error(`the terminal never showed ${pattern}:\n${JSON.stringify(shown)}`));
        }
      }, 50);
    });
  return (async () => {
    try {
      child.stdin.write(`source ${scriptFile('bash')}; echo sourced\n`);
      await waitFor(/sourced\r?\n\$ $/, 0);
      const from = shown.length;
      child.stdin.write(line);
      for (let i = 0; i < tabs; i++) {
        child.stdin.write('\t');
        // Each Tab runs the binary: let it answer before the next one.
        await new Promise((resolve) => setTimeout(resolve, 3000));
      }
      await waitFor(expected, from);
      return shown.slice(from);
    } finally {
      child.stdin.write('\x03exit\n');
      child.kill();
    }
  })();
}

interface Target {
  name: string;
  start(): Promise<{ endpoint: string; stop(): Promise<void> }>;
}

const TARGETS: Target[] = [
  {
    name: 'real etcd',
    start: async () => {
      requireEtcdBinaries();
      return startEtcd();
    },
  },
  { name: 'our server', start: () => startOurServer() },
];

for (const target of TARGETS) {
  describe(`completion from the server (${target.name})`, () => {
    let endpoint = '';
    let stop: () => Promise<void> = async () => {};
    let lease = '';
    let member = '';
    let memberName = '';
    const ctl = async (...args: string[]) => {
      const result = await runCli(REAL_ETCDCTL, { args: [`--endpoints=${endpoint}`, ...args], env: cleanEnv() });
      assert.equal(result.code, 0, result.stderr.toString());
      return result.stdout.toString();
    };

    before(async () => {
      const server = await target.start();
      endpoint = server.endpoint;
      stop = () => server.stop();
      for (const key of ['app/one', 'app/two', 'app/with space', "app/it's", 'app:colon', 'other']) await ctl('put', key, 'v');
      await runCli(REAL_ETCDCTL, { args: [`--endpoints=${endpoint}`, 'put', Buffer.from([0xff]), 'x'], env: cleanEnv() });
      // as `lease list` prints it (%x): `lease grant` pads to 16 digits, and 1 lease in 16 starts with a 0
      lease = BigInt(`0x${/lease ([0-9a-f]+) granted/.exec(await ctl('lease', 'grant', '600'))![1]!}`).toString(16);
      [member, , memberName] = (await ctl('member', 'list')).split(', ') as [string, string, string];
      await ctl('user', 'add', 'alice:pw');
      await ctl('role', 'add', 'reader');
    });
    after(() => stop());

    const line = (rest: string) => `etcdctl-ts --endpoints=${endpoint} ${rest}`;

    it('completes keys by prefix, escaped for bash', () => {
      const { candidates, stderr } = bashComplete(line('get app/'));
      assert.equal(stderr, '');
      assert.deepEqual(sorted(candidates), sorted(['app/one', 'app/two', 'app/with\\ space', "app/it\\'s"]));
    });
    it('offers every UTF-8 key for an empty word, never a value', () => {
      assert.deepEqual(sorted(bashComplete(line('put ')).candidates), sorted(['app/one', 'app/two', 'app/with\\ space', "app/it\\'s", 'app:colon', 'other']));
      assert.deepEqual(bashComplete(line('put app/one ')).candidates, []);
    });
    it('completes inside an open quote and after an escaped space', () => {
      assert.deepEqual(bashComplete(line("del 'app/w")).candidates, ['app/with space']);
      assert.deepEqual(bashComplete(line('watch app/with\\ s')).candidates, ['app/with\\ space']);
    });
    it("replaces only what bash replaces after a ':'", () => {
      assert.deepEqual(bashComplete(line('get app:c')).candidates, ['colon']);
    });
    it('completes the range end and keys of a permission', () => {
      assert.deepEqual(bashComplete(line('get app/one app/t')).candidates, ['app/two']);
      assert.deepEqual(bashComplete(line('role grant-permission reader read ot')).candidates, ['other']);
      assert.deepEqual(bashComplete(line('role grant-permission reader r')).candidates, ['read', 'readwrite']);
    });
    it('completes lease IDs for lease commands and put --lease', () => {
      assert.deepEqual(bashComplete(line('lease revoke ')).candidates, [lease]);
      assert.deepEqual(bashComplete(line('lease timetolive --keys ')).candidates, [lease]);
      assert.deepEqual(bashComplete(line('put --lease ')).candidates, [lease]);
      assert.deepEqual(bashComplete(line('put --lease=')).candidates, [lease]);
    });
    it('completes member IDs, users and roles', () => {
      assert.deepEqual(bashComplete(line('member remove ')).candidates, [member]);
      assert.deepEqual(bashComplete(line('user get a')).candidates, ['alice']);
      assert.deepEqual(bashComplete(line('user grant-role alice ')).candidates, ['reader']);
      assert.deepEqual(bashComplete(line('role delete r')).candidates, ['reader']);
    });
    it('takes the endpoints from ETCDCTL_ENDPOINTS like the command would', () => {
      assert.deepEqual(bashComplete('etcdctl-ts get app/t', { ETCDCTL_ENDPOINTS: endpoint }).candidates, ['app/two']);
    });
    it('prints nothing, quickly, when the server is unreachable or refuses', async () => {
      const closed = await freePort();
      const down = bashComplete(`etcdctl-ts --endpoints=127.0.0.1:${closed} get app/`, { ETCDCTL_TS_COMPLETION_TIMEOUT: '' });
      assert.deepEqual(down.candidates, []);
      assert.equal(down.stderr, '');
      assert.ok(down.ms < 5000, `took ${down.ms} ms`);
      // The script also completes `etcdctl`: the real one (whose cobra has a `__complete` of its own) offers nothing.
      assert.deepEqual(bashComplete(`etcdctl --endpoints=${endpoint} get app/`).candidates, []);
      // Not a key argument: the binary is not asked, static completion stays.
      assert.deepEqual(bashComplete(line('lease re')).candidates, ['revoke']);
    });
    it('__etcdctl-ts-complete itself: one candidate per line, exit 1 and no output on failure', async () => {
      const ours = { file: path.join(binDir, 'etcdctl-ts'), prefixArgs: [] };
      const ok = await runCli(ours, { args: ['__etcdctl-ts-complete', 'fish', `--endpoints=${endpoint}`, 'member', 'remove', ''], env: cleanEnv() });
      assert.equal(ok.stdout.toString(), `${member}\t${memberName}\n`);
      const closed = await freePort();
      const failed = await runCli(ours, { args: ['__etcdctl-ts-complete', 'bash', `etcdctl-ts --endpoints=127.0.0.1:${closed} get a`], env: cleanEnv() });
      assert.deepEqual([failed.code, failed.stdout.toString(), failed.stderr.toString()], [1, '', '']);
    });

    it('bash on a real terminal: Tab completes a key, escapes it, closes an open quote, lists on a second Tab', async () => {
      await pressTab(line('get app/w'), 1, /get app\/with\\ space $/);
      await pressTab(line("del 'app/w"), 1, /del 'app\/with space' $/);
      await pressTab(line('get app:c'), 1, /get app:colon $/);
      await pressTab(line('get app/'), 2, /app\/one\s+app\/two/);
    });

    describe('zsh', { skip: hasShell('zsh') ? false : 'zsh is not installed' }, () => {
      it('completes keys, leases and roles', () => {
        assert.deepEqual(sorted(zshComplete(line('get app/'))), sorted(['app/one', 'app/two', 'app/with space', "app/it's"]));
        assert.deepEqual(zshComplete(line('lease keep-alive ')), [lease]);
        assert.deepEqual(zshComplete(line('user revoke-role alice r')), ['reader']);
      });
    });
    describe('fish', { skip: hasShell('fish') ? false : 'fish is not installed' }, () => {
      it('completes keys, leases and members', () => {
        assert.deepEqual(sorted(fishComplete(line('get app/'))), sorted(['app/one', 'app/two', 'app/with space', "app/it's"]));
        assert.deepEqual(fishComplete(line('put --lease=')), [`--lease=${lease}`]);
        assert.deepEqual(fishComplete(line('member update ')), [member]);
      });
    });
  });
}
