// Typed errors raised anywhere in the CLI; main.ts alone turns them into `Error: …` and an exit code.
export const ExitCode = {
  Success: 0,
  Error: 1,
  BadConnection: 2,
  InvalidInput: 3,
  BadFeature: 4,
  Interrupted: 5,
  IO: 6,
  BadArgs: 128,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error etcdctl reports as `Error: <message>` with a given exit code; `cause` is the failure it reports (an RpcError, say). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
  }
}

export const badArgs = (message: string) => new CliError(message, ExitCode.BadArgs);
export const badFeature = (message: string) => new CliError(message, ExitCode.BadFeature);
export const invalidInput = (message: string) => new CliError(message, ExitCode.InvalidInput);
export const generalError = (message: string, cause?: unknown) => new CliError(message, ExitCode.Error, cause);

/** Thrown by a printer for a response kind its format cannot show (etcdctl's printerUnsupported). */
export const formatNotSupported = (format: string) => badFeature(`${format} not supported as output format`);

/**
 * A usage error found by the flag parser: cobra prints the command's help on stdout, then the
 * message twice on stderr (once from cobra, once from etcdctl's main), and exits 1.
 */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly helpText: string,
  ) {
    super(message);
  }
}

/**
 * The small bundle (get, put and del alone; scripts/bundle.mjs) was given a command line it has no command for.
 * Raised before anything is printed or sent; bin/etcdctl-ts.cjs then runs the line with the whole CLI.
 */
export class FullCliNeeded extends Error {
  readonly code = 'ETCDCTL_TS_FULL_CLI';
  constructor() {
    super('this command needs the whole CLI');
  }
}

/** Already reported in full (e.g. unknown command): only the exit code remains to be set; `cause` is what failed. */
export class ReportedError extends Error {
  constructor(
    readonly exitCode: ExitCodeValue,
    cause?: unknown,
  ) {
    super('reported', cause === undefined ? undefined : { cause });
  }
}
