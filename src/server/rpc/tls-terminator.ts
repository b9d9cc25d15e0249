import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { ClientTlsConfig } from '../config.js';
import { GO_VERIFY_ERRORS, NODE_VERSION, OPENSSL_FILE_ERRORS, OPENSSL_HANDSHAKE_ERRORS, opensslCiphers, TlsConfigError } from './tls-options.js';

// TLS on the client port, as etcd's transport.TLSInfo.ServerConfig and its TLS listener set it up:
// the certificate files are read again for every new connection (etcd's GetCertificate does it per
// handshake), so a rotated certificate is served without a restart; a client certificate is
// required when a trusted CA is given or --client-cert-auth is on; the CRL and the allowed
// hostname are checked after the handshake. What comes out is a plain duplex socket for the
// HTTP/1-or-HTTP/2 sniffing that the plaintext port does too.

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

const sameBytes = (a: Buffer | null, b: Buffer | null) => a === b || (a !== null && b !== null && a.equals(b));
const sameFiles = (a: LoadedFiles, b: LoadedFiles) => sameBytes(a.cert, b.cert) && sameBytes(a.key, b.key) && sameBytes(a.ca, b.ca) && sameBytes(a.crl, b.crl);

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
    // a failed socket may have lost its address already: the one noted at accept() is the raw socket's
    const raw = (socket as unknown as { _parent?: Duplex })._parent;
    const remote = (raw && this.remotes.get(raw)) ?? `${socket.remoteAddress}:${socket.remotePort}`;
    this.log('warn', 'rejected connection', { 'remote-addr': remote, 'server-name': socket.servername || '', error });
    socket.destroy();
  }

  private readonly remotes = new WeakMap<Duplex, string>();

  /** Runs the handshake on an accepted socket (`remote`: its peer's address); a good one goes to `serve`. */
  accept(socket: Duplex, remote: string): void {
    this.remotes.set(socket, remote);
    try {
      this.refresh();
    } catch (err) {
      // etcd fails the handshake when the files cannot be loaded; the next connection tries again
      this.log('warn', 'failed to create peer certificate', { 'cert-file': this.config.certFile, 'key-file': this.config.keyFile, error: (err as Error).message });
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
