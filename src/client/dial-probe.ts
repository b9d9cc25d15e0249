// After a dial failed, one probe connection to the endpoint tells why: grpc-js keeps the socket or TLS error to
// itself and reports only "Failed to connect before the deadline". Each step has a short timeout, and the probe
// never sends a request: a TCP connect, a TLS handshake, the HTTP/2 preface, and the server's first frame.
import type { Socket } from 'node:net';
import { checkServerIdentity, connect as tlsConnect, type PeerCertificate, type TLSSocket } from 'node:tls';
import type { TransportFailure } from './client.js';

export interface ProbeOptions {
  /** Whether the failed dial used TLS. */
  tls: boolean;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** --insecure-skip-tls-verify: a certificate problem cannot be the cause. */
  skipVerify?: boolean;
  /** Stop after the TCP connect (all grpc-go's dial error needs). */
  tcpOnly?: boolean;
  /** For each step (connect, handshake, first frame). */
  stepTimeoutMs?: number;
}

const STEP_TIMEOUT_MS = 500;
// What the connect-only probe always allowed (for grpc-go's dial error, piped).
const TCP_ONLY_TIMEOUT_MS = 300;
// The client connection preface and an empty SETTINGS frame: an HTTP/2 server answers with its own SETTINGS.
const H2_PREFACE = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);
const SETTINGS_FRAME = 4;

/** `host:port` of an endpoint (`http://`, `https://` or none), or undefined for one that is not TCP (unix://). */
export function endpointAddress(endpoint: string): { host: string; port: number; address: string } | undefined {
  if (/^unix[s]?:/.test(endpoint)) return undefined;
  const address = endpoint.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
  const colon = address.lastIndexOf(':');
  if (colon < 0) return undefined;
  const port = Number(address.slice(colon + 1));
  if (!Number.isInteger(port) || port <= 0) return undefined;
  return { host: address.slice(0, colon).replace(/^\[|\]$/g, ''), port, address };
}

/** Why `endpoint` cannot be used, or undefined when the probe found nothing wrong (or the endpoint is not TCP). */
export async function probeEndpoint(endpoint: string, options: ProbeOptions): Promise<TransportFailure | undefined> {
  const target = endpointAddress(endpoint);
  if (!target) return undefined;
  const timeoutMs = options.stepTimeoutMs ?? (options.tcpOnly ? TCP_ONLY_TIMEOUT_MS : STEP_TIMEOUT_MS);
  const failure = (code: string, extra: Partial<TransportFailure> = {}): TransportFailure => ({ address: target.address, code, tls: options.tls, ...extra });

  const tcp = await openTcp(target.host, target.port, timeoutMs);
  if ('code' in tcp) return failure(tcp.code);
  if (options.tcpOnly) {
    tcp.socket.destroy();
    return undefined;
  }
  if (!options.tls) {
    const answer = await exchange(tcp.socket, H2_PREFACE, timeoutMs);
    if (isH2Settings(answer.data)) return undefined;
    return (await speaksTls(target.host, target.port, timeoutMs)) ? failure('PLAINTEXT_TO_TLS_PORT') : undefined;
  }

  const clientCertificate = Boolean(options.cert);
  const handshake = await startTls(tcp.socket, target.host, options, timeoutMs);
  if ('code' in handshake) {
    if (await speaksH2InPlaintext(target.host, target.port, timeoutMs)) return failure('TLS_TO_PLAINTEXT_PORT', { clientCertificate });
    return failure(handshake.code, { clientCertificate });
  }
  const { socket } = handshake;
  const peerCertificate = describeCertificate(socket.getPeerCertificate());
  if (!options.skipVerify) {
    const identityError = checkServerIdentity(target.host, socket.getPeerCertificate());
    const verifyCode = !socket.authorized ? String(socket.authorizationError) : identityError ? 'ERR_TLS_CERT_ALTNAME_INVALID' : undefined;
    if (verifyCode) {
      socket.destroy();
      return failure(verifyCode, { clientCertificate, peerCertificate });
    }
  }
  // TLS 1.3: the server checks our certificate (or its absence) after the handshake, and says so with an alert.
  const answer = await exchange(socket, H2_PREFACE, timeoutMs);
  if (answer.error) return failure(answer.error, { clientCertificate, peerCertificate });
  return undefined;
}

/** grpc-go's text for a dial error etcdctl shows (endpoint health and status print it), when it has one. */
export function grpcDialError(failure: TransportFailure | undefined): string | undefined {
  if (failure?.code !== 'ECONNREFUSED') return undefined;
  return `connection error: desc = "transport: Error while dialing dial tcp ${failure.address}: connect: connection refused"`;
}

// node:net is loaded here, not at start: a command whose dial succeeds never needs it (h2/tcp-connection.ts).
async function openTcp(host: string, port: number, timeoutMs: number): Promise<{ socket: Socket } | { code: string }> {
  const socket = (await import('node:net')).connect({ host, port });
  return settle(socket, 'connect', { socket }, timeoutMs);
}

/** A TLS handshake that records certificate problems instead of failing on them. */
async function startTls(socket: Socket, host: string, options: ProbeOptions, timeoutMs: number): Promise<{ socket: TLSSocket } | { code: string }> {
  const secure = tlsConnect({
    socket,
    ca: options.ca,
    cert: options.cert,
    key: options.key,
    servername: (await import('node:net')).isIP(host) ? undefined : host,
    ALPNProtocols: ['h2'],
    rejectUnauthorized: false,
  });
  return settle(secure, 'secureConnect', { socket: secure }, timeoutMs);
}

/** `value` once the socket emits `event`; its error's code (ETIMEDOUT after the timeout) otherwise, the socket destroyed. */
function settle<T>(socket: Socket, event: string, value: T, timeoutMs: number): Promise<T | { code: string }> {
  return new Promise((resolve) => {
    const fail = (code: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ code });
    };
    const timer = setTimeout(() => fail('ETIMEDOUT'), timeoutMs);
    socket.once(event, () => {
      clearTimeout(timer);
      resolve(value);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => fail(error.code ?? 'ECONNRESET'));
  });
}

/** Writes, then waits for the first bytes, an error, the end, or the timeout. */
function exchange(socket: Socket, bytes: Buffer, timeoutMs: number): Promise<{ data?: Buffer; error?: string }> {
  return new Promise((resolve) => {
    const done = (result: { data?: Buffer; error?: string }) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done({}), timeoutMs);
    socket.once('data', (data: Buffer) => done({ data }));
    socket.once('error', (error: NodeJS.ErrnoException) => done({ error: error.code ?? 'ECONNRESET' }));
    socket.once('close', () => done({}));
    socket.write(bytes);
  });
}

const isH2Settings = (data: Buffer | undefined) => data !== undefined && data.length >= 9 && data[3] === SETTINGS_FRAME;

async function speaksH2InPlaintext(host: string, port: number, timeoutMs: number): Promise<boolean> {
  const tcp = await openTcp(host, port, timeoutMs);
  if ('code' in tcp) return false;
  return isH2Settings((await exchange(tcp.socket, H2_PREFACE, timeoutMs)).data);
}

async function speaksTls(host: string, port: number, timeoutMs: number): Promise<boolean> {
  const tcp = await openTcp(host, port, timeoutMs);
  if ('code' in tcp) return false;
  const handshake = await startTls(tcp.socket, host, { tls: true }, timeoutMs);
  if ('code' in handshake) return false;
  handshake.socket.destroy();
  return true;
}

/** The server certificate's names and dates, as a TransportFailure carries them. */
export function describeCertificate(cert: PeerCertificate): TransportFailure['peerCertificate'] {
  if (!cert || Object.keys(cert).length === 0) return undefined;
  const name = (fields: Record<string, unknown> | undefined) => (fields?.CN ? `CN=${String(fields.CN)}` : '');
  return {
    subject: name(cert.subject as unknown as Record<string, unknown>),
    issuer: name(cert.issuer as unknown as Record<string, unknown>),
    subjectAltNames: cert.subjectaltname ? cert.subjectaltname.split(', ') : [],
    validFrom: cert.valid_from,
    validTo: cert.valid_to,
  };
}
