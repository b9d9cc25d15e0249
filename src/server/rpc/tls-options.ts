import type tls from 'node:tls';
import type { TlsVersionName } from '../config.js';

// etcd's TLS settings in Go's terms (cipher suite names, "TLS1.2"), turned into Node's (OpenSSL's
// cipher names, "TLSv1.2"), with etcd's errors for values it refuses; and OpenSSL's failures in
// the words Go (hence etcd's log) uses for them.

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

export const NODE_VERSION: Record<Exclude<TlsVersionName, ''>, tls.SecureVersion> = { 'TLS1.2': 'TLSv1.2', 'TLS1.3': 'TLSv1.3' };

/** OpenSSL's verification codes, as Go's x509 words them. */
export const GO_VERIFY_ERRORS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'certificate has expired or is not yet valid',
  CERT_NOT_YET_VALID: 'certificate has expired or is not yet valid',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate signed by unknown authority',
  UNABLE_TO_GET_ISSUER_CERT: 'certificate signed by unknown authority',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate signed by unknown authority',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'certificate signed by unknown authority',
  SELF_SIGNED_CERT_IN_CHAIN: 'certificate signed by unknown authority',
};

/** OpenSSL's handshake failures that Go words differently. */
export const OPENSSL_HANDSHAKE_ERRORS: Record<string, string> = {
  ERR_SSL_WRONG_VERSION_NUMBER: 'tls: first record does not look like a TLS handshake',
  ERR_SSL_HTTP_REQUEST: 'tls: first record does not look like a TLS handshake',
  ERR_SSL_UNSUPPORTED_PROTOCOL: 'tls: client offered only unsupported versions',
  ERR_SSL_NO_SHARED_CIPHER: 'tls: no cipher suite supported by both client and server',
};

/** OpenSSL's complaints about the files, in Go's words where Go has them. */
export const OPENSSL_FILE_ERRORS: Record<string, string> = {
  ERR_OSSL_PEM_NO_START_LINE: 'tls: failed to find any PEM data in certificate input',
  ERR_OSSL_X509_KEY_VALUES_MISMATCH: 'tls: private key does not match public key',
};
