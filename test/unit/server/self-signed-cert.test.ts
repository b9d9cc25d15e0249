import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { selfCert } from '../../../src/server/rpc/self-signed-cert.js';

// --auto-tls's certificate, as etcd's transport.SelfCert makes it (the e2e test compares it with etcd's own).

const dir = mkdtempSync(path.join(os.tmpdir(), 'self-cert-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('selfCert', () => {
  it('names every listen host (IPv4, IPv6, DNS), is valid for the given years, and keeps the key private', () => {
    const now = new Date('2026-01-02T03:04:05Z');
    const made = selfCert(path.join(dir, 'a'), ['127.0.0.1:2379', '[::1]:2379', 'localhost:2379', 'example.com:0'], 2, now);
    assert.equal(made.created, true);
    const cert = new X509Certificate(readFileSync(made.certFile));
    assert.equal(cert.subjectAltName, 'IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:localhost, DNS:example.com');
    assert.equal(cert.subject, 'O=etcd');
    assert.equal(new Date(cert.validFrom).toISOString(), '2026-01-02T03:04:05.000Z');
    assert.equal(new Date(cert.validTo).toISOString(), '2028-01-02T03:04:05.000Z');
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1']);
    assert.equal(cert.ca, false);
    assert.ok(cert.verify(cert.publicKey));
    assert.ok(cert.checkPrivateKey(createPrivateKey(readFileSync(made.keyFile))));
    assert.match(readFileSync(made.keyFile, 'utf8'), /^-----BEGIN EC PRIVATE KEY-----\n/);
    assert.equal(statSync(made.keyFile).mode & 0o777, 0o600);
    assert.equal(statSync(path.dirname(made.certFile)).mode & 0o777, 0o700);
  });

  it('uses GeneralizedTime past 2049, and reuses existing files', () => {
    const made = selfCert(path.join(dir, 'b'), ['127.0.0.1:2379'], 30, new Date('2040-06-01T00:00:00Z'));
    assert.equal(new Date(new X509Certificate(readFileSync(made.certFile)).validTo).getUTCFullYear(), 2070);
    const again = selfCert(path.join(dir, 'b'), ['127.0.0.1:2379'], 1);
    assert.deepEqual([again.created, again.certFile], [false, made.certFile]);
  });

  it("refuses a validity of 0 with etcd's words", () => {
    assert.throws(() => selfCert(path.join(dir, 'c'), [], 0), /^Error: selfSignedCertValidity is invalid,it should be greater than 0$/);
  });
});
