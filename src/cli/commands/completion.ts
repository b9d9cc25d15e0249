// `completion bash|zsh|fish|powershell`, with the help texts of the cobra commands etcdctl's Debian build has.
// The scripts are generated from our own command tree (src/cli/completion/), so they complete exactly our
// commands and flags without running the CLI on every Tab.
import { type Command, defineCommand } from '../command-tree.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { renderHelp } from '../help.js';
import { goQuote } from '../../api/primitives/go-quote.js';
import type { Shell } from '../completion/index.js';

const LOADING_TAIL = 'You will need to start a new shell for this setup to take effect.';

const LONG: Record<Shell, string> = {
  bash: `Generate the autocompletion script for the bash shell.

This script depends on the 'bash-completion' package.
If it is not installed already, you can install it via your OS's package manager.

To load completions in your current shell session:

\tsource <(etcdctl completion bash)

To load completions for every new session, execute once:

#### Linux:

\tetcdctl completion bash > /etc/bash_completion.d/etcdctl

#### macOS:

\tetcdctl completion bash > $(brew --prefix)/etc/bash_completion.d/etcdctl

${LOADING_TAIL}
`,
  zsh: `Generate the autocompletion script for the zsh shell.

If shell completion is not already enabled in your environment you will need
to enable it.  You can execute the following once:

\techo "autoload -U compinit; compinit" >> ~/.zshrc

To load completions in your current shell session:

\tsource <(etcdctl completion zsh); compdef _etcdctl etcdctl

To load completions for every new session, execute once:

#### Linux:

\tetcdctl completion zsh > "\${fpath[1]}/_etcdctl"

#### macOS:

\tetcdctl completion zsh > $(brew --prefix)/share/zsh/site-functions/_etcdctl

${LOADING_TAIL}
`,
  fish: `Generate the autocompletion script for the fish shell.

To load completions in your current shell session:

\tetcdctl completion fish | source

To load completions for every new session, execute once:

\tetcdctl completion fish > ~/.config/fish/completions/etcdctl.fish

${LOADING_TAIL}
`,
  powershell: `Generate the autocompletion script for powershell.

To load completions in your current shell session:

\tetcdctl completion powershell | Out-String | Invoke-Expression

To load completions for every new session, add the output of the above command
to your powershell profile.
`,
};

const SHORT: Record<Shell, string> = {
  bash: 'Generate the autocompletion script for bash',
  zsh: 'Generate the autocompletion script for zsh',
  fish: 'Generate the autocompletion script for fish',
  powershell: 'Generate the autocompletion script for powershell',
};

export function completionCommand(root: () => Command) {
  const shellCommand = (shell: Shell) =>
    defineCommand({
      use: shell,
      short: SHORT[shell],
      long: LONG[shell],
      // Only cobra's bash command drops ` [flags]` from its usage line.
      disableFlagsInUseLine: shell === 'bash',
      flags: [{ name: 'no-descriptions', kind: 'bool', default: false, usage: 'disable completion descriptions' }],
      run: (ctx, args) => runCompletion(ctx, args, shell, root),
    });
  return defineCommand({
    use: 'completion',
    short: 'Generate the autocompletion script for the specified shell',
    long: `Generate the autocompletion script for etcdctl for the specified shell.
See each sub-command's help for details on how to use the generated script.
`,
    subcommands: [shellCommand('bash'), shellCommand('zsh'), shellCommand('fish'), shellCommand('powershell')],
  });
}

async function runCompletion(ctx: CommandContext, args: string[], shell: Shell, root: () => Command): Promise<void> {
  if (args.length > 0) {
    // cobra.NoArgs: reported like a flag error (help on stdout, the message twice on stderr, exit 1).
    const message = `unknown command ${goQuote(args[0]!)} for "etcdctl completion ${shell}"`;
    throw new UsageError(message, renderHelp(ctx.command, Boolean(ctx.io.stdout.isTTY)));
  }
  const { completionScript } = await import('../completion/index.js');
  ctx.io.stdout.write(completionScript(root(), shell, { descriptions: !ctx.flag<boolean>('no-descriptions') }));
}
