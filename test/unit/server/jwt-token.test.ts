import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import { newTokenProvider } from '../../../src/server/auth/new-token-provider.js';
import type { TokenProvider } from '../../../src/server/auth/token-provider.js';
import { EtcdError } from '../../../src/server/errors.js';

// --auth-token jwt as etcd 3.5 takes it (server/auth/jwt.go, options.go over golang-jwt v4): the
// option errors at start, every signing method etcd can key, verify-only public keys, and the tokens
// it must refuse (forged, tampered, "alg":"none", expired, malformed). Key files are in memory.

const pem = (k: { export(o: object): string | Buffer }, type: string) => String(k.export({ type, format: 'pem' }));
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaOther = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = (namedCurve: string) => generateKeyPairSync('ec', { namedCurve });
const [p256, p384, p521] = [ec('prime256v1'), ec('secp384r1'), ec('secp521r1')];
const ed = generateKeyPairSync('ed25519');
const FILES: Record<string, string> = {
  'rsa.key': pem(rsa.privateKey, 'pkcs8'),
  'rsa1.key': pem(rsa.privateKey, 'pkcs1'),
  'rsa.pub': pem(rsa.publicKey, 'spki'),
  'rsa-other.pub': pem(rsaOther.publicKey, 'spki'),
  'p256.key': pem(p256.privateKey, 'sec1'),
  'p256-pkcs8.key': pem(p256.privateKey, 'pkcs8'),
  'p256.pub': pem(p256.publicKey, 'spki'),
  'p384.key': pem(p384.privateKey, 'sec1'),
  'p384.pub': pem(p384.publicKey, 'spki'),
  'p521.key': pem(p521.privateKey, 'pkcs8'),
  'ed.key': pem(ed.privateKey, 'pkcs8'),
  'hmac.key': 'a shared secret\n',
  'garbage.key': 'not a key at all',
};
const readFile = (path: string): Buffer => {
  if (!(path in FILES)) throw new Error(`open ${path}: no such file or directory`);
  return Buffer.from(FILES[path]!);
};

let now = 1_800_000_000_000;
const timers = { now: () => now };
const provider = (opts: string): TokenProvider => newTokenProvider(`jwt,${opts}`, 300_000, { timers, readFile });
const refusal = (opts: string): string => {
  try {
    provider(opts);
  } catch (err) {
    return (err as Error).message;
  }
  return 'accepted';
};
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64url');
const parts = (token: string) => token.split('.') as [string, string, string];

describe('--auth-token jwt: refused at start with etcd 3.5 texts', () => {
  const cases: [opts: string, error: string][] = [
    ['sign-method=RS256', 'auth: missing key data'],
    ['sign-method=HS256', 'auth: missing key data'],
    ['sign-method=HS256,pub-key=rsa.pub', 'auth: missing key data'],
    ['priv-key=rsa.key', 'auth: invalid auth options'], // sign-method is required
    ['sign-method=rs256,priv-key=rsa.key', 'auth: invalid auth options'],
    ['sign-method=RS256,priv-key=missing.key', 'auth: invalid auth options'],
    ['sign-method=RS256,priv-key=rsa.key,ttl=5', 'auth: invalid auth options'],
    ['sign-method=RS256,priv-key=rsa.key,priv-key=rsa.key', 'auth: invalid auth options'],
    ['sign-method=RS256,priv-key', 'auth: invalid auth options'],
    ['sign-method=RS256,priv-key=a=b', 'auth: invalid auth options'],
    ['sign-method=EdDSA,priv-key=ed.key', 'unsupported signing method: *jwt.SigningMethodEd25519'],
    ['sign-method=none,priv-key=rsa.key', 'unsupported signing method: *jwt.signingMethodNone'],
    ['sign-method=RS256,priv-key=garbage.key', 'invalid key: Key must be a PEM encoded PKCS1 or PKCS8 key'],
    ['sign-method=RS256,priv-key=hmac.key', 'invalid key: Key must be a PEM encoded PKCS1 or PKCS8 key'],
    ['sign-method=RS256,priv-key=p256.key', 'x509: failed to parse private key (use ParseECPrivateKey instead for this key format)'],
    ['sign-method=RS256,priv-key=p256-pkcs8.key', 'key is not a valid RSA private key'],
    ['sign-method=PS256,pub-key=p256.pub', 'key is not a valid RSA public key'],
    ['sign-method=ES256,priv-key=rsa.key', 'key is not a valid ECDSA private key'],
    ['sign-method=ES256,priv-key=rsa1.key', 'x509: failed to parse private key (use ParsePKCS1PrivateKey instead for this key format)'],
    ['sign-method=ES256,pub-key=rsa.pub', 'key is not a valid ECDSA public key'],
    ['sign-method=ES256,priv-key=p256.key,pub-key=p384.pub', "auth: public and private keys don't match"],
  ];
  for (const [opts, error] of cases) it(`${opts}: ${error}`, () => assert.equal(refusal(opts), error));

  it("accepts what etcd accepts, its lax key comparison and unknown options included", () => {
    // etcd compares RSA keys with && where it means ||: same exponent, different modulus passes
    assert.equal(refusal('sign-method=RS256,priv-key=rsa.key,pub-key=rsa-other.pub'), 'accepted');
    assert.equal(refusal('sign-method=RS256,priv-key=rsa.key,foo=bar'), 'accepted');
    assert.equal(refusal('sign-method=ES384,priv-key=p256.key'), 'accepted'); // fails on each login instead
    assert.equal(refusal('sign-method=RS256,pub-key=rsa.pub,ttl=-1m'), 'accepted');
    const warnings: unknown[] = [];
    newTokenProvider('jwt,sign-method=HS512,priv-key=hmac.key,foo=bar', 1, { timers, readFile, warn: (msg, f) => warnings.push([msg, f]) });
    assert.deepEqual(warnings, [['unknown JWT options', { keys: ['foo'] }]]);
  });

  it('takes simple with options, refuses other types and bare options', () => {
    assert.equal(newTokenProvider('simple,foo=bar', 1, { timers }).genPrefix().length, 16);
    assert.throws(() => newTokenProvider('simple,foo', 1, { timers }), /^Error: auth: invalid auth options$/);
    assert.throws(() => newTokenProvider('bogus', 1, { timers }), /^Error: auth: invalid auth options$/);
    // '' is etcd's token-less provider: no login ever succeeds
    assert.throws(() => newTokenProvider('', 1, { timers }).assign('root', 1, '', 1), (e) => e instanceof EtcdError && e.kind === 'AuthFailed');
  });
});

describe('--auth-token jwt: tokens', () => {
  const methods: [method: string, keys: string][] = [
    ['RS256', 'priv-key=rsa.key'],
    ['RS384', 'priv-key=rsa1.key,pub-key=rsa.pub'],
    ['RS512', 'priv-key=rsa.key'],
    ['PS256', 'priv-key=rsa.key'],
    ['PS384', 'priv-key=rsa.key'],
    ['PS512', 'priv-key=rsa.key'],
    ['ES256', 'priv-key=p256.key,pub-key=p256.pub'],
    ['ES384', 'priv-key=p384.key'],
    ['ES512', 'priv-key=p521.key'],
    ['HS256', 'priv-key=hmac.key'],
    ['HS384', 'priv-key=hmac.key'],
    ['HS512', 'priv-key=hmac.key'],
  ];
  for (const [method, keys] of methods) {
    it(`${method}: signs {exp, revision, username}, verifies, refuses a changed byte`, () => {
      const tokens = provider(`sign-method=${method},${keys}`);
      const token = tokens.assign('al<i>ce', 7, '', 99);
      const [header, claims, signature] = parts(token);
      assert.equal(Buffer.from(header, 'base64url').toString(), `{"alg":"${method}","typ":"JWT"}`);
      assert.equal(Buffer.from(claims, 'base64url').toString(), `{"exp":${now / 1000 + 300},"revision":7,"username":"al\\u003ci\\u003ece"}`);
      assert.deepEqual(tokens.info(token, 0, 42), { username: 'al<i>ce', revision: 7 });
      const other = b64(`{"exp":${now / 1000 + 300},"revision":7,"username":"root"}`);
      assert.equal(tokens.info(`${header}.${other}.${signature}`, 0, 42), null);
      const flipped = Buffer.from(signature, 'base64url');
      flipped[5] ^= 1;
      assert.equal(tokens.info(`${header}.${claims}.${b64(flipped)}`, 0, 42), null);
    });
  }

  it('a public key alone verifies tokens signed elsewhere and signs none', () => {
    const signer = provider('sign-method=ES256,priv-key=p256.key');
    const verifier = provider('sign-method=ES256,pub-key=p256.pub');
    assert.deepEqual(verifier.info(signer.assign('bob', 3, '', 1), 0, 3), { username: 'bob', revision: 3 });
    assert.throws(() => verifier.assign('bob', 3, '', 1), /^Error: auth: token signing attempted with verify-only key$/);
    assert.throws(() => provider('sign-method=ES384,priv-key=p256.key').assign('bob', 3, '', 1), /^Error: key is invalid$/);
  });

  it('expires when the clock reaches exp (golang-jwt v4: now < exp), after the ttl option', () => {
    const tokens = provider('sign-method=HS256,priv-key=hmac.key,ttl=2s');
    const start = now;
    const token = tokens.assign('bob', 3, '', 1);
    now = start + 1999;
    assert.notEqual(tokens.info(token, 0, 3), null);
    now = start + 2000;
    assert.equal(tokens.info(token, 0, 3), null);
    now = start;
    assert.equal(provider('sign-method=HS256,priv-key=hmac.key,ttl=0s').info(provider('sign-method=HS256,priv-key=hmac.key,ttl=0s').assign('a', 1, '', 1), 0, 1), null);
  });

  it('refuses forged, "alg":"none", other-algorithm and malformed tokens', () => {
    const tokens = provider('sign-method=RS256,priv-key=rsa.key');
    const good = tokens.assign('root', 5, '', 1);
    const [, claims] = parts(good);
    const hs = (alg: string, secret: Buffer | string) => {
      const input = `${b64(`{"alg":"${alg}","typ":"JWT"}`)}.${claims}`;
      return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    };
    const forged = [
      `${b64('{"alg":"none","typ":"JWT"}')}.${claims}.`,
      `${b64('{"alg":"none"}')}.${claims}`,
      `${b64('{"typ":"JWT"}')}.${claims}.${parts(good)[2]}`,
      hs('HS256', FILES['rsa.pub']!), // the public key as an HMAC secret: the classic confusion
      hs('HS256', 'guess'),
      (() => {
        const input = `${b64('{"alg":"RS256","typ":"JWT"}')}.${claims}`;
        return `${input}.${sign('sha256', Buffer.from(input), rsaOther.privateKey).toString('base64url')}`;
      })(),
    ];
    for (const token of forged) assert.equal(tokens.info(token, 0, 5), null, token);
    const [h, c, s] = parts(good);
    const malformed = ['', '.', '..', 'garbage', 'a.b.c', `${h}.${c}`, `${h}.${c}.${s}.x`, `${h}.${c}.${s}=`, `${h}.${c}.${s.slice(0, -1)}!`,
      `${h}=.${c}.${s}`, `${h}.${c}.${s}`.repeat(50), '\u00ff\u00fe.\u0000.x', `${b64('[1]')}.${c}.${s}`];
    for (const token of malformed) assert.equal(tokens.info(token, 0, 5), null, token);
    assert.notEqual(tokens.info(good, 0, 5), null);
  });

  it('needs a string username and a numeric revision; checks iat and nbf as golang-jwt does', () => {
    const tokens = provider('sign-method=HS256,priv-key=hmac.key');
    const signed = (claims: object) => {
      const input = `${b64('{"alg":"HS256","typ":"JWT"}')}.${b64(JSON.stringify(claims))}`;
      return `${input}.${createHmac('sha256', FILES['hmac.key']!).update(input).digest('base64url')}`;
    };
    const sec = now / 1000;
    assert.deepEqual(tokens.info(signed({ username: 'a', revision: 2 }), 0, 1), { username: 'a', revision: 2 }); // no exp: no expiry
    assert.deepEqual(tokens.info(signed({ username: 'a', revision: 2, exp: 0 }), 0, 1), { username: 'a', revision: 2 });
    assert.equal(tokens.info(signed({ username: 'a', revision: '2' }), 0, 1), null);
    assert.equal(tokens.info(signed({ username: 1, revision: 2 }), 0, 1), null);
    assert.equal(tokens.info(signed({ username: 'a', revision: 2, exp: String(sec + 60) }), 0, 1), null);
    assert.equal(tokens.info(signed({ username: 'a', revision: 2, nbf: sec + 60 }), 0, 1), null);
    assert.equal(tokens.info(signed({ username: 'a', revision: 2, iat: sec + 60 }), 0, 1), null);
    assert.notEqual(tokens.info(signed({ username: 'a', revision: 2, iat: sec, nbf: sec }), 0, 1), null);
  });
});
