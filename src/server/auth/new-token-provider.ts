import fs from 'node:fs';
import { fail } from '../errors.js';
import type { Timers } from '../timers.js';
import { JwtTokens, parseJwtOptions } from './jwt-token.js';
import { SimpleTokens } from './simple-token.js';
import { ERR_INVALID_AUTH_OPTS, TokenProviderError, type TokenProvider } from './token-provider.js';

// etcd's NewTokenProvider: the token provider --auth-token names, or etcd's error for a bad value.

/** etcd's decomposeOpts: "type,key=value,..." with no bare or repeated option. */
export function decomposeTokenOptions(text: string): { type: string; options: Map<string, string> } {
  const [type, ...rest] = text.split(',');
  const options = new Map<string, string>();
  for (const option of rest) {
    const pair = option.split('=');
    if (pair.length !== 2 || options.has(pair[0]!)) throw new TokenProviderError(ERR_INVALID_AUTH_OPTS);
    options.set(pair[0]!, pair[1]!);
  }
  return { type: type!, options };
}

export interface TokenProviderDeps {
  timers: Pick<Timers, 'now'>;
  /** Reads a key file (etcd's ioutil.ReadFile); injected for tests. */
  readFile?: (path: string) => Buffer;
  warn?: (msg: string, fields?: Record<string, unknown>) => void;
}

/** etcd's NewTokenProvider: `simple` (with --auth-token-ttl), `jwt,...`, or '' for no tokens at all. */
export function newTokenProvider(authToken: string, simpleTtlMs: number, deps: TokenProviderDeps): TokenProvider {
  const { type, options } = decomposeTokenOptions(authToken);
  switch (type) {
    case 'simple':
      // as etcd, options after "simple" are parsed but not used
      return new SimpleTokens(deps.timers, simpleTtlMs);
    case 'jwt': {
      const jwt = parseJwtOptions(options, deps.readFile ?? ((p) => fs.readFileSync(p)));
      if (jwt.unknown.length > 0) deps.warn?.('unknown JWT options', { keys: jwt.unknown });
      return new JwtTokens(jwt, deps.timers);
    }
    case '':
      return NO_TOKENS;
    default:
      throw new TokenProviderError(ERR_INVALID_AUTH_OPTS);
  }
}

/** etcd's tokenNop: every login fails, no token is ever valid. */
const NO_TOKENS: TokenProvider = {
  enable: () => undefined,
  disable: () => undefined,
  invalidateUser: () => undefined,
  genPrefix: () => '',
  assign: () => fail('AuthFailed'),
  info: () => null,
};
