// The one place that turns errors into `Error: …` lines and exit codes, as etcdctl's ExitWithError does.
import { RpcError } from '../client/client.js';
import { acceptedFlags, type Command, commandPath, specOf } from './command-tree.js';
import { CommandContext, type Deps } from './context.js';
import { CliError, ExitCode, FullCliNeeded, ReportedError, UsageError } from './errors.js';
import { WHOLE_TREE } from './commands/other-commands.js';
import { renderHelp } from './help.js';
import { type IO, processIO } from './io.js';
import { FlagParseError, parseFlags } from './parse/flags.js';
import { argBytesFromCmdline, utf8ArgBytes } from './raw-args.js';
import { suggestionsFor } from './suggest.js';
import { noColorInArgv, type Paint, paintFor } from './paint.js';

export async function main(argv: string[], deps?: Partial<Deps>): Promise<number> {
  const io: IO = deps?.io ?? processIO();
  const api = io.env.ETCDCTL_API;
  if (api !== undefined && api !== '' && api !== '3') {
    // etcdctl's own words first (it prints no `Error:` here), then what to do about it.
    io.stderr.write(`unsupported API version ${api}: etcdctl-ts supports only the v3 API (unset ETCDCTL_API or set it to 3)\n`);
    return ExitCode.Error;
  }
  if (argv[0] === 'server') {
    const { serverMain } = await import('../server/cli.js');
    return serverMain(argv.slice(1), { stdout: io.stdout as NodeJS.WritableStream, stderr: io.stderr as NodeJS.WritableStream, env: io.env as NodeJS.ProcessEnv });
  }
  const fullDeps: Deps = {
    io,
    clock: deps?.clock ?? { now: () => new Date() },
    argBytes: deps?.argBytes ?? (deps?.io ? utf8ArgBytes : argBytesFromCmdline(argv)),
    createClient: deps?.createClient ?? (async (config) => (await import('../client/client.js')).createClient(config, io.env.ETCDCTL_TS_TRANSPORT)),
  };
  const { buildProgram, buildProgramFor, bareRoot } = await import('./commands/index.js');
  if (argv[0] === '__etcdctl-ts-complete') {
    // The completion scripts' hidden command: not in the tree, so never in help, suggestions or completions. Not
    // cobra's `__complete`: the real etcdctl has that one, and answers it with its own format.
    const root = await buildProgram();
    const { runComplete } = await import('./completion/complete-command.js');
    return runComplete(argv.slice(1), fullDeps, root, findCommand);
  }
  // Only the command the line names, when it names one exactly (start-up); anything else gets the whole tree.
  const commandWord = nonFlagWords(argv, bareRoot())[0];
  const root = (commandWord !== undefined && (await buildProgramFor(commandWord))) || (await buildProgram());
  let context: CommandContext | undefined;
  try {
    const { command, args } = findCommand(root, argv);
    const flags = parseCommandFlags(command, args, Boolean(io.stdout.isTTY));
    if (flags.help || !specOf(command).run) {
      io.stdout.write(renderHelp(command, Boolean(io.stdout.isTTY)));
      return ExitCode.Success;
    }
    context = new CommandContext(fullDeps, command, flags, argv);
    // The small bundle prints the simple format only: any other goes to the whole CLI, before anything is printed.
    if (!WHOLE_TREE && context.options.writeOut !== 'simple') throw new FullCliNeeded();
    await specOf(command).run!(context, flags.positionals);
    return ExitCode.Success;
  } catch (error) {
    if (error instanceof FullCliNeeded) throw error;
    const noColor = context?.options.noColor ?? noColorInArgv(argv);
    const paint = await paintFor(io.stderr, io.env, noColor);
    const exitCode = report(error, io, paint);
    // On a terminal only: scripts see etcdctl's one line.
    if (io.stderr.isTTY && context) await explain(error, context, io, paint);
    return exitCode;
  } finally {
    context?.close();
  }
}

function report(error: unknown, io: IO, paint: Paint): number {
  const prefix = paint.error('Error:');
  if (error instanceof ReportedError) return error.exitCode;
  if (error instanceof UnknownCommandError) {
    io.stderr.write(`${prefix} ${error.message}\nRun '${error.rootPath} --help' for usage.\n${prefix} ${error.message}\n`);
    return ExitCode.Error;
  }
  if (error instanceof UsageError) {
    // cobra prints the error, then usage (etcdctl's usage func writes it to stdout), then etcdctl prints it again.
    io.stderr.write(`${prefix} ${error.message}\n`);
    io.stdout.write(error.helpText);
    io.stderr.write(`\n${prefix} ${error.message}\n`);
    return ExitCode.Error;
  }
  if (error instanceof CliError) {
    io.stderr.write(`${prefix} ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof RpcError) {
    io.stderr.write(`${prefix} ${error.message}\n`);
    return error.authFailure ? ExitCode.BadConnection : ExitCode.Error;
  }
  // A bug of ours: still one clear line, never a stack trace, unless debugging.
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`${prefix} ${message}\n`);
  if (io.env.ETCDCTL_TS_DEBUG && error instanceof Error) io.stderr.write(`${error.stack}\n`);
  return ExitCode.Error;
}

/** The second line: what actually happened and what to do, when the failure says (see error-hints.ts). */
async function explain(error: unknown, context: CommandContext, io: IO, paint: Paint): Promise<void> {
  const { hintFor, rpcErrorOf } = await import('./error-hints.js');
  if (!rpcErrorOf(error)) return;
  const hint = await hintFor(error, { options: context.options, client: await context.openClient() });
  if (hint) io.stderr.write(`${paint.hint('hint:')} ${hint}\n`);
}

/** cobra's Find: walk sub-commands by the non-flag words, with unique-prefix matching. */
export function findCommand(root: Command, argv: string[]): { command: Command; args: string[] } {
  let command = root;
  let args = argv;
  for (;;) {
    const words = nonFlagWords(args, command);
    if (words.length === 0) break;
    const next = matchSubcommand(command, words[0]);
    if (!next) {
      if (command === root) throw unknownCommand(root, words[0]);
      break;
    }
    const index = args.indexOf(words[0]);
    args = [...args.slice(0, index), ...args.slice(index + 1)];
    command = next;
  }
  return { command, args };
}

function matchSubcommand(command: Command, word: string): Command | undefined {
  const exact = command.commands.find((c) => c.name() === word || c.aliases().includes(word));
  if (exact) return exact;
  const prefixed = command.commands.filter((c) => c.name().startsWith(word));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** cobra's stripFlags: skips flags and, for flags that take a value, the word after them. */
function nonFlagWords(args: string[], command: Command): string[] {
  const specs = acceptedFlags(command);
  const isBool = (name: string) => specs.some((s) => (s.name === name || s.short === name) && s.kind === 'bool') || name === 'help' || name === 'h';
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') break;
    const takesValue =
      (arg.startsWith('--') && !arg.includes('=') && !isBool(arg.slice(2))) ||
      (arg.startsWith('-') && !arg.startsWith('--') && arg.length === 2 && !isBool(arg.slice(1)));
    if (takesValue) {
      if (args.length - i - 1 <= 1) break;
      i++;
    } else if (arg !== '' && !arg.startsWith('-')) words.push(arg);
  }
  return words;
}

function unknownCommand(root: Command, word: string): UnknownCommandError {
  const suggestions = suggestionsFor(root, word);
  let message = `unknown command ${JSON.stringify(word)} for ${JSON.stringify(commandPath(root))}`;
  if (suggestions.length > 0) message += `\n\nDid you mean this?\n${suggestions.map((s) => `\t${s}\n`).join('')}`;
  return new UnknownCommandError(message, commandPath(root));
}

class UnknownCommandError extends Error {
  constructor(
    message: string,
    readonly rootPath: string,
  ) {
    super(message);
  }
}

function parseCommandFlags(command: Command, args: string[], showExtras: boolean) {
  try {
    return parseFlags(args, acceptedFlags(command));
  } catch (error) {
    if (error instanceof FlagParseError) throw new UsageError(error.message, renderHelp(command, showExtras));
    throw error;
  }
}
