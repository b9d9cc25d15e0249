// Our server's TLS, against real etcd configured the same way where etcd is the yardstick: bad
// clients (plaintext on the TLS port, TLS on the plaintext port, a certificate from another CA, none,
// an expired one) get what etcdctl shows against etcd and leave the server serving; certificate
// rotation without a restart; --auto-tls's certificate shaped like etcd's; HTTP/1 pages over TLS;
// http and https on one port.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { freePort, startEtcd, type EtcdProcess } from '../helpers/etcd-process.js';
import { startOurServer, type OurServer } from '../helpers/our-server.js';
import { cleanEnv, REAL_ETCDCTL, runCli, type CliResult } from '../helpers/run-cli.js';
import { makeCrl, makeTestCerts, newCertAuthority, signCert, type KeyPair, type TestCerts } from '../helpers/tls-certs.js';

let dir: string;
let certs: TestCerts;
const QUICK = '--command-timeout=2s';

before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'etcdctl-ts-server-tls-'));
  certs = makeTestCerts(dir, ['root']);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const serverFlags = () => ['--cert-file', certs.server.cert, '--key-file', certs.server.key, '--trusted-ca-file', certs.ca, '--client-cert-auth'];
const tlsArgs = (pair: KeyPair | null, ca = certs.ca) => [`--cacert=${ca}`, ...(pair ? [`--cert=${pair.cert}`, `--key=${pair.key}`] : [])];
const etcdctl = (args: string[]) => runCli(REAL_ETCDCTL, { args, env: cleanEnv(), timeoutMs: 15_000 });
const lastLine = (r: CliResult) => r.stderr.toString().trimEnd().split('\n').pop();

describe('bad TLS clients: what etcdctl shows against etcd, and the server keeps serving', () => {
  let etcd: EtcdProcess;
  let etcdPlain: EtcdProcess;
  let ours: OurServer;
  let oursPlain: OurServer;

  before(async () => {
    [etcd, etcdPlain, ours, oursPlain] = await Promise.all([
      startEtcd(serverFlags(), { ca: certs.ca, ...certs.clients.root }),
      startEtcd(),
      startOurServer({ args: ['--listen-client-urls', 'https://127.0.0.1:0', ...serverFlags()] }),
      startOurServer(),
    ]);
  });
  after(() => Promise.all([etcd?.stop(), etcdPlain?.stop(), ours?.stop(), oursPlain?.stop()]));

  const cases: [string, (tlsEp: string, plainEp: string) => string[], RegExp | null][] = [
    ['a plaintext client on the TLS port', (ep) => [`--endpoints=http://${ep}`, QUICK, 'get', 'foo'], /first record does not look like a TLS handshake/],
    ['a TLS client on the plaintext port', (_ep, plain) => [`--endpoints=https://${plain}`, ...tlsArgs(certs.clients.root), QUICK, 'get', 'foo'], null],
    ['a client certificate from another CA', (ep) => [`--endpoints=https://${ep}`, ...tlsArgs(certs.foreignClient), QUICK, 'get', 'foo'], /certificate signed by unknown authority/],
    ['no client certificate with --client-cert-auth', (ep) => [`--endpoints=https://${ep}`, ...tlsArgs(null), QUICK, 'get', 'foo'], /client didn't provide a certificate/],
    ['an expired client certificate', (ep) => [`--endpoints=https://${ep}`, ...tlsArgs(certs.expiredClient), QUICK, 'get', 'foo'], /certificate has expired or is not yet valid/],
  ];
  for (const [name, args, wanted] of cases) {
    it(`${name}: etcd's answer, a "rejected connection" log line, and the server stays up`, async () => {
      const [real, mine] = await Promise.all([etcdctl(args(etcd.endpoint, etcdPlain.endpoint)), etcdctl(args(ours.endpoint, oursPlain.endpoint))]);
      assert.equal(real.code, 1, real.stderr.toString());
      assert.equal(lastLine(real), 'Error: context deadline exceeded');
      assert.equal(mine.code, real.code, mine.stderr.toString());
      assert.equal(lastLine(mine), lastLine(real));
      assert.equal(mine.stdout.toString(), real.stdout.toString());
      if (wanted) await logged(ours, new RegExp(`"msg":"rejected connection","remote-addr":"127\\.0\\.0\\.1:\\d+".*${wanted.source}`));
      for (const server of [ours, oursPlain]) assert.ok(server.alive());
      const good = await etcdctl([`--endpoints=https://${ours.endpoint}`, ...tlsArgs(certs.clients.root), 'put', 'still', 'up']);
      assert.equal(good.stdout.toString(), 'OK\n', good.stderr.toString());
      const plain = await etcdctl([`--endpoints=${oursPlain.endpoint}`, 'put', 'still', 'up']);
      assert.equal(plain.stdout.toString(), 'OK\n', plain.stderr.toString());
    });
  }

  it('serves /health and /metrics over TLS (HTTP/1, also when the client offers h2)', async () => {
    const get = (url: string, alpn?: string[]) =>
      new Promise<{ status: number; body: string; alpn: string | false | null }>((resolve, reject) => {
        const options: https.RequestOptions & tls.ConnectionOptions = { ca: readFileSync(certs.ca), cert: readFileSync(certs.clients.root.cert), key: readFileSync(certs.clients.root.key), ALPNProtocols: alpn, agent: false };
        const req = https.get(url, options, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode!, body, alpn: (res.socket as tls.TLSSocket).alpnProtocol }));
        });
        req.on('error', reject);
      });
    const health = await get(`https://${ours.endpoint}/health`);
    assert.deepEqual([health.status, health.body], [200, '{"health":"true"}']);
    const offered = await get(`https://${ours.endpoint}/health`, ['h2', 'http/1.1']);
    assert.deepEqual([offered.status, offered.body, offered.alpn], [200, '{"health":"true"}', 'http/1.1']);
    const metrics = await get(`https://${ours.endpoint}/metrics`);
    assert.match(metrics.body, /^process_resident_memory_bytes \d+$/m);
    const real = await get(`https://${etcd.endpoint}/health`);
    assert.equal(real.status, 200);
    // the JSON gateway rides on the same HTTP/1 side of the TLS port
    const body = await new Promise<string>((resolve, reject) => {
      const options: https.RequestOptions & tls.ConnectionOptions = {
        method: 'POST', ca: readFileSync(certs.ca), cert: readFileSync(certs.clients.root.cert), key: readFileSync(certs.clients.root.key), ALPNProtocols: ['h2', 'http/1.1'], agent: false,
      };
      const req = https.request(`https://${ours.endpoint}/v3/kv/range`, options, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ key: Buffer.from('still').toString('base64') }));
    });
    assert.match(body, /"kvs":\[\{"key":"c3RpbGw=".*"value":"dXA="/);
  });

  it('gRPC clients get ALPN h2 and the https client URL is what the member advertises', async () => {
    const socket = tls.connect({ host: '127.0.0.1', port: Number(ours.endpoint.split(':')[1]), ca: readFileSync(certs.ca), cert: readFileSync(certs.clients.root.cert), key: readFileSync(certs.clients.root.key), ALPNProtocols: ['h2'] });
    await new Promise((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    assert.equal(socket.alpnProtocol, 'h2');
    socket.destroy();
    const members = await etcdctl([`--endpoints=https://${ours.endpoint}`, ...tlsArgs(certs.clients.root), 'member', 'list']);
    assert.match(members.stdout.toString(), new RegExp(`, https://${ours.endpoint.replace(/\./g, '\\.')}, false\n$`));
  });
});

/** Waits (a little) for the server to log a line matching `pattern`: its log comes through a pipe. */
async function logged(server: OurServer, pattern: RegExp): Promise<void> {
  for (let i = 0; i < 40 && !pattern.test(server.log()); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.match(server.log(), pattern);
}

/** The certificate a TLS server presents to a new connection. */
async function presented(port: number): Promise<X509Certificate> {
  const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
  await new Promise((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
  const cert = socket.getPeerX509Certificate()!;
  socket.destroy();
  return cert;
}

describe('an expired server certificate', () => {
  it('etcdctl refuses it against etcd and against ours alike', async () => {
    const expired = signCert(dir, 'expired-server', 'localhost', certs.caPair, { days: -1, san: 'IP:127.0.0.1' });
    const flags = ['--cert-file', expired.cert, '--key-file', expired.key];
    const [etcd, ours] = await Promise.all([
      startEtcd(flags, { ca: certs.ca, insecure: true }),
      startOurServer({ args: ['--listen-client-urls', 'https://127.0.0.1:0', ...flags] }),
    ]);
    try {
      const run = (ep: string) => etcdctl([`--endpoints=https://${ep}`, `--cacert=${certs.ca}`, QUICK, 'get', 'foo']);
      const [real, mine] = await Promise.all([run(etcd.endpoint), run(ours.endpoint)]);
      assert.equal(real.code, 1);
      assert.equal(lastLine(real), 'Error: context deadline exceeded');
      assert.deepEqual([mine.code, lastLine(mine), mine.stdout.toString()], [real.code, lastLine(real), real.stdout.toString()]);
      assert.ok(ours.alive());
    } finally {
      await Promise.all([etcd.stop(), ours.stop()]);
    }
  });
});

describe('certificate rotation', () => {
  it('a certificate replaced on disk is served to new connections, without a restart', async () => {
    const live = path.join(dir, 'live');
    mkdirSync(live);
    const [cert, key] = [path.join(live, 'server.crt'), path.join(live, 'server.key')];
    copyFileSync(certs.server.cert, cert);
    copyFileSync(certs.server.key, key);
    // the new certificate comes from a new CA, so which one is served shows in who can connect
    const newCa = newCertAuthority(dir, 'rotated-ca');
    const rotated = signCert(dir, 'rotated-server', 'localhost', newCa, { san: 'IP:127.0.0.1' });
    const server = await startOurServer({ args: ['--listen-client-urls', 'https://127.0.0.1:0', '--cert-file', cert, '--key-file', key] });
    try {
      const port = Number(server.endpoint.split(':')[1]);
      const get = (ca: string) => etcdctl([`--endpoints=${server.url}`, `--cacert=${ca}`, QUICK, 'get', 'k']);
      assert.equal((await get(certs.ca)).code, 0);
      assert.equal((await get(newCa.cert)).code, 1);

      // a half-written pair (new certificate, old key) fails new handshakes, as in etcd, and is logged
      copyFileSync(rotated.cert, cert);
      assert.equal((await get(newCa.cert)).code, 1);
      await logged(server, /"msg":"failed to create peer certificate"/);

      writeFileSync(`${key}.tmp`, readFileSync(rotated.key));
      renameSync(`${key}.tmp`, key);
      assert.equal((await presented(port)).serialNumber, new X509Certificate(readFileSync(rotated.cert)).serialNumber);
      assert.equal((await get(newCa.cert)).code, 0);
      assert.equal((await get(certs.ca)).code, 1);
      assert.ok(server.alive());
    } finally {
      await server.stop();
    }
  });
});


describe('--auto-tls', () => {
  it("generates a certificate shaped like etcd's, reuses it after a restart, and serves with it", async () => {
    const realDir = mkdtempSync(path.join(os.tmpdir(), 'etcd-auto-tls-'));
    // etcd serves plain http here (the helper's client URL); with --auto-tls it writes the certificate all the same
    const etcd = await startEtcd(['--data-dir', realDir, '--auto-tls']);
    await etcd.stop();
    const theirs = new X509Certificate(readFileSync(path.join(realDir, 'fixtures', 'client', 'cert.pem')));
    rmSync(realDir, { recursive: true, force: true });

    const dataDir = path.join(dir, 'auto-tls.etcd');
    let server = await startOurServer({ dataDir, args: ['--listen-client-urls', 'https://127.0.0.1:0', '--auto-tls'] });
    try {
      const certFile = path.join(dataDir, 'fixtures', 'client', 'cert.pem');
      const mine = new X509Certificate(readFileSync(certFile));
      const shape = (c: X509Certificate) => ({
        subject: c.subject,
        issuer: c.issuer,
        ca: c.ca,
        keyUsage: c.keyUsage,
        curve: c.publicKey.asymmetricKeyDetails?.namedCurve,
        days: Math.round((Date.parse(c.validTo) - Date.parse(c.validFrom)) / 86_400_000),
        selfSigned: c.verify(c.publicKey),
      });
      assert.deepEqual(shape(mine), shape(theirs));
      assert.equal(mine.subjectAltName, 'IP Address:127.0.0.1');
      assert.equal((await presented(Number(server.endpoint.split(':')[1]))).fingerprint256, mine.fingerprint256);
      const put = await etcdctl([`--endpoints=${server.url}`, '--insecure-transport=false', '--insecure-skip-tls-verify', 'put', 'k', 'v']);
      assert.equal(put.stdout.toString(), 'OK\n', put.stderr.toString());
      assert.match(server.log(), /"msg":"automatically generate certificates"/);

      await server.stop();
      server = await startOurServer({ dataDir, args: ['--listen-client-urls', 'https://127.0.0.1:0', '--auto-tls'] });
      assert.equal(new X509Certificate(readFileSync(certFile)).fingerprint256, mine.fingerprint256);
      assert.equal((await presented(Number(server.endpoint.split(':')[1]))).fingerprint256, mine.fingerprint256);
    } finally {
      await server.stop();
    }
  });
});

describe('http and https listen URLs together', () => {
  it('serves each on its own port, and advertises both', async () => {
    const [httpPort, httpsPort] = [await freePort(), await freePort()];
    const server = await startOurServer({
      args: ['--listen-client-urls', `https://127.0.0.1:${httpsPort},http://127.0.0.1:${httpPort}`, '--cert-file', certs.server.cert, '--key-file', certs.server.key],
    });
    try {
      const plain = await etcdctl([`--endpoints=http://127.0.0.1:${httpPort}`, 'put', 'k', 'both']);
      assert.equal(plain.stdout.toString(), 'OK\n', plain.stderr.toString());
      const secure = await etcdctl([`--endpoints=https://127.0.0.1:${httpsPort}`, `--cacert=${certs.ca}`, 'member', 'list']);
      assert.match(secure.stdout.toString(), new RegExp(`, https://127\\.0\\.0\\.1:${httpsPort},http://127\\.0\\.0\\.1:${httpPort}, false\n$`));
      assert.equal((await etcdctl([`--endpoints=http://127.0.0.1:${httpsPort}`, QUICK, 'get', 'k'])).code, 1);
    } finally {
      await server.stop();
    }
  });
});

describe('http and https on one address', () => {
  it('tells a TLS handshake from plaintext by its first byte, as etcd serves both on one port', async () => {
    const server = await startOurServer({
      args: ['--listen-client-urls', 'http://127.0.0.1:0,https://127.0.0.1:0', '--cert-file', certs.server.cert, '--key-file', certs.server.key],
    });
    try {
      assert.match(server.log(), /serving client traffic insecurely.*\n.*serving client traffic securely/);
      const plain = await etcdctl([`--endpoints=http://${server.endpoint}`, 'put', 'k', 'plain']);
      assert.equal(plain.stdout.toString(), 'OK\n', plain.stderr.toString());
      const secure = await etcdctl([`--endpoints=https://${server.endpoint}`, `--cacert=${certs.ca}`, 'get', 'k', '--print-value-only']);
      assert.equal(secure.stdout.toString(), 'plain\n', secure.stderr.toString());
    } finally {
      await server.stop();
    }
  });
});

describe('--client-crl-file and --client-cert-allowed-hostname, against etcd', () => {
  it('refuses a revoked certificate and one not valid for the allowed host, as etcd does, and serves the rest', async () => {
    const good = signCert(dir, 'host-ok', 'root', certs.caPair, { san: 'DNS:client.example' });
    const revoked = signCert(dir, 'host-revoked', 'root', certs.caPair, { san: 'DNS:client.example' });
    const crl = makeCrl(dir, certs.caPair, [revoked]);
    const flags = [...serverFlags(), '--client-crl-file', crl, '--client-cert-allowed-hostname', 'client.example'];
    const [etcd, ours] = await Promise.all([
      startEtcd(flags, { ca: certs.ca, ...good }),
      startOurServer({ args: ['--listen-client-urls', 'https://127.0.0.1:0', ...flags] }),
    ]);
    try {
      for (const [pair, ok] of [[good, true], [revoked, false], [certs.clients.root, false]] as const) {
        const run = (ep: string) => etcdctl([`--endpoints=https://${ep}`, ...tlsArgs(pair), QUICK, 'put', 'k', 'v']);
        const [real, mine] = await Promise.all([run(etcd.endpoint), run(ours.endpoint)]);
        assert.equal(real.code, ok ? 0 : 1, `${pair.cert}: ${real.stderr}`);
        assert.equal(mine.code, real.code, `${pair.cert}: ${mine.stderr}`);
        assert.equal(lastLine(mine), lastLine(real));
        assert.equal(mine.stdout.toString(), real.stdout.toString());
      }
      await logged(ours, /"msg":"rejected connection".*"error":"transport: certificate serial [0-9a-f]+ revoked"/);
      await logged(ours, /"msg":"rejected connection".*"error":"client certificate authentication failed"/);
    } finally {
      await Promise.all([etcd.stop(), ours.stop()]);
    }
  });
});

describe('TLS versions and cipher suites', () => {
  const connect = (port: number, options: tls.ConnectionOptions) =>
    new Promise<tls.TLSSocket>((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, ca: readFileSync(certs.ca), ...options });
      socket.once('secureConnect', () => resolve(socket)).once('error', reject);
    });

  it('--tls-min-version TLS1.3 refuses a TLS 1.2 client', async () => {
    const server = await startOurServer({ args: ['--listen-client-urls', 'https://127.0.0.1:0', '--cert-file', certs.server.cert, '--key-file', certs.server.key, '--tls-min-version', 'TLS1.3'] });
    try {
      const port = Number(server.endpoint.split(':')[1]);
      const ok = await connect(port, {});
      assert.equal(ok.getProtocol(), 'TLSv1.3');
      ok.destroy();
      await assert.rejects(connect(port, { maxVersion: 'TLSv1.2' }));
      assert.ok(server.alive());
    } finally {
      await server.stop();
    }
  });

  it('--tls-max-version TLS1.2 with --cipher-suites (Go names) negotiates only those suites', async () => {
    const server = await startOurServer({
      args: ['--listen-client-urls', 'https://127.0.0.1:0', '--cert-file', certs.server.cert, '--key-file', certs.server.key,
        '--tls-max-version', 'TLS1.2', '--cipher-suites', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305'],
    });
    try {
      const port = Number(server.endpoint.split(':')[1]);
      const ok = await connect(port, {});
      assert.deepEqual([ok.getProtocol(), ok.getCipher().name], ['TLSv1.2', 'ECDHE-ECDSA-AES256-GCM-SHA384']);
      ok.destroy();
      await assert.rejects(connect(port, { ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' }));
      await logged(server, /"msg":"rejected connection".*"error":"tls: no cipher suite supported by both client and server"/);
      const put = await etcdctl([`--endpoints=${server.url}`, `--cacert=${certs.ca}`, 'put', 'k', 'v']);
      assert.equal(put.stdout.toString(), 'OK\n', put.stderr.toString());
    } finally {
      await server.stop();
    }
  });
});

describe('start-up errors', () => {
  it("an https client URL without a certificate: etcd's error text, and no server", async () => {
    const { spawnSync } = await import('node:child_process');
    const realDir = mkdtempSync(path.join(os.tmpdir(), 'etcd-no-cert-'));
    const real = spawnSync('etcd', ['--data-dir', realDir, '--listen-client-urls', 'https://127.0.0.1:0', '--advertise-client-urls', 'https://127.0.0.1:0',
      '--listen-peer-urls', 'http://127.0.0.1:0', '--logger', 'zap'], { encoding: 'utf8', timeout: 15_000 });
    rmSync(realDir, { recursive: true, force: true });
    const text = /"error":"(TLS key\/cert[^"]*)"/.exec(real.stderr)?.[1];
    assert.equal(text, 'TLS key/cert (--cert-file, --key-file) must be provided for client url https://127.0.0.1:0 with HTTPS scheme');
    await assert.rejects(startOurServer({ args: ['--listen-client-urls', 'https://127.0.0.1:0'] }), (err: Error) => err.message.includes(`etcdctl-ts server: ${text}`));
  });

  it('unreadable or mismatched certificate files stop the start, saying why', async () => {
    for (const [files, error] of [
      [['--cert-file', path.join(dir, 'missing.crt'), '--key-file', certs.server.key], `open ${path.join(dir, 'missing.crt')}: no such file or directory`],
      [['--cert-file', certs.server.cert, '--key-file', certs.clients.root.key], 'tls: private key does not match public key'],
      [['--cert-file', certs.server.cert], `KeyFile and CertFile must both be present[key: , cert: ${certs.server.cert}]`],
    ] as const) {
      await assert.rejects(startOurServer({ args: ['--listen-client-urls', 'https://127.0.0.1:0', ...files] }), (err: Error) =>
        err.message.includes(`"msg":"failed to listen on client URLs","urls":["https://127.0.0.1:0"],"error":${JSON.stringify(error)}`),
      );
    }
  });
});

describe('https --listen-metrics-urls (served with the client TLS settings, as etcd does)', () => {
  const fetchTls = (url: string, pair: KeyPair | null) =>
    new Promise<{ status: number; body: string } | { error: string }>((resolve) => {
      const options: https.RequestOptions & tls.ConnectionOptions = { ca: readFileSync(certs.ca), ...(pair ? { cert: readFileSync(pair.cert), key: readFileSync(pair.key) } : {}), agent: false };
      const req = https.get(url, options, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    });

  it('answers /metrics and /health over TLS with a client certificate, refuses a client without one, and serves nothing else', async () => {
    const [etcdPort, ourPort] = await Promise.all([freePort(), freePort()]);
    const [etcd, ours] = await Promise.all([
      startEtcd([...serverFlags(), '--listen-metrics-urls', `https://127.0.0.1:${etcdPort}`], { ca: certs.ca, ...certs.clients.root }),
      startOurServer({ args: [...serverFlags(), '--listen-metrics-urls', `https://127.0.0.1:${ourPort}`] }),
    ]);
    try {
      const probe = async (port: number) => {
        const metrics = await fetchTls(`https://127.0.0.1:${port}/metrics`, certs.clients.root);
        return {
          metrics: 'status' in metrics ? [metrics.status, /^etcd_server_has_leader 1$/m.test(metrics.body)] : metrics,
          health: await fetchTls(`https://127.0.0.1:${port}/health`, certs.clients.root),
          gateway: 'status' in (await fetchTls(`https://127.0.0.1:${port}/v3/kv/range`, certs.clients.root)) ? 'answered' : 'failed',
          version: await fetchTls(`https://127.0.0.1:${port}/version`, certs.clients.root),
          noClientCert: 'error' in (await fetchTls(`https://127.0.0.1:${port}/metrics`, null)) ? 'refused' : 'served',
        };
      };
      const [real, mine] = [await probe(etcdPort), await probe(ourPort)];
      assert.deepEqual(mine, real);
      assert.deepEqual(mine.metrics, [200, true]);
      assert.deepEqual(mine.version, { status: 404, body: '404 page not found\n' });
      assert.equal(mine.noClientCert, 'refused');
    } finally {
      await Promise.all([etcd.stop(), ours.stop()]);
    }
  });

  it("without a certificate: etcd's error, exit code 1", async () => {
    const { spawnSync } = await import('node:child_process');
    const realDir = mkdtempSync(path.join(os.tmpdir(), 'etcd-metrics-no-cert-'));
    const [clientPort, peerPort, metricsPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const real = spawnSync('etcd', ['--data-dir', realDir, '--listen-client-urls', `http://127.0.0.1:${clientPort}`, '--advertise-client-urls', `http://127.0.0.1:${clientPort}`,
      '--listen-peer-urls', `http://127.0.0.1:${peerPort}`, '--listen-metrics-urls', `https://127.0.0.1:${metricsPort}`, '--logger', 'zap'], { encoding: 'utf8', timeout: 15_000 });
    rmSync(realDir, { recursive: true, force: true });
    const fatal = (log: string) => log.split('\n').filter((l) => l.includes('"level":"fatal"')).map((l) => { const { msg, error } = JSON.parse(l); return { msg, error: error.replace(/:\d+:/, ':PORT:') }; });
    assert.equal(real.status, 1);
    const ourDir = mkdtempSync(path.join(os.tmpdir(), 'ours-metrics-no-cert-'));
    const ours = spawnSync(process.execPath, ['bin/etcdctl-ts.cjs', 'server', '--data-dir', ourDir, '--listen-client-urls', 'http://127.0.0.1:0',
      '--listen-metrics-urls', `https://127.0.0.1:${metricsPort}`], { encoding: 'utf8', timeout: 15_000 });
    rmSync(ourDir, { recursive: true, force: true });
    assert.equal(ours.status, 1, ours.stderr);
    assert.deepEqual(fatal(ours.stderr), fatal(real.stderr));
    assert.deepEqual(fatal(ours.stderr), [{ msg: 'discovery failed', error: 'cannot listen on TLS for 127.0.0.1:PORT: KeyFile and CertFile are not presented' }]);
  });
});
