import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseServerArgs } from '../../../src/server/cli.js';
import type { ServerConfig } from '../../../src/server/config.js';
import { opensslCiphers } from '../../../src/server/rpc/tls-options.js';

// The server's client TLS flags: etcd's names, defaults, ETCD_ variables, Go's boolean flag forms,
// and etcd's (3.5) errors for bad values and combinations.

const parse = (args: string[], env: NodeJS.ProcessEnv = {}) => parseServerArgs(args, env, () => undefined) as ServerConfig;
const HTTPS = ['--listen-client-urls', 'https://127.0.0.1:2379'];

describe('server TLS flags', () => {
  it("defaults to etcd's: no TLS, TLS 1.2 minimum (left to the library), certificates valid a year", () => {
    assert.deepEqual(parse([]).clientTls, {
      certFile: '', keyFile: '', trustedCaFile: '', clientCertAuth: false, crlFile: '', allowedHostname: '',
      cipherSuites: [], minVersion: '', maxVersion: '', autoTls: false, selfSignedCertValidity: 1,
    });
  });

  it('takes every flag, and the same as ETCD_ variables', () => {
    const flags = [
      ...HTTPS, '--cert-file', 's.crt', '--key-file=s.key', '--trusted-ca-file', 'ca.crt', '--client-cert-auth',
      '--client-crl-file', 'c.crl', '--client-cert-allowed-hostname', 'h.example', '--auto-tls', '--self-signed-cert-validity', '3',
      '--cipher-suites', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', '--tls-min-version', 'TLS1.2', '--tls-max-version', 'TLS1.3',
    ];
    const expected = {
      certFile: 's.crt', keyFile: 's.key', trustedCaFile: 'ca.crt', clientCertAuth: true, crlFile: 'c.crl', allowedHostname: 'h.example',
      cipherSuites: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'], minVersion: 'TLS1.2', maxVersion: 'TLS1.3',
      autoTls: true, selfSignedCertValidity: 3,
    };
    assert.deepEqual(parse(flags).clientTls, expected);
    const env = {
      ETCD_LISTEN_CLIENT_URLS: 'https://127.0.0.1:2379', ETCD_CERT_FILE: 's.crt', ETCD_KEY_FILE: 's.key', ETCD_TRUSTED_CA_FILE: 'ca.crt',
      ETCD_CLIENT_CERT_AUTH: 'true', ETCD_CLIENT_CRL_FILE: 'c.crl', ETCD_CLIENT_CERT_ALLOWED_HOSTNAME: 'h.example', ETCD_AUTO_TLS: '1',
      ETCD_SELF_SIGNED_CERT_VALIDITY: '3', ETCD_CIPHER_SUITES: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
      ETCD_TLS_MIN_VERSION: 'TLS1.2', ETCD_TLS_MAX_VERSION: 'TLS1.3',
    };
    assert.deepEqual(parse([], env).clientTls, expected);
  });

  it("reads boolean flags as Go does: bare, =true/=false, and Go's spellings", () => {
    assert.equal(parse(['--client-cert-auth']).clientTls.clientCertAuth, true);
    assert.equal(parse(['--client-cert-auth=false']).clientTls.clientCertAuth, false);
    assert.equal(parse(['--auto-tls=T']).clientTls.autoTls, true);
    assert.equal(parse([], { ETCD_CLIENT_CERT_AUTH: 'FALSE' }).clientTls.clientCertAuth, false);
    // a bare boolean flag takes no value: the next word is not its value
    assert.throws(() => parse(['--client-cert-auth', 'false']), /unexpected argument "false"/);
    assert.throws(() => parse(['--client-cert-auth=yes']), /invalid boolean value "yes" for -client-cert-auth: parse error/);
  });

  it("refuses an https client URL without a certificate with etcd's error, unless --auto-tls makes one", () => {
    assert.throws(() => parse(HTTPS), /^Error: TLS key\/cert \(--cert-file, --key-file\) must be provided for client url https:\/\/127\.0\.0\.1:2379 with HTTPS scheme$/);
    assert.equal(parse([...HTTPS, '--auto-tls']).clientTls.autoTls, true);
    assert.deepEqual(parse(['--listen-client-urls', 'http://127.0.0.1:1,https://127.0.0.1:2', '--cert-file', 'a', '--key-file', 'b']).listenClientUrls, [
      'http://127.0.0.1:1',
      'https://127.0.0.1:2',
    ]);
    assert.deepEqual(parse([...HTTPS, '--cert-file', 'a', '--key-file', 'b', '--advertise-client-urls', 'https://example.com:2379']).advertiseClientUrls, [
      'https://example.com:2379',
    ]);
  });

  it("refuses bad versions, cipher suites and combinations with etcd 3.5's errors", () => {
    assert.throws(() => parse(['--tls-min-version', 'TLS1.1']), /^Error: unexpected TLS version "TLS1.1" \(must be one of: TLS1.2, TLS1.3\)$/);
    assert.throws(() => parse(['--tls-max-version', 'tls1.3']), /unexpected TLS version "tls1.3"/);
    assert.throws(() => parse(['--tls-min-version', 'TLS1.3', '--tls-max-version', 'TLS1.2']), /^Error: min version \(TLS1.3\) is greater than max version \(TLS1.2\)$/);
    assert.throws(
      () => parse(['--tls-min-version', 'TLS1.3', '--cipher-suites', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256']),
      /^Error: cipher suites cannot be configured when only TLS1.3 is enabled$/,
    );
    assert.throws(() => parse(['--cipher-suites', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,FOO']), /^Error: unexpected TLS cipher suite "FOO"$/);
    assert.throws(() => parse(['--self-signed-cert-validity', '-1']), /invalid value "-1" for flag --self-signed-cert-validity/);
    assert.throws(() => parse(['--initial-advertise-peer-urls', 'https://127.0.0.1:2380']), /TLS is not supported by etcdctl-ts server on peer URLs/);
  });

  it("maps Go's cipher suite names to OpenSSL's, keeping TLS 1.3's suites on", () => {
    assert.equal(opensslCiphers([]), '');
    assert.equal(
      opensslCiphers(['TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305', 'TLS_RSA_WITH_AES_128_CBC_SHA', 'TLS_AES_128_GCM_SHA256']),
      'ECDHE-ECDSA-CHACHA20-POLY1305:AES128-SHA:TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256',
    );
    assert.throws(() => opensslCiphers(['TLS_RSA_WITH_RC4_128_SHA']), /not available in this server's TLS library/);
  });
});
