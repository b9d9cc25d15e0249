// What a command receives: its IO, the resolved global options, its own flags, a clock, and lazily built
// client and printer. Nothing here loads the gRPC stack until a command asks for a client.
import { type Command, commandPath, specOf } from './command-tree.js';
import { type ClientConfig, ClientConfigError, type EtcdClient, type RpcError } from '../client/client.js';
import { badArgs, CliError, ExitCode, generalError } from './errors.js';
import { debugDump, GLOBAL_FLAGS, type GlobalOptions, resolveGlobalOptions, type ResolvedOptions, unrecognizedEnvWarning } from './global-flags.js';
import { type IO, lazyOutput } from './io.js';
import type { ArgBytes } from './raw-args.js';
import type { ParsedFlags } from './parse/flags.js';
import type { Paint } from './paint.js';
import type { Printer } from './printers/printer.js';
import { askPassword, StdinLines } from './prompt.js';
import { checkTlsFiles } from './tls-files.js';
import { streamLoginFailureLine, tokenRefreshFailureLine } from './client-log.js';

export interface Clock {
  now(): Date;
}

export interface Deps {
  io: IO;
  clock: Clock;
  /** The original bytes of a command-line argument (see raw-args.ts). */
  argBytes: ArgBytes;
  createClient(config: ClientConfig): Promise<EtcdClient>;
}

export interface Session {
  client: EtcdClient;
  printer: Printer;
  config: ClientConfig;
}

const GLOBAL_FLAG_NAMES = new Set(GLOBAL_FLAGS.map((f) => f.name));

export class CommandContext {
  /** Global flags with their ETCDCTL_* variables applied: what every command reads. */
  readonly options: GlobalOptions;
  private readonly unrecognizedEnv: ResolvedOptions['unrecognizedEnv'];
  private session: Promise<Session> | undefined;
  private readonly clients: EtcdClient[] = [];

  constructor(
    readonly deps: Deps,
    readonly command: Command,
    readonly flags: ParsedFlags,
    /** Raw argv after the program name (watch and lock look for `--` themselves). */
    readonly argv: string[],
  ) {
    const resolved = resolveGlobalOptions(flags, deps.io.env, specOf(command).ownEnv);
    this.options = resolved.options;
    this.unrecognizedEnv = resolved.unrecognizedEnv;
  }

  /** A positional argument as the bytes the user passed (keys and values are bytes, not text). */
  readonly bytes = (arg: string | Buffer): Buffer => this.deps.argBytes(arg);

  get io(): IO {
    return this.deps.io;
  }

  /** A flag of the command's own (an arrow so it can be handed to pure request builders); global ones are in `options`. */
  readonly flag = <T extends string | boolean | bigint | number | string[]>(name: string): T => {
    if (GLOBAL_FLAG_NAMES.has(name)) throw new Error(`global flag ${name}: read it from options`);
    if (!this.flags.values.has(name)) throw new Error(`unknown flag ${name}`);
    return this.flags.values.get(name) as T;
  };

  /**
   * etcdctl's mustClientFromCmd: warn about unknown ETCDCTL_* variables, dump the settings with --debug,
   * validate TLS and auth settings, pick the printer (an unknown -w fails here, before any request), then
   * build the client.
   */
  connect(): Promise<Session> {
    this.session ??= this.buildSession();
    return this.session;
  }

  /** Another client on the same settings (make-mirror's destination, per-endpoint loops). */
  async newClient(overrides: Partial<ClientConfig>): Promise<EtcdClient> {
    const { config } = await this.connect();
    const client = await this.deps.createClient({ ...config, ...overrides });
    this.clients.push(client);
    return client;
  }

  /**
   * A printer for commands that need no server (snapshot status). etcdctl applies ETCDCTL_* variables only
   * when it builds a client, so this printer follows the command line alone.
   */
  async printerOnly(): Promise<Printer> {
    const { createPrinter } = await import('./printers/index.js');
    const { writeOut, hex } = resolveGlobalOptions(this.flags, {}).options;
    return createPrinter(writeOut, hex, this.io.stdout, { errOut: lazyOutput(() => this.io.stderr), command: this.commandName(), paint: await this.paint(writeOut) });
  }

  /** Colours only where a printer uses them (tables, watch events), so other commands never load chalk. */
  private async paint(format: string): Promise<Paint | undefined> {
    if (format !== 'table' && !(format === 'simple' && this.commandName() === 'watch')) return undefined;
    const { paintFor } = await import('./paint.js');
    return paintFor(this.io.stdout, this.io.env, this.options.noColor);
  }

  /** The command path without the program name: `lease grant`. */
  private commandName(): string {
    return commandPath(this.command).split(' ').slice(1).join(' ');
  }

  /** The command's client, if it built one (a failure report may probe the server with it). */
  async openClient(): Promise<EtcdClient | undefined> {
    return this.session?.then((session) => session.client, () => undefined);
  }

  close(): void {
    for (const client of this.clients) client.close();
  }

  private async buildSession(): Promise<Session> {
    const { io, clock } = this.deps;
    const now = clock.now();
    for (const variable of this.unrecognizedEnv) io.stderr.write(`${unrecognizedEnvWarning(variable, now)}\n`);
    if (this.options.debug) io.stderr.write(debugDump(this.options));

    const config = await this.clientConfig();
    const { createPrinter } = await import('./printers/index.js');
    const printer = await createPrinter(this.options.writeOut, this.options.hex, io.stdout, {
      errOut: lazyOutput(() => io.stderr),
      command: this.commandName(),
      paint: await this.paint(this.options.writeOut),
    });
    const client = await this.deps.createClient(config).catch((error: unknown) => {
      // clientv3.New's refusal of the settings: etcdctl's mustClient exits with ExitBadConnection.
      throw error instanceof ClientConfigError ? new CliError(error.message, ExitCode.BadConnection) : error;
    });
    this.clients.push(client);
    return { client, printer, config };
  }

  /** etcdctl's clientConfigFromCmd + newClientCfg, in their order of checks. */
  private async clientConfig(): Promise<ClientConfig> {
    const { options } = this;
    for (const [name, value] of [['cert', options.cert], ['key', options.key], ['cacert', options.cacert]]) {
      if (value === '') throw badArgs(`empty string is passed to --${name} option`);
    }
    const endpoints = await this.endpoints();
    const tlsFiles = { caFile: options.cacert || undefined, certFile: options.cert || undefined, keyFile: options.key || undefined };
    const stderr = () => this.io.stderr;
    try {
      checkTlsFiles(tlsFiles);
    } catch (error) {
      throw badArgs((error as Error).message);
    }
    return {
      endpoints,
      dialTimeoutMs: options.dialTimeoutMs,
      keepAliveTimeMs: options.keepAliveTimeMs,
      keepAliveTimeoutMs: options.keepAliveTimeoutMs,
      insecureTransport: options.insecureTransport,
      insecureSkipVerify: options.insecureSkipTlsVerify,
      tls: tlsFiles.caFile || tlsFiles.certFile || tlsFiles.keyFile ? tlsFiles : undefined,
      auth: await this.authConfig(),
      maxCallSendMsgSize: options.maxRequestBytes,
      maxCallRecvMsgSize: options.maxRecvBytes,
      // On a terminal a failure is explained (error-hints.ts), and that needs the whole probe. Asked only after a
      // failed dial: asking builds Node's stderr stream, which a command that never writes to it need not pay for.
      get diagnoseDialFailures() {
        return Boolean(stderr().isTTY);
      },
      onUnaryFailure: (error, target, attempt) => this.warnUnaryFailure(error, target, 'balanced', attempt),
      onTokenRefreshFailure: (error, target) => this.clientLog(tokenRefreshFailureLine(error, this.balancedTarget(target))),
      onStreamLoginFailure: (error, stream) => this.clientLog(streamLoginFailureLine(error, stream)),
    };
  }

  /** --discovery-srv wins when it finds endpoints; otherwise --endpoints as given. */
  private async endpoints(): Promise<string[]> {
    const { discoverySrv: domain, discoverySrvName: serviceName, insecureDiscovery: insecure } = this.options;
    if (domain !== '') {
      // (loaded only here: it brings DNS in)
      const { discoverEndpoints } = await import('./srv-discovery.js');
      try {
        const discovered = await discoverEndpoints(
          { domain, serviceName, insecure },
          (line) => this.io.stderr.write(`${line}\n`),
        );
        if (discovered.length > 0) return discovered;
      } catch (error) {
        throw generalError((error as Error).message);
      }
    }
    return this.options.endpoints.map((ep) => ep.trim());
  }

  /** --user name[:password] and --password. */
  private authConfig(): Promise<ClientConfig['auth']> {
    return this.credentials(this.options.user, this.options.password, 'Password: ');
  }

  /**
   * etcdctl's authCfgFromCmd (and make-mirror's authDestCfg): `user` is name[:password]; a separate password
   * wins; with neither, `prompt` asks for one. clientv3 logs in only when both name and password are non-empty.
   */
  async credentials(user: string, password: string, prompt: string): Promise<ClientConfig['auth']> {
    if (user === '') return undefined;
    let credentials: { username: string; password: string };
    if (password !== '') credentials = { username: user, password };
    else if (user.includes(':')) {
      const colon = user.indexOf(':');
      credentials = { username: user.slice(0, colon), password: user.slice(colon + 1) };
    } else credentials = { username: user, password: await askPassword(this.io, new StdinLines(this.io.stdin), prompt) };
    return credentials.username !== '' && credentials.password !== '' ? credentials : undefined;
  }

  /**
   * clientv3's retry interceptor logs this zap line for every failed unary call; scripts may grep it.
   * Balanced clients name an `endpoint://client-<uuid>/<host>` target; per-endpoint maintenance calls dial
   * `passthrough:///<endpoint>` directly, and then grpc-go reports the dial error itself.
   */
  warnUnaryFailure(error: RpcError, endpoint: string, style: 'balanced' | 'passthrough' = 'balanced', attempt = 0): void {
    const passthrough = style === 'passthrough';
    const status =
      passthrough && error.dialError
        ? `rpc error: code = DeadlineExceeded desc = latest balancer error: ${error.dialError}`
        : error.statusText;
    const line = {
      level: 'warn',
      ts: this.deps.clock.now().toISOString(),
      caller: 'clientv3/retry_interceptor.go:62',
      msg: 'retrying of unary invoker failed',
      target: passthrough ? `passthrough:///${endpoint}` : this.balancedTarget(endpoint),
      attempt,
      error: status,
    };
    this.io.stderr.write(`${JSON.stringify(line)}\n`);
  }

  /** clientv3's balancer target: one client UUID for the whole command, then the first endpoint's host. */
  private balancedTarget(endpoint: string): string {
    // Made on first use: Node's crypto costs a command that never logs a retry ~3 ms at start-up.
    this.clientUuid ??= globalThis.crypto.randomUUID();
    return `endpoint://client-${this.clientUuid}/${endpoint.replace(/^[a-z]+:\/\//, '')}`;
  }

  private clientUuid?: string;

  /** A zap line of clientv3's logger, stamped now. */
  private clientLog(entry: { level: string; caller: string; msg: string } & Record<string, string>): void {
    const { level, caller, msg, ...fields } = entry;
    const line = { level, ts: this.deps.clock.now().toISOString(), caller, msg, ...fields };
    this.io.stderr.write(`${JSON.stringify(line)}\n`);
  }
}
