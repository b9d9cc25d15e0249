import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { describe, it } from 'node:test';
import { startEtcd } from '../helpers/etcd-process.js';
import { startOurServer } from '../helpers/our-server.js';

// --max-concurrent-streams: what the server advertises in its HTTP/2 SETTINGS, the same as etcd's for the
// default and for a given value. (A client keeps to it: Node's and Go's queue streams over the limit; one that
// does not gets RST_STREAM REFUSED_STREAM, as from grpc-go.)

function advertised(endpoint: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://${endpoint}`);
    session.once('error', reject);
    session.once('remoteSettings', (settings) => {
      session.close();
      resolve(settings.maxConcurrentStreams);
    });
  });
}

describe('--max-concurrent-streams', { timeout: 60_000 }, () => {
  it("advertises etcd's default and a given limit, as etcd does", async () => {
    for (const args of [[], ['--max-concurrent-streams', '2']]) {
      const [etcd, ours] = await Promise.all([startEtcd(args), startOurServer({ args })]);
      try {
        const [theirs, mine] = await Promise.all([advertised(etcd.endpoint), advertised(ours.endpoint)]);
        assert.equal(mine, theirs, args.join(' ') || 'default');
        assert.equal(mine, args.length ? 2 : 2 ** 32 - 1);
      } finally {
        await Promise.all([etcd.stop(), ours.stop()]);
      }
    }
  });
});
