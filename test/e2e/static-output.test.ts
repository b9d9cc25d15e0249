// bin/etcdctl-ts.cjs prints help and version texts from dist/bundle/static-output.dat without loading the CLI
// (scripts/static-output.mjs renders them at build time). Here every form in that file, piped and on a real
// terminal, runs both ways: the fast path, and the full CLI (ETCDCTL_TS_NO_FAST_PATH=1); stdout, stderr and exit
// code must be identical. The controls prove the fast path is taken and that a wrong text would be caught.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { Command } from '../../src/cli/command-tree.js';
import { loadedModules } from '../../bench/loaded-modules.js';
import { buildProgram } from '../../src/cli/commands/index.js';
import { startOnPty } from '../helpers/pty.js';
import { cleanEnv, type CliCommand, OUR_ETCDCTL, REPO_ROOT, runCli } from '../helpers/run-cli.js';

const commandTree = await buildProgram();

const STATIC_OUTPUT = path.join(REPO_ROOT, 'dist', 'bundle', 'static-output.dat');
const FULL_CLI = { ETCDCTL_TS_NO_FAST_PATH: '1' };
const CONCURRENCY = 2;

/** The forms in the file, by variant: `p` piped, `t` on a terminal. */
function staticForms(file = STATIC_OUTPUT): Record<'p' | 't', string[][]> {
  const data = readFileSync(file);
  const index = JSON.parse(data.subarray(0, data.indexOf(10)).toString('latin1')) as Record<string, [number, number]>;
  const forms: Record<'p' | 't', string[][]> = { p: [], t: [] };
  for (const key of Object.keys(index)) forms[key[0] as 'p' | 't'].push(key.slice(1).split('\0').slice(1));
  return forms;
}

function commandPaths(command: Command, words: string[] = []): string[][] {
  return [words, ...command.commands.flatMap((sub) => commandPaths(sub, [...words, sub.name()]))];
}

async function bothWays(cli: CliCommand, args: string[], env: Record<string, string | undefined> = {}) {
  const fast = await runCli(cli, { args, env: cleanEnv(env) });
  const full = await runCli(cli, { args, env: cleanEnv({ ...env, ...FULL_CLI }) });
  const shown = (r: typeof fast) => ({ code: r.code, stdout: r.stdout.toString('latin1'), stderr: r.stderr.toString('latin1') });
  return { fast: shown(fast), full: shown(full) };
}

async function inPool<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

describe('static help and version output (bin/etcdctl-ts.cjs fast path)', () => {
  const forms = staticForms();

  it('holds --help, -h and `help …` of every command and sub-command, both variants, and version', () => {
    for (const variant of ['p', 't'] as const) {
      const keys = new Set(forms[variant].map((argv) => JSON.stringify(argv)));
      const expected = commandPaths(commandTree).flatMap((words) => [[...words, '--help'], [...words, '-h'], ['help', ...words]]);
      for (const argv of [...expected, ['version'], [], ['help'], ['lease']]) assert.ok(keys.has(JSON.stringify(argv)), `${variant}: etcdctl-ts ${argv.join(' ')} missing`);
      // bin/etcdctl-ts.cjs reads the index only for a line of one word at most or with a help word in it.
      const unreachable = forms[variant].filter((argv) => argv.length > 1 && !argv.some((arg) => ['-h', '--help', 'help'].includes(arg)));
      assert.deepEqual(unreachable, []);
    }
  });

  it('every piped form prints exactly what the full CLI prints', async () => {
    const differing: string[] = [];
    await inPool(forms.p, async (argv) => {
      const { fast, full } = await bothWays(OUR_ETCDCTL, argv);
      assert.equal(full.code, 0, `etcdctl-ts ${argv.join(' ')}: ${full.stderr}`);
      if (JSON.stringify(fast) !== JSON.stringify(full)) differing.push(argv.join(' '));
    });
    assert.deepEqual(differing, []);
  });

  it('every form on a terminal prints exactly what the full CLI prints', async () => {
    // One pty session runs every form both ways (a session per run would cost a `script` each), with markers between.
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'static-output-'));
    try {
      const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
      const bin = [OUR_ETCDCTL.file, ...OUR_ETCDCTL.prefixArgs].map(quote).join(' ');
      const lines = forms.t.flatMap((argv, i) => [
        `printf '@@%s fast\\n' ${i}; ${bin} ${argv.map(quote).join(' ')}; printf '@@rc %s\\n' $?`,
        `printf '@@%s full\\n' ${i}; ETCDCTL_TS_NO_FAST_PATH=1 ${bin} ${argv.map(quote).join(' ')}; printf '@@rc %s\\n' $?`,
      ]);
      writeFileSync(path.join(scratch, 'forms.sh'), `${lines.join('\n')}\n`);
      const pty = startOnPty(['/bin/bash', '--norc', '--noprofile', path.join(scratch, 'forms.sh')], {
        size: { columns: 80, rows: 24 },
        env: cleanEnv({ TERM: 'xterm' }),
        timeoutMs: 600_000,
        maxOutputBytes: 16 * 1024 * 1024,
      });
      const result = await pty.done;
      assert.equal(result.status, 0, result.output.toString('utf8').slice(-2000));
      const runs = new Map<string, string>();
      for (const [, i, way, output] of result.output.toString('latin1').matchAll(/@@(\d+) (fast|full)\r\n([\s\S]*?@@rc \d+)\r\n/g)) runs.set(`${i} ${way}`, output!);
      const differing = forms.t.filter((_, i) => runs.get(`${i} fast`) === undefined || runs.get(`${i} fast`) !== runs.get(`${i} full`));
      assert.deepEqual(differing.map((argv) => argv.join(' ')), []);
      // The terminal variant is the one printed: help lists the extensions (flags newer than etcdctl 3.4) there only.
      assert.match(runs.get(`${forms.t.findIndex((argv) => argv.join(' ') === 'watch --help')} fast`)!, /--progress-notify/);
      assert.ok(runs.get(`${forms.t.findIndex((argv) => argv.join(' ') === 'version')} fast`)!.endsWith('@@rc 0'));
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('the environment: ETCDCTL_* variables, colour settings and ETCDCTL_API as the full CLI treats them', async () => {
    const environments: Array<Record<string, string | undefined>> = [
      { ETCDCTL_API: undefined },
      { ETCDCTL_API: '' },
      { ETCDCTL_API: '2' },
      { ETCDCTL_API: '4' },
      { ETCDCTL_ENDPOINTS: 'http://127.0.0.1:1' },
      { ETCDCTL_DEBUG: 'true' },
      { ETCDCTL_WRITE_OUT: 'json' },
      { ETCDCTL_DIAL_TIMEOUT: 'bogus' },
      { ETCDCTL_NOSUCHVARIABLE: '1' },
      { NO_COLOR: '1' },
      { FORCE_COLOR: '1' },
    ];
    const differing: string[] = [];
    const cases = environments.flatMap((env) => [['version'], ['get', '--help']].map((argv) => ({ env, argv })));
    await inPool(cases, async ({ env, argv }) => {
      const { fast, full } = await bothWays(OUR_ETCDCTL, argv, env);
      if (JSON.stringify(fast) !== JSON.stringify(full)) differing.push(`${JSON.stringify(env)} ${argv.join(' ')}`);
    });
    assert.deepEqual(differing, []);
  });

  it('a reader that has gone (EPIPE): the same exit code and stderr as the full CLI', async () => {
    // The reader closes its end at once; the CLI starts writing tens of milliseconds later.
    const script = `${[OUR_ETCDCTL.file, ...OUR_ETCDCTL.prefixArgs].join(' ')} "$@" | (exec 0<&-; true); echo "exit \${PIPESTATUS[0]}" >&2`;
    const sh: CliCommand = { file: '/bin/bash', prefixArgs: ['--norc', '--noprofile', '-c', script, 'sh'] };
    for (const argv of [['--help'], ['version']]) {
      const { fast, full } = await bothWays(sh, argv);
      assert.deepEqual(fast, full, `etcdctl-ts ${argv.join(' ')}`);
      assert.equal(full.stderr, 'exit 0\n');
    }
  });

  it('the fast path is taken: version loads no CLI bundle, and the full CLI does (control)', () => {
    const bin = OUR_ETCDCTL.prefixArgs[0]!;
    const fast = loadedModules([bin, 'version'], { cwd: REPO_ROOT, env: cleanEnv() });
    const full = loadedModules([bin, 'version'], { cwd: REPO_ROOT, env: cleanEnv(FULL_CLI) });
    assert.equal(fast.stdout, full.stdout);
    // The bundle runs through vm.Script, so Node's vm module is the sign that the CLI was loaded.
    assert.ok(!fast.builtins.includes('vm'), 'the fast path loaded the CLI bundle');
    assert.ok(full.builtins.includes('vm'), 'the recorder did not see the full CLI load its bundle');
  });

  describe('a wrong text in the file is caught (control)', () => {
    // A copy of the package with one byte of the version text changed: the comparison above must see it.
    const copy = mkdtempSync(path.join(os.tmpdir(), 'static-output-copy-'));
    after(() => rmSync(copy, { recursive: true, force: true }));

    it('differs from the full CLI', async () => {
      cpSync(path.join(REPO_ROOT, 'bin'), path.join(copy, 'bin'), { recursive: true });
      cpSync(path.join(REPO_ROOT, 'dist', 'bundle'), path.join(copy, 'dist', 'bundle'), { recursive: true, filter: (source) => !source.endsWith('.cache') });
      const file = path.join(copy, 'dist', 'bundle', 'static-output.dat');
      const data = readFileSync(file);
      const at = data.indexOf('API version: 3.4', data.indexOf(10));
      assert.ok(at > 0);
      data[at + 'API version: 3.'.length] = '5'.charCodeAt(0);
      writeFileSync(file, data);
      const { fast, full } = await bothWays({ file: process.execPath, prefixArgs: [path.join(copy, 'bin', 'etcdctl-ts.cjs')] }, ['version']);
      assert.equal(full.stdout, 'etcdctl version: 3.4.23\nAPI version: 3.4\n');
      assert.equal(fast.stdout, 'etcdctl version: 3.4.23\nAPI version: 3.5\n');
    });
  });
});
