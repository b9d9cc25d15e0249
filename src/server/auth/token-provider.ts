// etcd's TokenProvider (server/auth/store.go): what the auth store asks of simple tokens, JWTs and
// the "no tokens" provider (new-token-provider.ts picks one from --auth-token).

/** Who a token names, and the auth revision it carries (a JWT's claim; the store's own for simple tokens). */
export interface TokenInfo {
  username: string;
  revision: number;
}

export interface TokenProvider {
  enable(): void;
  disable(): void;
  /** Forgets the user's tokens (simple tokens only: a JWT stays valid until it expires). */
  invalidateUser(username: string): void;
  /** The random part of a simple token, chosen before the Authenticate entry applies; '' for the others. */
  genPrefix(): string;
  /** A new token for the user; `index` is the raft index the Authenticate entry applies at. Throws etcd's error. */
  assign(username: string, revision: number, prefix: string, index: number): string;
  /** null for a token this provider does not accept. `revision` is the store's current one. */
  info(token: string, appliedIndex: number, revision: number): TokenInfo | null;
}

/** An --auth-token value etcd refuses at start-up; the message is etcd's error text. */
export class TokenProviderError extends Error {}

export const ERR_INVALID_AUTH_OPTS = 'auth: invalid auth options';
