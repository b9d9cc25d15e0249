// The second line of a failure on a terminal: what actually happened, and what to do. It is built from the failure
// itself (the transport's or the probe's error code, the server's own error text, the size of the request that was
// refused) and, for a request too large, one more request that makes the server state its limit. Never a guess:
// a failure it cannot explain gets no second line.
import { EtcdErrors } from '../api/etcd-errors.js';
import type { EtcdClient, RpcError, TransportFailure } from '../client/client.js';
import type { GlobalOptions } from './global-flags.js';

export interface HintContext {
  options: Pick<GlobalOptions, 'endpoints' | 'user' | 'cacert' | 'cert' | 'key'>;
  /** The command's client, still open, for the one probe request some hints need. */
  client?: EtcdClient;
  /** How long that probe may take. */
  probeTimeoutMs?: number;
}

const PROGRAM = 'etcdctl-ts';
/** etcd's gRPC server accepts messages this much larger than --max-request-bytes (grpcOverheadBytes). */
const GRPC_OVERHEAD_BYTES = 512 * 1024;
const PROBE_TIMEOUT_MS = 2_000;
const ENVELOPE_MARGIN_BYTES = 1024;
const LIMIT_IN_GRPC_ERROR = /^grpc: received message larger than max \((\d+) vs\. (\d+)\)$/;

/** The RpcError behind an error: itself, or the cause a command wrapped it in. */
export function rpcErrorOf(error: unknown): RpcError | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (isRpcError(e)) return e;
  }
  return undefined;
}

// By shape rather than instanceof: either client module (the etcd3 adapter or another transport) may have made it.
const isRpcError = (e: Error): e is RpcError => typeof (e as Partial<RpcError>).code === 'number' && typeof (e as Partial<RpcError>).details === 'string';

export async function hintFor(error: unknown, context: HintContext): Promise<string | undefined> {
  const rpc = rpcErrorOf(error);
  if (!rpc) return undefined;
  if (rpc.transportFailure) return transportHint(rpc.transportFailure, context);
  if (rpc.clientLimit) return clientLimitHint(rpc.clientLimit);
  switch (rpc.details) {
    case EtcdErrors.UserEmpty.message:
      return 'the server has authentication enabled and no user was given: pass --user=NAME (the password is asked for) or --user=NAME:PASSWORD';
    case EtcdErrors.AuthFailed.message:
      return `the server knows no user ${JSON.stringify(userName(context))} with that password (it does not say which is wrong): check --user (and --password)`;
    case EtcdErrors.PermissionDenied.message:
      return context.options.user
        ? `user ${JSON.stringify(userName(context))} has no role granting this on these keys: see \`${PROGRAM} user get ${userName(context)}\` and \`${PROGRAM} role get ROLE\``
        : undefined;
    case EtcdErrors.NoSpace.message:
      return quotaHint(context);
    case EtcdErrors.RequestTooLarge.message:
      return tooLargeHint(rpc, context);
  }
  const limit = LIMIT_IN_GRPC_ERROR.exec(rpc.details);
  if (limit) return limitHint(Number(limit[1]), Number(limit[2]) - GRPC_OVERHEAD_BYTES);
  return undefined;
}

function userName(context: HintContext): string {
  const { user } = context.options;
  return user.includes(':') ? user.slice(0, user.indexOf(':')) : user;
}

/** TLS certificate checks that fail because no trusted CA signed the server's certificate. */
const UNKNOWN_AUTHORITY = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
]);
/** TLS alerts a server sends about the client's certificate (Go sends bad_certificate when there is none). */
const CLIENT_CERT_ALERTS = new Set([
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED',
  'ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR',
]);

export function transportHint(failure: TransportFailure, context: HintContext): string | undefined {
  const { address, code, peerCertificate: cert } = failure;
  const host = address.slice(0, address.lastIndexOf(':')).replace(/^\[|\]$/g, '');
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused on ${address}: nothing listens there; is etcd running, and is that the right port in --endpoints?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NODATA':
      return `the name ${JSON.stringify(host)} does not resolve (DNS: ${code}): check the host in --endpoints`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `no route to ${host} (${code}): the network cannot reach that address; check --endpoints, routes and firewalls`;
    case 'ETIMEDOUT':
      return `${address} did not answer (connection timed out): a firewall may be dropping packets, or the host is down`;
    case 'ECONNRESET':
      return `${address} closed the connection before answering: is it an etcd client port?`;
    case 'CERT_HAS_EXPIRED':
      return `the server's certificate${cert?.subject ? ` (${cert.subject})` : ''} expired on ${isoDate(cert?.validTo)}: renew it on the server`;
    case 'CERT_NOT_YET_VALID':
      return `the server's certificate is not valid until ${isoDate(cert?.validFrom)}: check the clocks of both machines`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `the server's certificate is for ${certNames(cert)}, not ${host}: use one of those names in --endpoints, or reissue the certificate for ${host}`;
    case 'PLAINTEXT_TO_TLS_PORT':
      return `${address} speaks TLS but we connected in plaintext: use https://${address} in --endpoints, with --cacert=FILE for its CA`;
    case 'TLS_TO_PLAINTEXT_PORT':
      return `${address} speaks plaintext but we connected with TLS: use http://${address} in --endpoints, without --cacert/--cert/--key`;
  }
  if (UNKNOWN_AUTHORITY.has(code)) {
    const who = cert?.issuer ? `signed by ${cert.issuer}` : 'signed by a CA we do not trust';
    const fix = context.options.cacert ? `--cacert=${context.options.cacert} is not that CA: pass the CA that signed it` : 'pass that CA with --cacert=FILE';
    return `the server's certificate (${code}) is ${who}, not a CA we trust: ${fix}`;
  }
  if (CLIENT_CERT_ALERTS.has(code)) {
    if (!failure.clientCertificate) return `the server requires a client certificate (TLS alert ${code}): pass --cert=FILE --key=FILE, signed by a CA the server trusts`;
    return `the server refused our client certificate --cert=${context.options.cert} (TLS alert ${code}): it must be signed by a CA the server trusts (its --trusted-ca-file) and not expired`;
  }
  return undefined;
}

function certNames(cert: TransportFailure['peerCertificate']): string {
  if (!cert) return 'other names';
  const names = cert.subjectAltNames.map((n) => n.replace(/^IP Address:/, 'IP:'));
  if (names.length > 0) return names.join(', ');
  return cert.subject || 'no name';
}

/** Node prints certificate dates as `Dec  3 17:33:49 2026 GMT`. */
function isoDate(text: string | undefined): string {
  if (!text) return 'a date in the past';
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? text : date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/** Reads still work under NOSPACE: one serializable Range tells the revision to compact up to. */
async function quotaHint(context: HintContext): Promise<string> {
  let revision = `$(${PROGRAM} endpoint status -w json | grep -o '"revision":[0-9]*' | grep -o '[0-9]*')`;
  try {
    const response = await context.client?.kv.range({ key: Buffer.from([0]), limit: 1, serializable: true, keys_only: true }, { timeoutMs: probeTimeout(context) });
    if (response?.header?.revision !== undefined) revision = String(response.header.revision);
  } catch {
    // The command in the hint finds the revision itself.
  }
  return (
    `the database is over its space quota (--quota-backend-bytes) and the NOSPACE alarm keeps it read-only: ` +
    `compact, defragment, then disarm the alarm (with this command's --endpoints and credentials): ` +
    `${PROGRAM} compact ${revision} && ${PROGRAM} defrag && ${PROGRAM} alarm disarm`
  );
}

const probeTimeout = (context: HintContext) => context.probeTimeoutMs ?? PROBE_TIMEOUT_MS;

/**
 * etcd's error does not name its limit, but its gRPC server does, for a message larger than the limit plus 512 KiB:
 * a Range request for a key that large (never applied, nothing written) makes it say so.
 */
async function tooLargeHint(rpc: RpcError, context: HintContext): Promise<string> {
  const size = rpc.requestBytes;
  let limit: number | undefined;
  if (size !== undefined && context.client) {
    try {
      // etcd measures the request inside its raft envelope (a header of a few dozen bytes): a margin covers that.
      const key = Buffer.alloc(size + GRPC_OVERHEAD_BYTES + ENVELOPE_MARGIN_BYTES, 0x61);
      await context.client.kv.range({ key, limit: 1, serializable: true }, { timeoutMs: probeTimeout(context) });
    } catch (error) {
      const match = LIMIT_IN_GRPC_ERROR.exec(rpcErrorOf(error)?.details ?? '');
      if (match) limit = Number(match[2]) - GRPC_OVERHEAD_BYTES;
    }
  }
  return limitHint(size, limit);
}

/** A message over this client's own limit (etcdctl 3.6's --max-request-bytes / --max-recv-bytes): the server saw nothing. */
function clientLimitHint({ kind, size, limit }: NonNullable<RpcError['clientLimit']>): string {
  return kind === 'send'
    ? `the request (${size} bytes) is over this client's send limit of ${limit} bytes, so it was not sent: raise --max-request-bytes (2 MiB when not given), or send smaller values or fewer operations per request`
    : `the response (${size} bytes) is over this client's receive limit of ${limit} bytes: raise --max-recv-bytes, or ask for less (--limit, --keys-only)`;
}

function limitHint(size: number | undefined, limit: number | undefined): string {
  const request = size === undefined ? 'the request' : `the request (${size} bytes)`;
  const serverLimit = limit === undefined ? "the server's --max-request-bytes" : `the server's limit of ${limit} bytes (--max-request-bytes)`;
  return `${request} is over ${serverLimit}: send smaller values or fewer operations per request, or raise --max-request-bytes on the server`;
}
