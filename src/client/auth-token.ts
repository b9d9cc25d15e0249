// clientv3's auth token: fetched once when the client starts (from the first endpoint that logs us in), sent
// with every call, and fetched again when a call finds it stale or a stream is opened (clientv3's stream
// interceptor logs in afresh for every new stream).
import { EtcdErrors } from '../api/etcd-errors.js';
import { RpcError } from './client.js';

/** One Authenticate call to one endpoint, failing with an RpcError; `waitForReady` waits for a connection rather than fail fast. */
export type Authenticate = (endpoint: string, deadline: number | undefined, waitForReady: boolean) => Promise<string>;

export class AuthToken {
  private token: string | undefined;
  private initial: Promise<void> | undefined;

  constructor(
    private readonly endpoints: readonly string[],
    private readonly authenticate: Authenticate,
  ) {}

  /**
   * The token to send, fetching it on first use. A failure here is etcdctl's failure to create its client (exit
   * 2); a server with auth disabled means no token, as clientv3 carries on without one.
   */
  async current(): Promise<string | undefined> {
    this.initial ??= this.fetch(undefined, false).catch((error: unknown) => {
      if (isAuthNotEnabled(error)) return;
      if (error instanceof RpcError) error.authFailure = true;
      throw error;
    });
    await this.initial;
    return this.token;
  }

  /**
   * Log in again; rejects with the login's error. clientv3's refreshToken (a stale token) forgets the old token
   * first, so calls made meanwhile go without one; its stream interceptor (`keep`) replaces it once logged in.
   * Either waits for a connection (a server being restarted), as clientv3's calls do.
   */
  async refresh(deadline: number | undefined, mode: 'forget' | 'keep'): Promise<void> {
    await this.current();
    if (mode === 'forget') this.token = undefined;
    await this.fetch(deadline, true);
  }

  /** clientv3's getToken: endpoints in order; `authentication is not enabled` stops at once, other errors try the next. */
  private async fetch(deadline: number | undefined, waitForReady: boolean): Promise<void> {
    let lastError: unknown;
    for (const endpoint of this.endpoints) {
      try {
        this.token = await this.authenticate(endpoint, deadline, waitForReady);
        return;
      } catch (error) {
        if (isAuthNotEnabled(error)) throw error;
        lastError = error;
      }
    }
    throw lastError;
  }
}

export function isAuthNotEnabled(error: unknown): boolean {
  return error instanceof RpcError && error.details === EtcdErrors.AuthNotEnabled.message;
}
