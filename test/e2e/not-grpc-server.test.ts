// A server that is not etcd, or not gRPC at all, answering over HTTP/2 (a wrong port, a proxy, a web server):
// etcdctl's error is grpc-go's reading of what came back ("Not Found: HTTP status code 404; transport: missing
// content-type field", "stream terminated by RST_STREAM with error code: …"). A node:http2 server answers each
// way; the real etcdctl and ours run against it, and stderr and the exit code must be the same. Some answers make
// clientv3 try again until the command timeout (its retry interceptor): a Canceled from the server for any call,
// Unavailable for a repeatable one (get, member list) but not for a put.
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { requireEtcdBinaries } from '../helpers/etcd-process.js';
import { cleanEnv, OUR_ETCDCTL, REAL_ETCDCTL, runCli } from '../helpers/run-cli.js';

type Answer = (stream: http2.ServerHttp2Stream) => void;

const ANSWERS: Record<string, Answer> = {
  '404, no content-type': (stream) => stream.respond({ ':status': 404 }, { endStream: true }),
  'a status Go has no text for (599)': (stream) => stream.respond({ ':status': 599 }, { endStream: true }),
  '200 with text/html': (stream) => {
    stream.respond({ ':status': 200, 'content-type': 'text/html' });
    stream.end('<html></html>');
  },
  'gRPC headers, no grpc-status': (stream) => stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { endStream: true }),
  'gRPC content-type with HTTP 404': (stream) => stream.respond({ ':status': 404, 'content-type': 'application/grpc' }, { endStream: true }),
  'a grpc-status that is not a number': (stream) => stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': 'x' }, { endStream: true }),
  'RST_STREAM NO_ERROR': (stream) => stream.close(http2.constants.NGHTTP2_NO_ERROR),
  'RST_STREAM INTERNAL_ERROR': (stream) => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR),
  'RST_STREAM ENHANCE_YOUR_CALM': (stream) => stream.close(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM),
  'RST_STREAM INADEQUATE_SECURITY': (stream) => stream.close(http2.constants.NGHTTP2_INADEQUATE_SECURITY),
  'RST_STREAM with an unknown code (99)': (stream) => stream.close(99),
};

/** Answers clientv3 tries again for some calls: compared line by line, the attempt number aside. */
const RETRIED: Record<string, Answer> = {
  '503 text/plain (Unavailable)': (stream) => {
    stream.respond({ ':status': 503, 'content-type': 'text/plain' });
    stream.end('busy');
  },
  'RST_STREAM CANCEL (Canceled)': (stream) => stream.close(http2.constants.NGHTTP2_CANCEL),
  'RST_STREAM REFUSED_STREAM (Unavailable)': (stream) => stream.close(http2.constants.NGHTTP2_REFUSED_STREAM),
};

/** etcdctl's warning lines carry a time and a client UUID. */
const mask = (stderr: Buffer) => stderr.toString('latin1').replace(/"ts":"[^"]*"/g, '"ts":TS').replace(/client-[0-9a-f-]+/g, 'client-ID');

describe('a server that answers over HTTP/2 but not as etcd (real etcdctl vs ours)', () => {
  let server: http2.Http2Server;
  let endpoint: string;
  let answer: Answer = () => undefined;

  before(async () => {
    requireEtcdBinaries();
    server = http2.createServer();
    server.on('stream', (stream) => {
      stream.on('error', () => undefined);
      answer(stream);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server?.close());

  for (const [name, respond] of Object.entries(ANSWERS)) {
    it(`${name}: the same error and exit code`, async () => {
      answer = respond;
      const options = { args: [`--endpoints=${endpoint}`, '--command-timeout=3s', 'get', 'foo'], env: cleanEnv() };
      const real = await runCli(REAL_ETCDCTL, options);
      const ours = await runCli(OUR_ETCDCTL, options);
      assert.equal(real.code, 1, `etcdctl: ${real.stderr}`);
      assert.match(mask(real.stderr), /^Error: rpc error: /m, 'etcdctl failed on the answer itself, not on a timeout');
      assert.equal(mask(ours.stderr), mask(real.stderr));
      assert.equal(ours.code, real.code);
      assert.equal(ours.stdout.length, 0);
    });
  }

  for (const [name, respond] of Object.entries(RETRIED)) {
    for (const args of [['get', 'foo'], ['put', 'foo', 'bar'], ['member', 'list']]) {
      it(`${name}, ${args.join(' ')}: tried again as clientv3 does, or not`, async () => {
        answer = respond;
        const options = { args: [`--endpoints=${endpoint}`, '--command-timeout=1s', ...args], env: cleanEnv() };
        const [real, ours] = await Promise.all([runCli(REAL_ETCDCTL, options), runCli(OUR_ETCDCTL, options)]);
        const lines = (stderr: Buffer) => mask(stderr).replace(/"attempt":\d+/g, '"attempt":N').trimEnd().split('\n');
        const [realLines, ourLines] = [lines(real.stderr), lines(ours.stderr)];
        assert.equal(ours.code, real.code);
        assert.equal(ourLines.at(-1), realLines.at(-1), 'the same final error');
        // (whether the deadline cuts the last try short, with a warning of its own, or the backoff before it, is timing)
        const distinct = (all: string[]) => [...new Set(all.filter((line) => !line.includes('code = DeadlineExceeded desc = context deadline exceeded')))].sort();
        assert.deepEqual(distinct(ourLines), distinct(realLines), 'the same lines, each warning as often as the tries');
        if (realLines.length === 2) assert.equal(ourLines.length, 2, 'one try, one warning');
        else assert.ok(realLines.length > 10 && ourLines.length > 10, `tried until the timeout: etcdctl ${realLines.length} lines, ours ${ourLines.length}`);
      });
    }
  }
});
