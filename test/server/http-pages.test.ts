import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { httpRequest, httpStream } from '../helpers/http-client.js';
import { startOurServer, type OurServer } from '../helpers/our-server.js';

// What our HTTP surface has that etcd 3.4.23 (the differential suite's reference) has not: 3.5.11's
// /livez and /readyz, 3.5's /v3/maintenance/hashkv, our single-member answer to member add; and
// that the gateway and gRPC share the member's state (a watch sees a gRPC-side alarm through /health).

let server: OurServer;
before(async () => {
  server = await startOurServer();
});
after(async () => {
  await server?.stop();
});

const get = (path: string) => httpRequest(server.endpoint, { method: 'GET', path });
const post = (path: string, body: string) => httpRequest(server.endpoint, { method: 'POST', path, body });

describe('livez and readyz (etcd 3.5.11+)', { timeout: 30_000 }, () => {
  it('answers ok, each check with ?verbose, single checks by path, and GET only', async () => {
    assert.deepEqual([(await get('/livez')).status, (await get('/livez')).body], [200, 'ok\n']);
    assert.equal((await get('/livez?verbose')).body, '[+]serializable_read ok\nok\n');
    assert.equal((await get('/readyz?verbose')).body, '[+]data_corruption ok\n[+]serializable_read ok\n[+]linearizable_read ok\nok\n');
    assert.equal((await get('/readyz?verbose&exclude=linearizable_read')).body, '[+]data_corruption ok\n[+]serializable_read ok\nok\n');
    assert.equal((await get('/readyz/data_corruption?verbose')).body, '[+]data_corruption ok\nok\n');
    const refused = await post('/livez', '');
    assert.deepEqual([refused.status, refused.headers.allow, refused.body], [405, 'GET', 'Method Not Allowed\n']);
    assert.equal((await get('/readyz/nope')).status, 404);
  });

  it('fails readyz under a CORRUPT alarm, with etcd 3.5 text; livez stays ok', async () => {
    const status = JSON.parse((await post('/v3/maintenance/status', '{}')).body);
    const member = status.header.member_id as string;
    const activated = await post('/v3/maintenance/alarm', `{"action":"ACTIVATE","memberID":"${member}","alarm":"CORRUPT"}`);
    assert.equal(activated.body, `{"alarms":[{"memberID":"${member}","alarm":"CORRUPT"}]}`);
    try {
      const ready = await get('/readyz');
      assert.equal(ready.status, 503);
      assert.match(ready.headers['content-type']!, /^text\/plain/);
      assert.equal(ready.body, '[-]data_corruption failed: alarm activated: CORRUPT\n[+]serializable_read ok\n[+]linearizable_read ok\n\n');
      assert.equal((await get('/readyz?exclude=data_corruption')).status, 200);
      assert.equal((await get('/livez')).status, 200);
      const health = await get('/health');
      assert.deepEqual([health.status, health.body], [503, '{"health":"false"}\n']);
      assert.equal((await get('/health?exclude=CORRUPT')).body, '{"health":"true"}');
      const metrics = (await get('/metrics')).body;
      assert.match(metrics, /^etcd_server_health_failures 1$/m);
      assert.match(metrics, /^etcd_server_health_success 1$/m);
    } finally {
      await post('/v3/maintenance/alarm', `{"action":"DEACTIVATE","memberID":"${member}","alarm":"CORRUPT"}`);
    }
    assert.equal((await get('/readyz')).status, 200);
  });
});

describe('gateway paths beyond 3.4', { timeout: 30_000 }, () => {
  it('serves HashKV at 3.5\'s /v3/maintenance/hashkv', async () => {
    await post('/v3/kv/put', '{"key":"aA==","value":"MQ=="}');
    const answer = JSON.parse((await post('/v3/maintenance/hashkv', '{"revision":"0"}')).body);
    assert.equal(typeof answer.hash, 'number');
    assert.match(answer.header.revision, /^\d+$/);
    const future = await post('/v3/maintenance/hashkv', '{"revision":"1000"}');
    assert.deepEqual(JSON.parse(future.body), {
      error: 'etcdserver: mvcc: required revision is a future revision',
      message: 'etcdserver: mvcc: required revision is a future revision',
      code: 11,
    });
  });

  it('refuses member add with the single-member error (etcd would add a member that breaks quorum)', async () => {
    const answer = await post('/v3/cluster/member/add', '{"peerURLs":["http://127.0.0.1:1"]}');
    assert.equal(answer.status, 412);
    assert.equal(JSON.parse(answer.body).code, 9);
    assert.match(JSON.parse(answer.body).error, /single-member/);
  });

  it('keeps serving after a watch client hangs up', async () => {
    const watch = httpStream(server.endpoint, '/v3/watch', '{"create_request":{"key":"aGFuZw=="}}');
    assert.match((await watch.lines(1))[0]!, /"created":true/);
    watch.close();
    await watch.ended;
    const put = await post('/v3/kv/put', '{"key":"aGFuZw==","value":"MQ=="}');
    assert.equal(put.status, 200);
  });
});
