// Certificates for TLS tests, made with openssl (on every Debian image): a CA, a server certificate
// for the loopback address, client certificates named by their CN (the user etcd logs in as), one
// from another CA, and an expired one. EC P-256 keys: quick to generate.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface KeyPair {
  cert: string;
  key: string;
}

export interface TestCerts {
  dir: string;
  /** The CA that signed the server and client certificates. */
  ca: string;
  caPair: KeyPair;
  server: KeyPair;
  /** Client certificates by CN, signed by `ca`. */
  clients: Record<string, KeyPair>;
  /** CN=root, signed by a CA the server does not trust. */
  foreignClient: KeyPair;
  /** CN=root, signed by `ca`, expired yesterday. */
  expiredClient: KeyPair;
}

const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });

function newKey(file: string): void {
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', file]);
}

/** A self-signed certificate: a CA to sign others with. */
export function newCertAuthority(dir: string, name: string, cn = name): KeyPair {
  const pair = { cert: path.join(dir, `${name}.crt`), key: path.join(dir, `${name}.key`) };
  newKey(pair.key);
  openssl(['req', '-x509', '-new', '-key', pair.key, '-days', '2', '-subj', `/CN=${cn}`, '-out', pair.cert]);
  return pair;
}

/** A certificate for `cn` signed by `ca`; `days` may be negative (already expired). */
export function signCert(dir: string, name: string, cn: string, ca: KeyPair, opts: { days?: number; san?: string } = {}): KeyPair {
  const pair = { cert: path.join(dir, `${name}.crt`), key: path.join(dir, `${name}.key`) };
  const csr = path.join(dir, `${name}.csr`);
  newKey(pair.key);
  openssl(['req', '-new', '-key', pair.key, '-subj', `/CN=${cn}`, '-out', csr]);
  const ext: string[] = [];
  if (opts.san) {
    const extFile = path.join(dir, `${name}.ext`);
    writeFileSync(extFile, `subjectAltName=${opts.san}\n`);
    ext.push('-extfile', extFile);
  }
  openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', String(Date.now() * 1000 + Math.floor(Math.random() * 1000)),
    '-days', String(opts.days ?? 2), ...ext, '-out', pair.cert]);
  return pair;
}

export function makeTestCerts(dir: string, clientNames: string[] = ['root', 'alice']): TestCerts {
  const caPair = newCertAuthority(dir, 'ca', 'etcdctl-ts test CA');
  const otherCa = newCertAuthority(dir, 'other-ca', 'another CA');
  const server = signCert(dir, 'server', 'localhost', caPair, { san: 'IP:127.0.0.1,DNS:localhost' });
  const clients = Object.fromEntries(clientNames.map((cn) => [cn, signCert(dir, `client-${cn}`, cn, caPair)]));
  return {
    dir,
    ca: caPair.cert,
    caPair,
    server,
    clients,
    foreignClient: signCert(dir, 'foreign-root', 'root', otherCa),
    expiredClient: signCert(dir, 'expired-root', 'root', caPair, { days: -1 }),
  };
}

/** A CRL from `ca` revoking `revoked` (openssl ca needs a little database of its own). */
export function makeCrl(dir: string, ca: KeyPair, revoked: KeyPair[]): string {
  const work = path.join(dir, `crl-${path.basename(ca.cert, '.crt')}`);
  mkdirSync(work, { recursive: true });
  const config = path.join(work, 'ca.cnf');
  writeFileSync(path.join(work, 'index.txt'), '');
  writeFileSync(path.join(work, 'crlnumber'), '01\n');
  writeFileSync(config, `[ca]\ndefault_ca = dflt\n[dflt]\ndatabase = ${work}/index.txt\ncrlnumber = ${work}/crlnumber\ndefault_md = sha256\ndefault_crl_days = 2\n`);
  const ca_ = ['-config', config, '-keyfile', ca.key, '-cert', ca.cert];
  for (const pair of revoked) openssl(['ca', ...ca_, '-revoke', pair.cert]);
  const crl = path.join(work, 'ca.crl');
  openssl(['ca', ...ca_, '-gencrl', '-out', crl]);
  return crl;
}
