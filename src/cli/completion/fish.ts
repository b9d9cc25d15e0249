// The fish script: the model as `switch` tables printing `candidate<TAB>description` lines, plus one function
// that walks the tokens before the cursor; fish itself filters candidates by what is typed.
import { type CompletionFlag, type CompletionModel, type ValueHint, PROGRAM_NAMES, valueFlagTokens, valueHints } from './model.js';
import { fishQuote } from './quote.js';

export interface FishOptions {
  descriptions: boolean;
}

function lines(items: { name: string; description: string }[], descriptions: boolean): string {
  if (items.length === 0) return 'true';
  const format = descriptions ? `'%s\\t%s\\n'` : `'%s\\n'`;
  const args = items.flatMap((item) => (descriptions ? [item.name, item.description] : [item.name])).map(fishQuote);
  return `printf ${format} ${args.join(' ')}`;
}

function flagItems(flags: CompletionFlag[]): { name: string; description: string }[] {
  return flags.flatMap((flag) => flag.tokens.map((token) => ({ name: token, description: flag.description })));
}

function switchTable(functionName: string, comment: string, entries: [string, string][], fallback: string, epilogue = ''): string {
  const arms = entries.map(([pattern, body]) => `        case ${fishQuote(pattern)}\n            ${body}`).join('\n');
  return `# ${comment}
function ${functionName}
    switch $argv[1]
${arms}
        case '*'
            ${fallback}
    end${epilogue}
end
`;
}

function hintAction(hint: ValueHint): string {
  if (hint.kind === 'file') return '__fish_complete_path $argv[2]';
  if (hint.kind === 'directory') return '__fish_complete_directories $argv[2]';
  if (hint.kind === 'server') return '__etcdctl_ts_from_server';
  return `printf '%s\\n' ${hint.words.map(fishQuote).join(' ')}`;
}

export function fishCompletion(model: CompletionModel, options: FishOptions): string {
  const { descriptions } = options;
  const hintArms: [string, string][] = [...valueHints(model)].map(([token, hint]) => [token, hintAction(hint)]);
  const globalValueFlags = valueFlagTokens(model.globalFlags);

  return `# fish completion for etcdctl-ts
#
# Generated from the etcdctl-ts command tree by \`etcdctl-ts completion fish\`; do not edit.
# Load it in the current shell with:  etcdctl-ts completion fish | source

${switchTable(
  '__etcdctl_ts_subcommands',
  'The sub-commands of a command path ("" is the program itself).',
  model.nodes.filter((node) => node.subcommands.length > 0).map((node) => [node.path, lines(node.subcommands, descriptions)]),
  'true',
)}
${switchTable(
  '__etcdctl_ts_flags',
  'The flags of a command path, its own and the global ones.',
  model.nodes.map((node) => [node.path, lines(flagItems(node.flags), descriptions)]),
  'true',
  `\n    ${lines(flagItems(model.globalFlags), descriptions)}`,
)}
${switchTable(
  '__etcdctl_ts_value_flags',
  'The flags of a command path that take a value (in the next token unless written --flag=value).',
  model.nodes
    .filter((node) => valueFlagTokens(node.flags).length > 0)
    .map((node) => [node.path, `printf '%s\\n' ${valueFlagTokens(node.flags).map(fishQuote).join(' ')}`]),
  'true',
  `\n    printf '%s\\n' ${globalValueFlags.map(fishQuote).join(' ')}`,
)}
${switchTable('__etcdctl_ts_flag_values', 'The values of a flag ($argv[1]) for the typed text $argv[2]; fails for free-form values.', hintArms, 'return 1')}
${switchTable(
  '__etcdctl_ts_positionals',
  'Positional arguments of a command path ($argv[1]) for the typed text $argv[2].',
  model.nodes.filter((node) => node.positional).map((node) => [node.path, hintAction(node.positional!)]),
  'return 1',
)}
# Words only the server knows (keys, lease and member IDs, users, roles): the binary gets the tokens typed so
# far and the one under the cursor, asks the endpoints given on the line with a short timeout, and prints
# candidate<TAB>description lines, or nothing.
function __etcdctl_ts_from_server
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct | string unescape)
    $tokens[1] __etcdctl-ts-complete fish $tokens[2..-1] "$cur" 2>/dev/null${descriptions ? '' : ` | string replace -r '\\t.*' ''`}
end

function __etcdctl_ts_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l cmdpath ''
    set -l count (count $tokens)
    set -l i 2
    # Walk the tokens between the program and the cursor: flags (and the values they take) are
    # skipped, command names descend the tree, anything else is a positional argument.
    while test $i -le $count
        set -l word $tokens[$i]
        if test "$word" = '--'
            __fish_complete_path $cur
            return
        else if string match -q -- '-?*' $word
            if not string match -q -- '*=*' $word; and contains -- $word (__etcdctl_ts_value_flags $cmdpath)
                if test $i -eq $count
                    __etcdctl_ts_flag_values $word $cur
                    return
                end
                set i (math $i + 1)
            end
        else if contains -- $word (__etcdctl_ts_subcommands $cmdpath | string replace -r '\\t.*' '')
            set cmdpath (string trim -- "$cmdpath $word")
        end
        set i (math $i + 1)
    end

    if string match -q -- '-?*=*' $cur
        set -l flag (string replace -r '=.*' '' -- $cur)
        set -l value (string replace -r '^[^=]*=' '' -- $cur)
        for candidate in (__etcdctl_ts_flag_values $flag $value)
            echo "$flag=$candidate"
        end
    else if string match -q -- '-*' $cur
        __etcdctl_ts_flags $cmdpath
    else
        set -l subcommands (__etcdctl_ts_subcommands $cmdpath)
        if test (count $subcommands) -gt 0
            printf '%s\\n' $subcommands
        else
            __etcdctl_ts_positionals $cmdpath $cur
        end
    end
end

${PROGRAM_NAMES.map((name) => `complete -c ${name} -f -a '(__etcdctl_ts_complete)'`).join('\n')}
`;
}
