// The hint table for failures the e2e suite cannot produce on this machine (no route, a timed-out dial, a
// certificate not yet valid, a refused client certificate), and which errors get no hint at all.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recvLimitError, RpcError, sendLimitError, type TransportFailure } from '../../../src/client/client.js';
import { generalError } from '../../../src/cli/errors.js';
import { hintFor, rpcErrorOf, transportHint } from '../../../src/cli/error-hints.js';

const options = { endpoints: ['10.1.2.3:2379'], user: '', cacert: undefined, cert: '/etc/client.pem', key: undefined };
const failure = (code: string, extra: Partial<TransportFailure> = {}): TransportFailure => ({ address: '10.1.2.3:2379', code, tls: true, ...extra });
const cert = { subject: 'CN=etcd', issuer: 'CN=ca', subjectAltNames: ['DNS:etcd'], validFrom: 'Jan  2 03:04:05 2030 GMT', validTo: 'Jan  3 03:04:05 2030 GMT' };

describe('transportHint', () => {
  const cases: Array<[string, TransportFailure, RegExp]> = [
    ['no route', failure('EHOSTUNREACH'), /^no route to 10\.1\.2\.3 \(EHOSTUNREACH\)/],
    ['no network', failure('ENETUNREACH'), /^no route to 10\.1\.2\.3 \(ENETUNREACH\)/],
    ['DNS server failure', failure('EAI_AGAIN'), /^the name "10\.1\.2\.3" does not resolve \(DNS: EAI_AGAIN\)/],
    ['a dial that timed out', failure('ETIMEDOUT'), /^10\.1\.2\.3:2379 did not answer \(connection timed out\)/],
    ['not yet valid', failure('CERT_NOT_YET_VALID', { peerCertificate: cert }), /^the server's certificate is not valid until 2030-01-02 03:04:05 UTC/],
    ['a self-signed server certificate', failure('DEPTH_ZERO_SELF_SIGNED_CERT', { peerCertificate: cert }), /signed by CN=ca, not a CA we trust: pass that CA with --cacert=FILE$/],
    ['our client certificate refused', failure('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', { clientCertificate: true }), /^the server refused our client certificate --cert=\/etc\/client\.pem/],
    ['no client certificate (TLS 1.3 alert)', failure('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'), /^the server requires a client certificate/],
    ['IPv6 address', { address: '[::1]:2379', code: 'ECONNREFUSED', tls: false }, /^connection refused on \[::1\]:2379/],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => assert.match(transportHint(input, { options }) ?? '', expected));
  }
  it('an unknown code gets no hint: never a guess', () => assert.equal(transportHint(failure('EPIPE'), { options }), undefined));
});

describe('hintFor', () => {
  it('finds the RPC error a command wrapped', async () => {
    const rpc = new RpcError(4, 'context deadline exceeded', '10.1.2.3:2379');
    rpc.transportFailure = failure('ECONNREFUSED', { tls: false });
    const wrapped = generalError(`failed to grant lease (${rpc.message})`, rpc);
    assert.equal(rpcErrorOf(wrapped), rpc);
    assert.match((await hintFor(wrapped, { options })) ?? '', /^connection refused on 10\.1\.2\.3:2379/);
  });
  it('a deadline with no transport failure known, or an error not from an RPC, gets no hint', async () => {
    assert.equal(await hintFor(new RpcError(4, 'context deadline exceeded', 'x:1'), { options }), undefined);
    assert.equal(await hintFor(generalError('bad revision'), { options }), undefined);
    assert.equal(await hintFor(new Error('boom'), { options }), undefined);
  });
  it("the gRPC server's own size error names the limit", async () => {
    const rpc = new RpcError(8, 'grpc: received message larger than max (3000000 vs. 2097152)', 'x:1');
    assert.match((await hintFor(rpc, { options })) ?? '', /^the request \(3000000 bytes\) is over the server's limit of 1572864 bytes/);
  });
  it("this client's own limits (--max-request-bytes / --max-recv-bytes) are not blamed on the server", async () => {
    const sent = sendLimitError(3000010, 2097152, 'x:1');
    assert.match((await hintFor(sent, { options })) ?? '', /^the request \(3000010 bytes\) is over this client's send limit of 2097152 bytes, so it was not sent: raise --max-request-bytes/);
    // The same text as the server's, yet from this client's receive limit.
    const received = recvLimitError(79, 20, 'x:1');
    assert.equal(received.details, 'grpc: received message larger than max (79 vs. 20)');
    assert.match((await hintFor(received, { options })) ?? '', /^the response \(79 bytes\) is over this client's receive limit of 20 bytes: raise --max-recv-bytes/);
  });
  it('permission denied names the user only when there is one', async () => {
    const rpc = new RpcError(7, 'etcdserver: permission denied', 'x:1');
    assert.equal(await hintFor(rpc, { options }), undefined);
    assert.match((await hintFor(rpc, { options: { ...options, user: 'bob:pw' } })) ?? '', /^user "bob" has no role granting this/);
  });
});
