// A watch started by our CLI survives a restart of its server (same data dir and port): it resumes from the
// last revision it printed + 1, so every event is printed exactly once, including events written right after
// the restart, before the watch has reconnected. Runs against real etcd and against our bundled server.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OUR_ETCDCTL } from '../../helpers/run-cli.js';
import { etcdctl, type RestartableServer, restartableEtcd, sleep, startLive } from './live.js';

interface OurServerHandle {
  endpoint: string;
  stop(): Promise<void>;
}
type StartOurServer = (options?: { dataDir?: string; args?: string[] }) => Promise<OurServerHandle & { dataDir: string }>;

async function restartableOurs(): Promise<RestartableServer> {
  const specifier = '../../helpers/our-server.js';
  const { startOurServer } = (await import(specifier)) as { startOurServer: StartOurServer };
  let current = await startOurServer();
  const { dataDir, endpoint } = current;
  return {
    endpoint,
    stop: () => current.stop(),
    async start() {
      current = await startOurServer({ dataDir, args: ['--listen-client-urls', `http://${endpoint}`] });
    },
    dispose: () => current.stop(),
  };
}

const servers: [string, () => Promise<RestartableServer>][] = [
  ['real etcd', restartableEtcd],
  ['our server', restartableOurs],
];

for (const [label, startServer] of servers) {
  describe(`watch across a restart of ${label}`, () => {
    it('prints every event exactly once', { timeout: 90_000 }, async () => {
      const server = await startServer();
      const watch = startLive(OUR_ETCDCTL, [`--endpoints=${server.endpoint}`, 'watch', '--prefix', 'r/']);
      try {
        // Readiness: the watch starts "now", so probe until one probe shows up.
        for (let i = 0; !/r\/probe/.test(watch.stdout()); i++) {
          assert.ok(i < 100, `watch never became ready: ${watch.stderr()}`);
          await etcdctl(server.endpoint, 'put', `r/probe${i}`, 'p');
          await sleep(300);
        }
        const before = watch.stdout().length;
        for (let i = 1; i <= 5; i++) await etcdctl(server.endpoint, 'put', `r/${i}`, `v${i}`);
        await watch.waitFor(/r\/5\nv5\n/, 15_000);
        await server.stop();
        await sleep(1_000);
        await server.start();
        // Written at once: the watch is still reconnecting, and must fetch these from its resume revision.
        for (let i = 6; i <= 10; i++) await etcdctl(server.endpoint, 'put', `r/${i}`, `v${i}`);
        await etcdctl(server.endpoint, 'del', 'r/3');
        await watch.waitFor(/DELETE\nr\/3\n\n/, 30_000);
        const expected = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => `PUT\nr/${i}\nv${i}\n`).join('') + 'DELETE\nr/3\n\n';
        assert.equal(watch.stdout().slice(before), expected);
        assert.equal(watch.stderr(), '');
      } finally {
        watch.signal('SIGTERM');
        const { signal } = await watch.finish(5_000);
        await server.dispose();
        assert.equal(signal, 'SIGTERM', 'the watch dies by the signal, as etcdctl does');
      }
    });
  });
}
