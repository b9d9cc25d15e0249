import { randomInt } from 'node:crypto';
import type { Timers } from '../timers.js';
import type { TokenInfo, TokenProvider } from './token-provider.js';

// etcd's simple tokens (server/auth/simple_token.go): `<16 random letters>.<raft index>`, held in
// memory only (a restart logs everyone out), each forgotten once unused for the TTL; every use
// restarts its TTL. Tokens of a user go when the user is deleted or its password changes. A token
// carries no revision of its own: it is checked at the store's current one, so a role change applies
// to the next request.

const PREFIX_LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const PREFIX_LENGTH = 16;
const TOKEN_FORMAT = /^[^.]*\.(\d+)$/;

export class SimpleTokens implements TokenProvider {
  private readonly tokens = new Map<string, { username: string; expiresAt: number }>();
  private enabled = false;

  constructor(private readonly timers: Pick<Timers, 'now'>, private readonly ttlMs: number) {}

  enable(): void {
    this.enabled = true;
  }

  /** Disabling forgets every token, as etcd's keeper does when it stops. */
  disable(): void {
    this.enabled = false;
    this.tokens.clear();
  }

  genPrefix(): string {
    let prefix = '';
    for (let i = 0; i < PREFIX_LENGTH; i++) prefix += PREFIX_LETTERS[randomInt(PREFIX_LETTERS.length)];
    return prefix;
  }

  assign(username: string, _revision: number, prefix: string, index: number): string {
    this.sweep();
    const token = `${prefix}.${index}`;
    this.tokens.set(token, { username, expiresAt: this.timers.now() + this.ttlMs });
    return token;
  }

  /** The token's user, or null when the token is malformed, unknown or expired; a use restarts its TTL. */
  info(token: string, appliedIndex: number, revision: number): TokenInfo | null {
    const m = TOKEN_FORMAT.exec(token);
    // etcd waits for a token from the future to be applied; on a single member it never is
    if (!this.enabled || !m || Number(m[1]) > appliedIndex) return null;
    const entry = this.tokens.get(token);
    if (!entry) return null;
    const now = this.timers.now();
    if (entry.expiresAt <= now) {
      this.tokens.delete(token);
      return null;
    }
    entry.expiresAt = now + this.ttlMs;
    return { username: entry.username, revision };
  }

  invalidateUser(username: string): void {
    for (const [token, entry] of this.tokens) if (entry.username === username) this.tokens.delete(token);
  }

  private sweep(): void {
    const now = this.timers.now();
    for (const [token, entry] of this.tokens) if (entry.expiresAt <= now) this.tokens.delete(token);
  }
}
