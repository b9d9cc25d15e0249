import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startEtcd } from '../helpers/etcd-process.js';
import { httpRequest, type HttpAnswer } from '../helpers/http-client.js';
import { startOurServer } from '../helpers/our-server.js';

// --enable-pprof: /debug/pprof/ on the client URL, as etcd serves Go's pprof there, with V8's profiles in
// place of Go's (a deliberate difference of format). Paths, redirects, errors and the 404 without the flag
// are compared with real etcd.

const get = (endpoint: string, path: string) => httpRequest(endpoint, { method: 'GET', path });
const shape = (a: HttpAnswer) => ({ status: a.status, type: a.headers['content-type'], location: a.headers.location, body: a.status === 200 ? undefined : a.body });

describe('--enable-pprof', { timeout: 120_000 }, () => {
  it('without the flag /debug/pprof/ is not there, as on etcd', async () => {
    const [etcd, ours] = await Promise.all([startEtcd(), startOurServer()]);
    try {
      for (const path of ['/debug/pprof/', '/debug/pprof/heap', '/debug/pprof/profile?seconds=1']) {
        const [real, mine] = await Promise.all([get(etcd.endpoint, path), get(ours.endpoint, path)]);
        assert.deepEqual(shape(mine), shape(real), path);
        assert.equal(mine.status, 404, path);
      }
    } finally {
      await Promise.all([etcd.stop(), ours.stop()]);
    }
  });

  it("with it: etcd's paths and answers, V8's profiles", async () => {
    const [etcd, ours] = await Promise.all([startEtcd(['--enable-pprof']), startOurServer({ args: ['--enable-pprof'] })]);
    try {
      for (const path of ['/debug/pprof', '/debug/pprof/', '/debug/pprof/nope', '/debug/pprof/cmdline']) {
        const [real, mine] = await Promise.all([get(etcd.endpoint, path), get(ours.endpoint, path)]);
        assert.deepEqual(shape(mine), shape(real), path);
      }
      assert.match((await get(ours.endpoint, '/debug/pprof/')).body, /V8's formats, not Go's pprof format/);
      assert.ok((await get(ours.endpoint, '/debug/pprof/cmdline')).body.split('\0').includes('--enable-pprof'));

      // a CPU profile of the asked length; a second one meanwhile is refused with Go's text
      const started = performance.now();
      const [profile, second, realSecond] = await Promise.all([
        get(ours.endpoint, '/debug/pprof/profile?seconds=2'),
        new Promise<HttpAnswer>((resolve) => setTimeout(() => resolve(get(ours.endpoint, '/debug/pprof/profile?seconds=1')), 300)),
        Promise.all([get(etcd.endpoint, '/debug/pprof/profile?seconds=2'), new Promise<HttpAnswer>((resolve) => setTimeout(() => resolve(get(etcd.endpoint, '/debug/pprof/profile?seconds=1')), 300))]).then(([, s]) => s),
      ]);
      const elapsed = performance.now() - started;
      assert.equal(profile.status, 200);
      assert.equal(profile.headers['content-disposition'], 'attachment; filename="profile.cpuprofile"');
      const cpu = JSON.parse(profile.body) as { nodes: unknown[]; startTime: number; endTime: number; samples: number[] };
      assert.ok(cpu.nodes.length > 0 && cpu.samples.length > 0);
      const lengthMs = (cpu.endTime - cpu.startTime) / 1000;
      assert.ok(lengthMs > 1900 && lengthMs < 3000, `profile of ${lengthMs} ms`);
      assert.ok(elapsed >= 1900, `answered after ${elapsed} ms`);
      assert.deepEqual(shape(second), shape(realSecond));
      assert.deepEqual([second.status, second.body], [500, 'Could not enable CPU profiling: cpu profiling already in use\n']);

      const heap = await get(ours.endpoint, '/debug/pprof/heap');
      assert.equal(heap.status, 200);
      assert.equal(heap.headers['content-disposition'], 'attachment; filename="heap.heapsnapshot"');
      const snapshot = JSON.parse(heap.body) as { snapshot: { meta: { node_fields: string[] }; node_count: number } };
      assert.ok(snapshot.snapshot.meta.node_fields.includes('name') && snapshot.snapshot.node_count > 1000);
    } finally {
      await Promise.all([etcd.stop(), ours.stop()]);
    }
  });
});
