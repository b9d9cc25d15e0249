import { constants, createHmac, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { parseGoDuration } from '../../api/primitives/go-duration.js';
import type { Timers } from '../timers.js';
import { ecPrivateKey, ecPublicKey, publicJwk, rsaPrivateKey, rsaPublicKey } from './jwt-keys.js';
import { ERR_INVALID_AUTH_OPTS, TokenProviderError, type TokenInfo, type TokenProvider } from './token-provider.js';

// etcd's JWT tokens (server/auth/jwt.go, options.go; golang-jwt v4 in etcd 3.5, the same rules in 3.4):
// `jwt,sign-method=…,pub-key=…,priv-key=…[,ttl=…]`. A token is signed claims {exp, revision, username};
// the revision is the auth store's when the token was issued, so any later auth change makes it stale
// for key access ("revision of auth store is old") though it still names its user. A public key alone
// verifies tokens issued elsewhere but issues none. Tokens live in no table: a restart keeps them valid.

type Family = 'RSA' | 'RSAPSS' | 'ECDSA' | 'HMAC';

interface SignMethod {
  alg: string;
  family: Family;
  hash: 'sha256' | 'sha384' | 'sha512';
  /** ECDSA: the curve size the method requires and the size of r and s in a signature. */
  curveBits?: number;
  keyBytes?: number;
}

const methods = (family: Family, prefix: string): SignMethod[] =>
  ([256, 384, 512] as const).map((bits) => ({
    alg: `${prefix}${bits}`,
    family,
    hash: `sha${bits}` as const,
    ...(family === 'ECDSA' ? { curveBits: bits === 512 ? 521 : bits, keyBytes: bits === 512 ? 66 : bits / 8 } : {}),
  }));

/** golang-jwt's registry; EdDSA and none are registered there too, but etcd has no key for them. */
const SIGN_METHODS = new Map<string, SignMethod>(
  [...methods('RSA', 'RS'), ...methods('RSAPSS', 'PS'), ...methods('ECDSA', 'ES'), ...methods('HMAC', 'HS')].map((m) => [m.alg, m]),
);
/** What etcd's Key() says for a method it knows but cannot key (its %T). */
const UNKEYED_METHODS: Record<string, string> = { EdDSA: '*jwt.SigningMethodEd25519', none: '*jwt.signingMethodNone' };

const ERR_MISSING_KEY = 'auth: missing key data';
const ERR_KEY_MISMATCH = "auth: public and private keys don't match";
const ERR_VERIFY_ONLY = 'auth: token signing attempted with verify-only key';
const ERR_INVALID_KEY = 'key is invalid';
const DEFAULT_TTL_MS = 5 * 60 * 1000;
const KNOWN_OPTIONS = new Set(['sign-method', 'pub-key', 'priv-key', 'ttl']);

export interface JwtOptions {
  method: SignMethod;
  /** The signing key: private RSA/EC, or the HMAC secret; null when only a public key was given. */
  signingKey: KeyObject | Buffer | null;
  /** What verifies: the private key's public half (the pub-key file is then only compared), or the pub-key. */
  verifyingKey: KeyObject | Buffer;
  ttlMs: number;
  /** Options etcd does not know (it warns and goes on). */
  unknown: string[];
}

/** etcd's jwtOptions.ParseWithDefaults and Key(); throws TokenProviderError with etcd's text. */
export function parseJwtOptions(options: Map<string, string>, readFile: (path: string) => Buffer): JwtOptions {
  // parse errors all become ErrInvalidAuthOpts, as in etcd's newTokenProviderJWT
  const invalid = () => new TokenProviderError(ERR_INVALID_AUTH_OPTS);
  let ttlMs = DEFAULT_TTL_MS;
  const ttl = options.get('ttl') ?? '';
  if (ttl !== '') {
    try {
      ttlMs = parseGoDuration(ttl);
    } catch {
      throw invalid();
    }
  }
  const read = (name: string): Buffer => {
    const file = options.get(name) ?? '';
    if (file === '') return Buffer.alloc(0);
    try {
      return readFile(file);
    } catch {
      throw invalid();
    }
  };
  const publicPem = read('pub-key');
  const privatePem = read('priv-key');
  const alg = options.get('sign-method') ?? '';
  const method = SIGN_METHODS.get(alg);
  if (!method && !(alg in UNKEYED_METHODS)) throw invalid();
  const unknown = [...options.keys()].filter((k) => !KNOWN_OPTIONS.has(k));
  if (!method) throw new TokenProviderError(`unsupported signing method: ${UNKEYED_METHODS[alg]}`);
  try {
    return { method, ttlMs, unknown, ...keys(method.family, publicPem, privatePem) };
  } catch (err) {
    throw new TokenProviderError((err as Error).message);
  }
}

function keys(family: Family, publicPem: Buffer, privatePem: Buffer): Pick<JwtOptions, 'signingKey' | 'verifyingKey'> {
  if (family === 'HMAC') {
    if (privatePem.length === 0) throw new Error(ERR_MISSING_KEY);
    return { signingKey: privatePem, verifyingKey: privatePem };
  }
  const rsa = family !== 'ECDSA';
  const priv = privatePem.length > 0 ? (rsa ? rsaPrivateKey : ecPrivateKey)(privatePem) : null;
  const pub = publicPem.length > 0 ? (rsa ? rsaPublicKey : ecPublicKey)(publicPem) : null;
  if (!priv) {
    if (!pub) throw new Error(ERR_MISSING_KEY);
    return { signingKey: null, verifyingKey: pub };
  }
  if (pub) {
    // etcd's check, as written: the keys "mismatch" only when every compared part differs
    const [a, b] = [publicJwk(pub), publicJwk(priv)];
    const mismatch = rsa ? a.e !== b.e && a.n !== b.n : a.crv !== b.crv && a.x !== b.x && a.y !== b.y;
    if (mismatch) throw new Error(ERR_KEY_MISMATCH);
  }
  return { signingKey: priv, verifyingKey: priv };
}

// ---- encoding --------------------------------------------------------------------------------------

/** Go's encoding/json string: HTML characters and U+2028/9 escaped as \u00xx. */
function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Go's base64.RawURLEncoding.DecodeString (not strict): null for bytes it would refuse. */
function decodeSegment(seg: string): Buffer | null {
  if (!/^[A-Za-z0-9_-]*$/.test(seg) || seg.length % 4 === 1) return null;
  return Buffer.from(seg, 'base64url');
}

function parseObject(bytes: Buffer): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    if (value === null) return {};
    return typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** golang-jwt v4's MapClaims time checks: absent is fine, a number is compared in whole seconds, 0 means unset. */
function timeClaimOk(claims: Record<string, unknown>, name: string, ok: (at: number) => boolean): boolean {
  if (!(name in claims)) return true;
  const v = claims[name];
  if (typeof v !== 'number') return false;
  return v === 0 || ok(Math.floor(v));
}

// ---- the provider ----------------------------------------------------------------------------------

export class JwtTokens implements TokenProvider {
  constructor(private readonly options: JwtOptions, private readonly timers: Pick<Timers, 'now'>) {}

  enable(): void {}
  disable(): void {}
  invalidateUser(): void {}
  genPrefix(): string {
    return '';
  }

  assign(username: string, revision: number): string {
    const { method, signingKey, ttlMs } = this.options;
    if (!signingKey) throw new Error(ERR_VERIFY_ONLY);
    const exp = Math.floor((this.timers.now() + ttlMs) / 1000);
    // golang-jwt marshals both maps with sorted keys
    const header = `{"alg":"${method.alg}","typ":"JWT"}`;
    const claims = `{"exp":${exp},"revision":${revision},"username":${goJsonString(username)}}`;
    const signingInput = `${Buffer.from(header).toString('base64url')}.${Buffer.from(claims).toString('base64url')}`;
    return `${signingInput}.${this.sign(signingInput, signingKey).toString('base64url')}`;
  }

  private sign(input: string, key: KeyObject | Buffer): Buffer {
    const { method } = this.options;
    if (Buffer.isBuffer(key)) return createHmac(method.hash, key).update(input).digest();
    switch (method.family) {
      case 'RSAPSS':
        return sign(method.hash, Buffer.from(input), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST });
      case 'ECDSA': {
        const curveBits = { prime256v1: 256, secp384r1: 384, secp521r1: 521, secp224r1: 224 }[key.asymmetricKeyDetails?.namedCurve ?? ''];
        if (curveBits !== method.curveBits) throw new Error(ERR_INVALID_KEY);
        return sign(method.hash, Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
      }
      default:
        return sign(method.hash, Buffer.from(input), key);
    }
  }

  /** etcd's tokenJWT.info: a well-formed token of our algorithm, signed by our key, unexpired, with its two claims. */
  info(token: string): TokenInfo | null {
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    const [headerSeg, claimsSeg, signatureSeg] = parts as [string, string, string];
    const headerBytes = decodeSegment(headerSeg);
    const claimsBytes = decodeSegment(claimsSeg);
    const signature = decodeSegment(signatureSeg);
    if (!headerBytes || !claimsBytes || !signature) return null;
    const header = parseObject(headerBytes);
    const claims = parseObject(claimsBytes);
    // the header's alg must be the configured method: "none" or another key type never verifies
    if (!header || !claims || header.alg !== this.options.method.alg) return null;
    if (!this.verify(`${headerSeg}.${claimsSeg}`, signature)) return null;
    const now = Math.floor(this.timers.now() / 1000);
    if (!timeClaimOk(claims, 'exp', (exp) => now < exp)) return null;
    if (!timeClaimOk(claims, 'iat', (iat) => now >= iat)) return null;
    if (!timeClaimOk(claims, 'nbf', (nbf) => now >= nbf)) return null;
    const { username, revision } = claims;
    if (typeof username !== 'string' || typeof revision !== 'number') return null;
    // Go's uint64(float64): the fraction is dropped
    return { username, revision: Math.max(0, Math.trunc(revision)) };
  }

  private verify(input: string, signature: Buffer): boolean {
    const { method, verifyingKey: key } = this.options;
    try {
      if (Buffer.isBuffer(key)) {
        const expected = createHmac(method.hash, key).update(input).digest();
        return expected.length === signature.length && timingSafeEqual(expected, signature);
      }
      const data = Buffer.from(input);
      switch (method.family) {
        case 'RSAPSS':
          return verify(method.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, signature);
        case 'ECDSA':
          return signature.length === 2 * method.keyBytes! && verify(method.hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
        default:
          return verify(method.hash, data, key, signature);
      }
    } catch {
      return false;
    }
  }
}
