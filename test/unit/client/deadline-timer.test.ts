// deadlineTimer (src/client/deadline-timer.ts): fires once after its time, never once cancelled, later rather than
// at once for a time of 0, and keeps no process alive. Its use for real deadlines: the differential suite's
// --dial-timeout and --command-timeout cases against real etcd and unreachable endpoints.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { deadlineTimer } from '../../../src/client/deadline-timer.js';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('deadlineTimer', () => {
  it('fires once, after its time', async () => {
    const started = Date.now();
    const fired: number[] = [];
    deadlineTimer(50, () => fired.push(Date.now() - started));
    await wait(150);
    assert.equal(fired.length, 1);
    assert.ok(fired[0]! >= 45, `fired after ${fired[0]} ms`);
  });

  it('never fires once cancelled', async () => {
    let fired = false;
    const cancel = deadlineTimer(30, () => (fired = true));
    cancel();
    cancel();
    await wait(100);
    assert.equal(fired, false);
  });

  it('with a time of 0 or less, fires after the current code, not during it', async () => {
    const order: string[] = [];
    deadlineTimer(0, () => order.push('timer'));
    deadlineTimer(-5, () => order.push('timer'));
    order.push('caller');
    await wait(10);
    assert.deepEqual(order, ['caller', 'timer', 'timer']);
  });

  it('keeps no process alive', () => {
    const module = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../src/client/deadline-timer.js');
    const script = `import('${module}').then(({ deadlineTimer }) => deadlineTimer(5000, () => console.log('fired')))`;
    const started = Date.now();
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 4000 });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '');
    assert.ok(Date.now() - started < 4000);
  });
});
