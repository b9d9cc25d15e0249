import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { ClientTlsConfig, TlsVersionName } from '../config.js';

// TLS on the client port, as etcd's transport.TLSInfo.ServerConfig and its TLS listener set it up:
// the certificate files are read again for every new connection (etcd's GetCertificate does it per
// handshake), so a rotated certificate is served without a restart; a client certificate is
// required when a trusted CA is given or --client-cert-auth is on; the CRL and the allowed
// hostname are checked after the handshake. What comes out is a plain duplex socket for the
// HTTP/1-or-HTTP/2 sniffing that the plaintext port does too.

export class TlsConfigError extends Error {}

/** Go's cipher suite names (crypto/tls, plus etcd's two CHACHA20 aliases) -> OpenSSL's. */
const GO_CIPHER_SUITES: Record<string, string | null> = {
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_CBC_SHA256: 'AES128-SHA256',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_RSA_WITH_3DES_EDE_CBC_SHA: 'DES-CBC3-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA: 'ECDHE-RSA-DES-CBC3-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: 'ECDHE-ECDSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: 'ECDHE-RSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  // Go knows the RC4 suites but OpenSSL 3 has none; TLS 1.3's are accepted and, as in Go, not configurable.
  TLS_RSA_WITH_RC4_128_SHA: null,
  TLS_ECDHE_ECDSA_WITH_RC4_128_SHA: null,
  TLS_ECDHE_RSA_WITH_RC4_128_SHA: null,
  TLS_AES_128_GCM_SHA256: '',
  TLS_AES_256_GCM_SHA384: '',
  TLS_CHACHA20_POLY1305_SHA256: '',
};
/** Go always enables every TLS 1.3 suite; naming only TLS 1.2 suites must not turn TLS 1.3 off in Node. */
const TLS13_SUITES = 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256';

/** etcd's tlsutil.GetCipherSuites, mapped to an OpenSSL cipher string; '' for the defaults. */
export function opensslCiphers(goNames: string[]): string {
  if (goNames.length === 0) return '';
  const out: string[] = [];
  for (const name of goNames) {
    const mapped = GO_CIPHER_SUITES[name];
    if (mapped === undefined) throw new TlsConfigError(`unexpected TLS cipher suite ${JSON.stringify(name)}`);
    if (mapped === null) throw new TlsConfigError(`TLS cipher suite ${JSON.stringify(name)} is not available in this server's TLS library (OpenSSL)`);
    if (mapped !== '') out.push(mapped);
  }
  return [...out, TLS13_SUITES].join(':');
}

/** etcd's tlsutil.GetTLSVersion (3.5): the values and the error text. */
export function parseTlsVersion(value: string): TlsVersionName {
  if (value === '' || value === 'TLS1.2' || value === 'TLS1.3') return value;
  throw new TlsConfigError(`unexpected TLS version ${JSON.stringify(value)} (must be one of: TLS1.2, TLS1.3)`);
}

const NODE_VERSION: Record<Exclude<TlsVersionName, ''>, tls.SecureVersion> = { 'TLS1.2': 'TLSv1.2', 'TLS1.3': 'TLSv1.3' };

/** What a request learns from its connection: the verified client certificate's CN, if any. */
export interface ConnectionPeer {
  readonly clientCommonName: string | null;
}
export const PLAINTEXT_PEER: ConnectionPeer = Object.freeze({ clientCommonName: null });

export type TlsLog = (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void;

interface LoadedFiles {
  cert: Buffer;
  key: Buffer;
  ca: Buffer | null;
  crl: Buffer | null;
}

const sameFiles = (a: LoadedFiles, b: LoadedFiles) =>
  a.cert.equals(b.cert) && a.key.equals(b.key) && (a.ca?.equals(b.ca ?? Buffer.alloc(0)) ?? b.ca === null) && (a.crl?.equals(b.crl ?? Buffer.alloc(0)) ?? b.crl === null);

/** OpenSSL's verification codes, as Go's x509 words them. */
const GO_VERIFY_ERRORS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'certificate has expired or is not yet valid',
  CERT_NOT_YET_VALID: 'certificate has expired or is not yet valid',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate signed by unknown authority',
  UNABLE_TO_GET_ISSUER_CERT: 'certificate signed by unknown authority',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate signed by unknown authority',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'certificate signed by unknown authority',
  SELF_SIGNED_CERT_IN_CHAIN: 'certificate signed by unknown authority',
};

/** OpenSSL's handshake failures that Go words differently. */
const OPENSSL_HANDSHAKE_ERRORS: Record<string, string> = {
  ERR_SSL_WRONG_VERSION_NUMBER: 'tls: first record does not look like a TLS handshake',
  ERR_SSL_HTTP_REQUEST: 'tls: first record does not look like a TLS handshake',
  ERR_SSL_UNSUPPORTED_PROTOCOL: 'tls: client offered only unsupported versions',
  ERR_SSL_NO_SHARED_CIPHER: 'tls: no cipher suite supported by both client and server',
};

/** Handshake time limit, etcd's tlsHandshakeTimeout. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

export class TlsTerminator {
  private readonly server: tls.Server;
  private files: LoadedFiles;
  private readonly requireClientCert: boolean;
  private readonly baseOptions: tls.SecureContextOptions;

  /** Reads and checks the files now: a server that cannot serve TLS must not start. */
  constructor(
    private readonly config: ClientTlsConfig,
    private readonly log: TlsLog,
    serve: (conn: net.Socket, peer: ConnectionPeer) => void,
  ) {
    if (!config.certFile || !config.keyFile) {
      throw new TlsConfigError(`KeyFile and CertFile must both be present[key: ${config.keyFile}, cert: ${config.certFile}]`);
    }
    this.requireClientCert = config.trustedCaFile !== '' || config.clientCertAuth;
    const ciphers = opensslCiphers(config.cipherSuites);
    this.baseOptions = {
      minVersion: config.minVersion ? NODE_VERSION[config.minVersion] : 'TLSv1.2',
      ...(config.maxVersion ? { maxVersion: NODE_VERSION[config.maxVersion] } : {}),
      ...(ciphers ? { ciphers, honorCipherOrder: true } : {}),
    };
    this.files = this.readFiles();
    const initial = this.contextOptions(this.files);
    secureContext(initial);
    this.server = tls.createServer({
      ...initial,
      // Verified below, after the handshake, so that a rejection is logged as etcd logs it.
      requestCert: this.requireClientCert,
      rejectUnauthorized: false,
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      // gRPC clients offer only h2; HTTP clients (curl, Go's http) also offer http/1.1, which
      // our HTTP/1 pages (/health, /metrics) speak.
      ALPNCallback: ({ protocols }) => (protocols.includes('http/1.1') ? 'http/1.1' : protocols.includes('h2') ? 'h2' : undefined),
    });
    this.server.on('tlsClientError', (err: Error & { code?: string }, socket: tls.TLSSocket) => {
      this.rejected(socket, (err.code && OPENSSL_HANDSHAKE_ERRORS[err.code]) || err.message);
    });
    this.server.on('secureConnection', (conn: tls.TLSSocket) => {
      const failure = this.verify(conn);
      if (failure) return this.rejected(conn, failure);
      serve(conn, { clientCommonName: this.commonName(conn) });
    });
  }

  private readFiles(): LoadedFiles {
    const read = (file: string) => {
      if (!file) return null;
      try {
        return fs.readFileSync(file);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new TlsConfigError(`open ${file}: ${code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message}`);
      }
    };
    return { cert: read(this.config.certFile)!, key: read(this.config.keyFile)!, ca: read(this.config.trustedCaFile), crl: read(this.config.crlFile) };
  }

  private contextOptions(files: LoadedFiles): tls.SecureContextOptions {
    return { ...this.baseOptions, cert: files.cert, key: files.key, ...(files.ca ? { ca: files.ca } : {}), ...(files.crl ? { crl: files.crl } : {}) };
  }

  /** A changed file on disk becomes the context of this and later connections. */
  private refresh(): void {
    const files = this.readFiles();
    if (sameFiles(files, this.files)) return;
    const options = this.contextOptions(files);
    secureContext(options); // throws on a bad pair before anything is replaced
    this.server.setSecureContext(options);
    this.files = files;
    this.log('info', 'reloaded TLS certificate files', { 'cert-file': this.config.certFile, 'key-file': this.config.keyFile });
  }

  private rejected(socket: tls.TLSSocket, error: string): void {
    this.log('warn', 'rejected connection', { 'remote-addr': `${socket.remoteAddress}:${socket.remotePort}`, 'server-name': socket.servername || '', error });
    socket.destroy();
  }

  /** Runs the handshake on an accepted socket; a good one goes to `serve`. */
  accept(socket: Duplex): void {
    try {
      this.refresh();
    } catch (err) {
      // etcd fails the handshake when the files cannot be loaded; the next connection tries again
      this.log('warn', 'failed to create peer certificate', { 'cert-file': this.config.certFile, 'key-file': this.config.keyFile, error: String(err) });
      socket.destroy();
      return;
    }
    this.server.emit('connection', socket);
  }

  /** Go's RequireAndVerifyClientCert, then etcd's CRL and allowed-hostname checks: an error text, or null. */
  private verify(conn: tls.TLSSocket): string | null {
    if (!this.requireClientCert) return null;
    const cert = conn.getPeerX509Certificate();
    if (!cert) return "tls: client didn't provide a certificate";
    if (!conn.authorized) {
      const reason = String(conn.authorizationError ?? '');
      if (reason === 'CERT_REVOKED') return `transport: certificate serial ${cert.serialNumber.toLowerCase()} revoked`;
      return `tls: failed to verify client certificate: x509: ${GO_VERIFY_ERRORS[reason] ?? reason}`;
    }
    const allowed = this.config.allowedHostname;
    if (allowed && !matchesHost(cert, allowed)) return 'client certificate authentication failed';
    return null;
  }

  private commonName(conn: tls.TLSSocket): string | null {
    if (!this.requireClientCert || !conn.authorized) return null;
    const cn = conn.getPeerCertificate().subject?.CN as string | string[] | undefined;
    if (cn === undefined) return '';
    // Go keeps the last CN of a subject that has several
    return Array.isArray(cn) ? cn[cn.length - 1] : cn;
  }
}

/** OpenSSL's complaints about the files, in Go's words where Go has them. */
const OPENSSL_FILE_ERRORS: Record<string, string> = {
  ERR_OSSL_PEM_NO_START_LINE: 'tls: failed to find any PEM data in certificate input',
  ERR_OSSL_X509_KEY_VALUES_MISMATCH: 'tls: private key does not match public key',
};

function secureContext(options: tls.SecureContextOptions): tls.SecureContext {
  try {
    return tls.createSecureContext(options);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    throw new TlsConfigError(OPENSSL_FILE_ERRORS[code] ?? (err as Error).message);
  }
}

/** Go's x509 VerifyHostname: IP SANs for an address, DNS SANs otherwise (the CN is not looked at). */
function matchesHost(cert: X509Certificate, host: string): boolean {
  if (net.isIP(host)) return cert.checkIP(host) !== undefined;
  return cert.checkHost(host, { subject: 'never' }) !== undefined;
}
