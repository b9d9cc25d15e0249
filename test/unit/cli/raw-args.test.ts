// Raw argument bytes: /proc/self/cmdline is read only when Node's decoding lost something (U+FFFD appeared).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { argBytesFromCmdline, utf8ArgBytes } from '../../../src/cli/raw-args.js';

describe('raw argument bytes', () => {
  it('arguments that decoded cleanly are their UTF-8 bytes, with no /proc read', () => {
    assert.equal(argBytesFromCmdline(['get', '日本', 'emoji😀']), utf8ArgBytes);
  });

  it('an argument with invalid UTF-8 gets its original bytes back from /proc/self/cmdline', () => {
    const module = new URL('../../../src/cli/raw-args.js', import.meta.url).href;
    const script = `import(${JSON.stringify(module)}).then(({ argBytesFromCmdline }) => { const argv = process.argv.slice(1); process.stdout.write(argv.map((a) => argBytesFromCmdline(argv)(a).toString('hex')).join(' ')); })`;
    // bash's $'\\xff' puts the raw byte in argv, as a shell user's would
    const run = spawnSync('bash', ['-c', `exec "$NODE" -e "$SCRIPT" plain $'\\xff\\xfeA'`], { encoding: 'utf8', env: { ...process.env, NODE: process.execPath, SCRIPT: script } });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, `${Buffer.from('plain').toString('hex')} fffe41`);
  });
});
