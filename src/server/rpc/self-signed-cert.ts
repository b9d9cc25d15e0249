import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

// etcd's --auto-tls (transport.SelfCert): an ECDSA P-521 key and a self-signed certificate for the
// listen hosts, O=etcd, server auth, valid for --self-signed-cert-validity years, written once to
// <dir>/cert.pem and <dir>/key.pem and reused while both exist. Node parses certificates but cannot
// make one, hence the few DER helpers below.

const der = (tag: number, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  const n = body.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
};
const seq = (...parts: Buffer[]) => der(0x30, ...parts);
const oid = (dotted: string): Buffer => {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * a + b];
  for (const v of rest) {
    const groups = [v & 0x7f];
    for (let x = v >>> 7; x > 0; x >>>= 7) groups.unshift((x & 0x7f) | 0x80);
    bytes.push(...groups);
  }
  return der(0x06, Buffer.from(bytes));
};
/** A positive INTEGER from big-endian bytes. */
const integer = (bytes: Buffer): Buffer => der(0x02, bytes[0] & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
/** X.509: UTCTime through 2049, GeneralizedTime after. */
const time = (d: Date): Buffer => {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  return d.getUTCFullYear() < 2050 ? der(0x17, Buffer.from(iso.slice(2))) : der(0x18, Buffer.from(iso));
};
const extension = (id: string, critical: boolean, value: Buffer) =>
  seq(oid(id), ...(critical ? [der(0x01, Buffer.from([0xff]))] : []), der(0x04, value));

const ECDSA_WITH_SHA512 = seq(oid('1.2.840.10045.4.3.4'));
const NAME_O_ETCD = seq(der(0x31, seq(oid('2.5.4.10'), der(0x13, Buffer.from('etcd')))));

export interface SelfCertFiles {
  certFile: string;
  keyFile: string;
  /** False when both files were already there. */
  created: boolean;
  notAfter?: Date;
}

/** etcd's SelfCert; `hosts` are the listen URLs' host:port parts. */
export function selfCert(dir: string, hosts: string[], validityYears: number, now = new Date()): SelfCertFiles {
  if (!(validityYears > 0)) throw new Error('selfSignedCertValidity is invalid,it should be greater than 0');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const certFile = path.resolve(dir, 'cert.pem');
  const keyFile = path.resolve(dir, 'key.pem');
  if (fs.existsSync(certFile) && fs.existsSync(keyFile)) return { certFile, keyFile, created: false };

  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-521' });
  const notAfter = new Date(now.getTime() + validityYears * 365 * 24 * 3600 * 1000);
  const serial = randomBytes(16);
  const altNames = hosts.map((hostPort) => {
    const host = hostPort.replace(/:\d*$/, '').replace(/^\[(.*)\]$/, '$1');
    if (net.isIPv4(host)) return der(0x87, Buffer.from(host.split('.').map(Number)));
    if (net.isIPv6(host)) return der(0x87, ipv6Bytes(host));
    return der(0x82, Buffer.from(host));
  });
  const extensions = [
    extension('2.5.29.15', true, der(0x03, Buffer.from([0x05, 0xa0]))), // digitalSignature, keyEncipherment
    extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))), // server auth
    extension('2.5.29.19', true, seq()), // not a CA
    ...(altNames.length ? [extension('2.5.29.17', false, seq(...altNames))] : []),
  ];
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))),
    integer(serial),
    ECDSA_WITH_SHA512,
    NAME_O_ETCD,
    seq(time(now), time(notAfter)),
    NAME_O_ETCD,
    publicKey.export({ type: 'spki', format: 'der' }),
    der(0xa3, seq(...extensions)),
  );
  const signature = sign('sha512', tbs, privateKey);
  const cert = seq(tbs, ECDSA_WITH_SHA512, der(0x03, Buffer.from([0]), signature));
  const pem = `-----BEGIN CERTIFICATE-----\n${cert.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;
  fs.writeFileSync(certFile, pem);
  fs.writeFileSync(keyFile, privateKey.export({ type: 'sec1', format: 'pem' }), { mode: 0o600 });
  return { certFile, keyFile, created: true, notAfter };
}

function ipv6Bytes(host: string): Buffer {
  const [head, tail = ''] = host.split('::');
  const words = (s: string) => (s ? s.split(':') : []);
  const h = words(head);
  const t = host.includes('::') ? words(tail) : [];
  const all = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.from(all.flatMap((w) => [parseInt(w, 16) >> 8, parseInt(w, 16) & 0xff]));
}
