// What every EtcdClient transport does the same way, as clientv3 does it: unary calls retried and failed over
// on Unavailable, the auth token sent and refreshed when stale, --dial-timeout waited for the first endpoint to
// become ready, and clientv3's warning for each failed attempt. A transport supplies connections and calls.
import { EtcdErrors, GrpcCode, isEtcdErrorMessage } from '../api/etcd-errors.js';
import { isAuthNotEnabled, AuthToken } from './auth-token.js';
import { isStaleAuthError, MAX_UNARY_ATTEMPTS, retryBackoffMs } from './auth-retry.js';
import {
  type CallOptions,
  type ClientConfig,
  clientMessageLimits,
  DEADLINE_DETAILS,
  type EtcdClient,
  type EtcdServices,
  type GrpcStream,
  RpcError,
  type ServiceName,
  type StreamName,
  type TransportFailure,
} from './client.js';
import { grpcDialError } from './dial-probe.js';
import { BIDI_STREAM_METHODS, REPEATABLE_METHODS, rpcName, SERVER_STREAM_METHODS, UNARY_METHODS } from './rpc-methods.js';

export abstract class BalancedClient<Connection> implements EtcdClient {
  protected preferred: string | undefined;
  /** Present when --user gave a name and a password (clientv3's authTokenBundle). */
  protected readonly token: AuthToken | undefined;
  /** clientv3's message size limits (--max-request-bytes / --max-recv-bytes), which every transport enforces. */
  protected readonly limits: { send: number; recv: number };

  // Each service's method table is made on first use: a command uses one or two of the six.
  private readonly services: Partial<EtcdServices> = {};
  get kv(): EtcdServices['KV'] {
    return this.lazyService('KV');
  }
  get watch(): EtcdServices['Watch'] {
    return this.lazyService('Watch');
  }
  get lease(): EtcdServices['Lease'] {
    return this.lazyService('Lease');
  }
  get cluster(): EtcdServices['Cluster'] {
    return this.lazyService('Cluster');
  }
  get maintenance(): EtcdServices['Maintenance'] {
    return this.lazyService('Maintenance');
  }
  get auth(): EtcdServices['Auth'] {
    return this.lazyService('Auth');
  }

  constructor(
    protected readonly config: ClientConfig,
    readonly endpoints: string[] = config.endpoints,
    /** Another client's token, to share its login (a transport used for streams only). */
    token?: AuthToken,
  ) {
    this.limits = clientMessageLimits(config);
    this.token = token ?? (config.auth ? new AuthToken(endpoints, (endpoint, deadline, waitForReady) => this.authenticate(endpoint, deadline, waitForReady)) : undefined);
  }

  abstract close(): void;

  /** Whether close() was called: a call that fails then is not tried again. */
  protected closedForCalls(): boolean {
    return false;
  }

  /** A connection to the endpoint for the service, once ready; rejects when it is not ready by `readyBy`. */
  protected abstract ready(endpoint: string, service: ServiceName, readyBy: number): Promise<Connection>;
  /** One unary call on a ready connection, with the token as metadata; rejects with the transport's error. */
  protected abstract invoke<Res>(connection: Connection, service: ServiceName, method: string, req: object, token: string | undefined, deadline: number | undefined): Promise<Res>;
  /** One Authenticate call; `waitForReady` waits for a connection rather than fail fast. */
  protected abstract login(endpoint: string, deadline: number | undefined, waitForReady: boolean): Promise<string>;
  /** After a transport failure on the endpoint: its connections go, the next call dials afresh. */
  protected abstract forget(endpoint: string): void;
  protected abstract toRpcError(error: unknown, endpoint: string): RpcError;
  /** Why the endpoint could not be dialled: the transport's own socket or TLS error, or a probe's finding. */
  protected abstract dialFailure(endpoint: string): Promise<TransportFailure | undefined>;
  /** The encoded size of a request, for one refused as too large (the hint names it). */
  protected abstract encodedSize(connection: Connection, service: ServiceName, method: string, req: object): number | undefined;
  protected abstract duplex<Req, Res>(service: ServiceName, method: string): Promise<GrpcStream<Req, Res>>;
  protected abstract serverStream<Req, Res>(service: ServiceName, method: string, req: Req): Promise<GrpcStream<never, Res>>;

  private lazyService<S extends ServiceName>(service: S): EtcdServices[S] {
    return (this.services[service] ??= this.service(service));
  }

  /** The typed methods of one service, each calling the transport by its RPC name. */
  private service<S extends ServiceName>(service: S): EtcdServices[S] {
    const methods: Record<string, unknown> = {};
    const repeatable = new Set<string>(REPEATABLE_METHODS[service]);
    for (const method of UNARY_METHODS[service]) {
      methods[method] = (request: object, opts?: CallOptions) => this.unary(service, rpcName(method), request, opts, repeatable.has(method));
    }
    for (const method of BIDI_STREAM_METHODS[service] as readonly string[]) {
      methods[method] = () => this.duplex(service, rpcName(method));
    }
    for (const method of SERVER_STREAM_METHODS[service] as readonly string[]) {
      methods[method] = (request: object) => this.serverStream(service, rpcName(method), request);
    }
    return methods as unknown as EtcdServices[S];
  }

  /** One unary call with clientv3's retries (its retry interceptor); `repeatable` as clientv3's retry policy. */
  private async unary<Res>(service: ServiceName, method: string, req: object, opts: CallOptions = {}, repeatable = false): Promise<Res> {
    const deadline = opts.timeoutMs === undefined ? undefined : Date.now() + opts.timeoutMs;
    const target = this.endpoints[0];
    if (deadline !== undefined && deadline <= Date.now()) {
      // --command-timeout=0s: grpc-go fails a call on an expired context before it picks a connection.
      const expired = new RpcError(GrpcCode.DeadlineExceeded, 'context deadline exceeded', target);
      this.config.onUnaryFailure?.(expired, target, 0);
      throw expired;
    }
    let lastError: RpcError | undefined;
    for (let attempt = 0; attempt < MAX_UNARY_ATTEMPTS; attempt++) {
      await this.backoff(attempt, deadline);
      const { endpoint, connection } = await this.connect(service, deadline).catch((error: RpcError) => {
        // A failed login was logged as its own call.
        if (!error.authFailure) this.config.onUnaryFailure?.(error, target, attempt);
        throw error;
      });
      const token = await this.token?.current();
      try {
        return await this.invoke<Res>(connection, service, method, req, token, deadline);
      } catch (error) {
        const rpcError = this.toRpcError(error, endpoint);
        if (isTooLarge(rpcError) && !rpcError.clientLimit) rpcError.requestBytes ??= this.encodedSize(connection, service, method, req);
        lastError = rpcError;
        this.config.onUnaryFailure?.(rpcError, target, attempt);
        if (isStaleAuthError(rpcError.details, this.token !== undefined)) {
          // Certificate (CN) auth has no token: the call is simply tried again.
          await this.token?.refresh(deadline, 'forget').catch((loginError: RpcError) => {
            this.config.onTokenRefreshFailure?.(loginError, target);
            throw loginError;
          });
          continue;
        }
        // clientv3 tries any call again after a Canceled or DeadlineExceeded that is not its own deadline's (the
        // server's: an RST_STREAM CANCEL), and a repeatable one after any Unavailable, etcd's own ("etcdserver:
        // leader changed", "no leader") included; each try waits its backoff and logs its warning.
        if (rpcError.code === GrpcCode.Canceled || rpcError.code === GrpcCode.DeadlineExceeded) {
          // (Canceled is never ours: only a DeadlineExceeded at the deadline is; a retry past it ends in the backoff.)
          const ownDeadline = rpcError.code === GrpcCode.DeadlineExceeded && deadline !== undefined && Date.now() >= deadline - 1;
          if (ownDeadline || this.closedForCalls()) throw rpcError;
          continue;
        }
        const transportFailure = rpcError.code === GrpcCode.Unavailable && !isEtcdErrorMessage(rpcError.details);
        if (repeatable && rpcError.code === GrpcCode.Unavailable && !this.closedForCalls()) {
          if (transportFailure) {
            this.preferred = undefined;
            this.forget(endpoint);
          }
          continue;
        }
        // A dropped connection fails over to another endpoint; an answer from a server is final.
        if (!transportFailure || this.endpoints.length === 1) throw rpcError;
        this.preferred = undefined;
        this.forget(endpoint);
        if (deadline !== undefined && Date.now() >= deadline) throw rpcError;
      }
    }
    throw lastError!;
  }

  /** The pause before a retry (clientv3's backoff); a deadline that passes meanwhile ends the call. */
  private async backoff(attempt: number, deadline: number | undefined): Promise<void> {
    const waitMs = retryBackoffMs(attempt, this.endpoints.length);
    if (waitMs <= 0) return;
    if (deadline !== undefined && Date.now() + waitMs >= deadline) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())));
      throw new RpcError(GrpcCode.DeadlineExceeded, 'context deadline exceeded', this.endpoints[0]);
    }
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }

  /** clientv3's stream interceptor logs in afresh before every stream (a server with auth off is no failure). */
  protected async loginForStream(stream: StreamName): Promise<void> {
    if (!this.token) return;
    try {
      await this.token.refresh(undefined, 'keep');
    } catch (error) {
      if (isAuthNotEnabled(error)) return;
      const rpcError = this.toRpcError(error, this.endpoints[0]);
      if (!rpcError.authFailure) this.config.onStreamLoginFailure?.(rpcError, stream);
      throw rpcError;
    }
  }

  /** One Authenticate call (clientv3 logs its failure like any unary call's). */
  private async authenticate(endpoint: string, deadline: number | undefined, waitForReady: boolean): Promise<string> {
    try {
      return await this.login(endpoint, deadline, waitForReady);
    } catch (error) {
      let rpcError = this.toRpcError(error, endpoint);
      if (!waitForReady && rpcError.code === GrpcCode.Unavailable && !isEtcdErrorMessage(rpcError.details)) {
        // clientv3 logs in over the connection it dialled: an endpoint it cannot reach fails the dial.
        rpcError = await this.dialTimeout(endpoint);
      }
      this.config.onUnaryFailure?.(rpcError, this.endpoints[0], 0);
      throw rpcError;
    }
  }

  /** The first endpoint to become ready, waiting at most --dial-timeout (and never past the call's deadline). */
  protected async connect(service: ServiceName, deadline: number | undefined): Promise<{ endpoint: string; connection: Connection }> {
    // clientv3 logs in before it dials; a failure to log in fails the command (exit 2).
    await this.token?.current();
    // clientv3 dials without a deadline when --dial-timeout is 0 (or negative).
    const dialTimeoutMs = this.config.dialTimeoutMs > 0 ? this.config.dialTimeoutMs : Infinity;
    const dialDeadline = Math.min(deadline ?? Infinity, Date.now() + dialTimeoutMs);
    const candidates = this.preferred ? [this.preferred] : this.endpoints;
    try {
      const { endpoint, connection } = await Promise.any(
        candidates.map(async (endpoint) => {
          // Logging in (a slow bcrypt check on the server) already proved the endpoint reachable: the service
          // channel still gets a whole dial timeout of its own, never past the call's deadline.
          const readyBy = Math.max(dialDeadline, Math.min(deadline ?? Infinity, Date.now() + dialTimeoutMs));
          // A transport's connecting socket or reconnect timer alone may not keep the process alive.
          const holdOpen = readyBy === Infinity ? setInterval(() => {}, 60_000) : undefined;
          const connection = await this.ready(endpoint, service, readyBy).finally(() => clearInterval(holdOpen));
          return { endpoint, connection };
        }),
      );
      this.preferred = endpoint;
      return { endpoint, connection };
    } catch (error) {
      const first = error instanceof AggregateError ? error.errors[0] : error;
      if (first instanceof RpcError) throw first;
      if (this.preferred) {
        this.preferred = undefined;
        return this.connect(service, deadline);
      }
      throw await this.dialTimeout(this.endpoints[0]);
    }
  }

  /** clientv3's error for an endpoint it could not dial, with why (for the hint) and grpc-go's dial error. */
  private async dialTimeout(endpoint: string): Promise<RpcError> {
    const timeout = new RpcError(GrpcCode.DeadlineExceeded, DEADLINE_DETAILS, endpoint);
    timeout.transportFailure = await this.dialFailure(endpoint);
    timeout.dialError = grpcDialError(timeout.transportFailure);
    return timeout;
  }
}

/** Refused for its size: by etcd (over --max-request-bytes) or by its gRPC server (over that plus 512 KiB). */
function isTooLarge(error: RpcError): boolean {
  return error.details === EtcdErrors.RequestTooLarge.message || /^grpc: (received|trying to send) message larger than max/.test(error.details);
}
