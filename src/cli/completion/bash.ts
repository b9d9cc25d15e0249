// The bash script: the model as `case` tables plus one function that walks the words before the cursor.
// bash shows no descriptions, so --no-descriptions changes nothing here.
import { type CompletionModel, type ValueHint, PROGRAM_NAMES, valueFlagTokens, valueHints } from './model.js';
import { shQuote } from './quote.js';

function caseTable(functionName: string, comment: string, entries: [string, string][], fallback: string): string {
  const arms = entries.map(([pattern, body]) => `        ${shQuote(pattern)}) ${body} ;;`).join('\n');
  return `# ${comment}
${functionName}() {
    case "$1" in
${arms}
        *) ${fallback} ;;
    esac
}
`;
}

function hintAction(hint: ValueHint): string {
  if (hint.kind === 'file') return '__etcdctl_ts_reply_files "$2"';
  if (hint.kind === 'directory') return '__etcdctl_ts_reply_directories "$2"';
  if (hint.kind === 'server') return '__etcdctl_ts_reply_from_server';
  return `COMPREPLY=($(compgen -W ${shQuote(hint.words.join(' '))} -- "$2"))`;
}

export function bashCompletion(model: CompletionModel): string {
  const words = (list: string[]) => `__etcdctl_ts_words=${shQuote(list.join(' '))}`;
  const globalValueFlags = valueFlagTokens(model.globalFlags).join(' ');
  const globalFlags = model.globalFlags.flatMap((flag) => flag.tokens).join(' ');

  const hintsByToken = new Map<string, ValueHint>();
  for (const [token, hint] of valueHints(model)) hintsByToken.set(token, hint);
  const hintArms: [string, string][] = [...hintsByToken].map(([token, hint]) => [token, hintAction(hint)]);
  const fileNodes = model.nodes.filter((node) => node.positional);

  return `# bash completion for etcdctl-ts                              -*- shell-script -*-
#
# Generated from the etcdctl-ts command tree by \`etcdctl-ts completion bash\`; do not edit.
# Load it in the current shell with:  source <(etcdctl-ts completion bash)

${caseTable(
  '__etcdctl_ts_subcommands',
  'The sub-commands of a command path ("" is the program itself).',
  model.nodes.filter((node) => node.subcommands.length > 0).map((node) => [node.path, words(node.subcommands.map((s) => s.name))]),
  "__etcdctl_ts_words=''",
)}
${caseTable(
  '__etcdctl_ts_flags',
  'The flags of a command path, its own and the global ones.',
  model.nodes.map((node) => [node.path, words(node.flags.flatMap((flag) => flag.tokens))]),
  "__etcdctl_ts_words=''",
).replace(/\n}\n$/, `\n    __etcdctl_ts_words+=${shQuote(` ${globalFlags}`)}\n}\n`)}
${caseTable(
  '__etcdctl_ts_value_flags',
  'The flags of a command path that take a value (in the next word unless written --flag=value).',
  model.nodes.filter((node) => valueFlagTokens(node.flags).length > 0).map((node) => [node.path, words(valueFlagTokens(node.flags))]),
  "__etcdctl_ts_words=''",
).replace(/\n}\n$/, `\n    __etcdctl_ts_words+=${shQuote(` ${globalValueFlags}`)}\n}\n`)}
${caseTable('__etcdctl_ts_flag_values', 'Completes the value of a flag ($1) from $2; fails for free-form values.', hintArms, 'return 1')}
${caseTable(
  '__etcdctl_ts_positionals',
  'Completes a positional argument of a command path ($1) from $2; fails when nothing is known about it.',
  fileNodes.map((node) => [node.path, hintAction(node.positional!)]),
  'return 1',
)}
__etcdctl_ts_reply_files() {
    compopt -o filenames 2>/dev/null
    local IFS=$'\\n'
    COMPREPLY=($(compgen -f -- "$1"))
}

# Words only the server knows (keys, lease and member IDs, users, roles): the binary reads the line as typed,
# asks the endpoints given on it with a short timeout, and prints finished COMPREPLY entries, or nothing.
__etcdctl_ts_reply_from_server() {
    mapfile -t COMPREPLY < <("$__etcdctl_ts_program" __etcdctl-ts-complete bash "\${COMP_LINE:0:COMP_POINT}" 2>/dev/null)
}

__etcdctl_ts_reply_directories() {
    compopt -o filenames 2>/dev/null
    local IFS=$'\\n'
    COMPREPLY=($(compgen -d -- "$1"))
}

# Is $1 a word of the space-separated list in __etcdctl_ts_words?
__etcdctl_ts_listed() {
    [[ " $__etcdctl_ts_words " == *" $1 "* ]]
}

_etcdctl_ts() {
    local __etcdctl_ts_words __etcdctl_ts_program=$1 line cur cmdpath='' word i count
    local -a args
    COMPREPLY=()
    # Split the line up to the cursor ourselves: COMP_WORDS would also split at '=' and ':'.
    line=\${COMP_LINE:0:COMP_POINT}
    read -ra args <<< "$line"
    [[ -z $line || $line == *[[:space:]] ]] && args+=('')
    count=\${#args[@]}
    cur=\${args[count-1]}

    # Walk the words between the program and the cursor: flags (and the values they take) are
    # skipped, command names descend the tree, anything else is a positional argument.
    for ((i = 1; i < count - 1; i++)); do
        word=\${args[i]}
        if [[ $word == -- ]]; then
            # What follows is a command to run (watch, lock): complete paths.
            __etcdctl_ts_reply_files "$cur"
            return 0
        elif [[ $word == -?* ]]; then
            __etcdctl_ts_value_flags "$cmdpath"
            if [[ $word != *=* ]] && __etcdctl_ts_listed "$word"; then
                if ((i == count - 2)); then
                    __etcdctl_ts_flag_values "$word" "$cur"
                    return 0
                fi
                ((i++))
            fi
        else
            __etcdctl_ts_subcommands "$cmdpath"
            if __etcdctl_ts_listed "$word"; then
                cmdpath=\${cmdpath:+$cmdpath }$word
            fi
        fi
    done

    if [[ $cur == -?*=* ]]; then
        # bash completes only the part after '=' when '=' breaks words (it does by default).
        local flag=\${cur%%=*} value=\${cur#*=}
        __etcdctl_ts_flag_values "$flag" "$value" || return 0
        if [[ $COMP_WORDBREAKS != *=* ]]; then
            COMPREPLY=("\${COMPREPLY[@]/#/$flag=}")
        fi
    elif [[ $cur == -* ]]; then
        __etcdctl_ts_flags "$cmdpath"
        COMPREPLY=($(compgen -W "$__etcdctl_ts_words" -- "$cur"))
    else
        __etcdctl_ts_subcommands "$cmdpath"
        if [[ -n $__etcdctl_ts_words ]]; then
            COMPREPLY=($(compgen -W "$__etcdctl_ts_words" -- "$cur"))
        else
            __etcdctl_ts_positionals "$cmdpath" "$cur"
        fi
    fi
    return 0
}

complete -F _etcdctl_ts ${PROGRAM_NAMES.join(' ')}
`;
}
