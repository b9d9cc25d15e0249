import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';

// The key files of --auth-token jwt, read as etcd reads them (golang-jwt's ParseRSA/ECPrivateKeyFromPEM
// and ...PublicKeyFromPEM over Go's crypto/x509): the first PEM block whatever its label, PKCS#1 or
// PKCS#8 (RSA), SEC 1 or PKCS#8 (EC), PKIX or a certificate (public keys), with their error texts.

export const ERR_KEY_MUST_BE_PEM = 'invalid key: Key must be a PEM encoded PKCS1 or PKCS8 key';

/** The DER bytes of the first PEM block (Go's pem.Decode), or null. */
function firstPemBlock(data: Buffer): Buffer | null {
  const m = /(?:^|\n)-----BEGIN ([^\n]*)-----\r?\n([\s\S]*?)\n?-----END \1-----/.exec(data.toString('latin1'));
  if (!m) return null;
  const body = m[2]!.split('\n').filter((line) => !line.includes(':')).join('').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) return null;
  return Buffer.from(body, 'base64');
}

const attempt = <T>(f: () => T): T | null => {
  try {
    return f();
  } catch {
    return null;
  }
};

/** Go's x509.ParsePKCS8PrivateKey knows RSA, ECDSA, Ed25519 and X25519 keys; its error for the others. */
const PKCS8_UNKNOWN_OIDS: Record<string, string> = {
  'rsa-pss': '1.2.840.113549.1.1.10',
  dsa: '1.2.840.10040.4.1',
  ed448: '1.3.101.113',
  x448: '1.3.101.111',
  dh: '1.2.840.113549.1.3.1',
};
/** The curves Go's crypto/elliptic has. */
const GO_CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1', 'secp224r1']);

type Der = { der: Buffer };
const pkcs1Private = ({ der }: Der) => attempt(() => createPrivateKey({ key: der, format: 'der', type: 'pkcs1' }));
const sec1Private = ({ der }: Der) => attempt(() => createPrivateKey({ key: der, format: 'der', type: 'sec1' }));

/** Go's ParsePKCS8PrivateKey: a key, or its error. */
function pkcs8Private({ der }: Der): KeyObject {
  const key = attempt(() => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
  if (!key) {
    if (sec1Private({ der })) throw new Error('x509: failed to parse private key (use ParseECPrivateKey instead for this key format)');
    if (pkcs1Private({ der })) throw new Error('x509: failed to parse private key (use ParsePKCS1PrivateKey instead for this key format)');
    throw new Error('x509: failed to parse private key (not PKCS #8)');
  }
  const oid = PKCS8_UNKNOWN_OIDS[key.asymmetricKeyType ?? ''];
  if (oid) throw new Error(`x509: PKCS#8 wrapping contained private key with unknown algorithm: ${oid}`);
  checkCurve(key);
  return key;
}

function checkCurve(key: KeyObject): void {
  if (key.asymmetricKeyType === 'ec' && !GO_CURVES.has(key.asymmetricKeyDetails?.namedCurve ?? '')) throw new Error('x509: unknown elliptic curve');
}

/** Go's ParsePKIXPublicKey, then ParseCertificate: a key, or the certificate's error. */
function pkixOrCertificatePublic({ der }: Der): KeyObject {
  const key = attempt(() => createPublicKey({ key: der, format: 'der', type: 'spki' })) ?? attempt(() => new X509Certificate(der).publicKey);
  if (!key) throw new Error('x509: malformed certificate');
  checkCurve(key);
  return key;
}

function pemDer(data: Buffer): Der {
  const der = firstPemBlock(data);
  if (!der) throw new Error(ERR_KEY_MUST_BE_PEM);
  return { der };
}

/** golang-jwt's ParseRSAPrivateKeyFromPEM. */
export function rsaPrivateKey(data: Buffer): KeyObject {
  const der = pemDer(data);
  const key = pkcs1Private(der) ?? pkcs8Private(der);
  if (key.asymmetricKeyType !== 'rsa') throw new Error('key is not a valid RSA private key');
  return key;
}

/** golang-jwt's ParseRSAPublicKeyFromPEM. */
export function rsaPublicKey(data: Buffer): KeyObject {
  const key = pkixOrCertificatePublic(pemDer(data));
  if (key.asymmetricKeyType !== 'rsa') throw new Error('key is not a valid RSA public key');
  return key;
}

/** golang-jwt's ParseECPrivateKeyFromPEM. */
export function ecPrivateKey(data: Buffer): KeyObject {
  const der = pemDer(data);
  const sec1 = sec1Private(der);
  if (sec1) checkCurve(sec1);
  const key = sec1 ?? pkcs8Private(der);
  if (key.asymmetricKeyType !== 'ec') throw new Error('key is not a valid ECDSA private key');
  return key;
}

/** golang-jwt's ParseECPublicKeyFromPEM. */
export function ecPublicKey(data: Buffer): KeyObject {
  const key = pkixOrCertificatePublic(pemDer(data));
  if (key.asymmetricKeyType !== 'ec') throw new Error('key is not a valid ECDSA public key');
  return key;
}

/** The public half's JWK fields (n/e for RSA, crv/x/y for EC), to compare keys as etcd does. */
export function publicJwk(key: KeyObject): Record<string, string> {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ format: 'jwk' }) as Record<string, string>;
}
