// The zsh script: the model as `case` tables of `name:description` entries for _describe, plus one function
// that walks $words up to the cursor. Works autoloaded from $fpath (as `_etcdctl-ts`) or sourced.
import { type CompletionFlag, type CompletionModel, type ValueHint, PROGRAM_NAMES, valueFlagTokens, valueHints } from './model.js';
import { shQuote } from './quote.js';

export interface ZshOptions {
  descriptions: boolean;
}

function describedEntries(items: { name: string; description: string }[], descriptions: boolean): string {
  // _describe splits name:description at the first unescaped colon.
  const entry = (item: { name: string; description: string }) =>
    shQuote(descriptions ? `${item.name.replace(/:/g, '\\:')}:${item.description}` : item.name);
  return items.map(entry).join(' ');
}

function flagItems(flags: CompletionFlag[]): { name: string; description: string }[] {
  return flags.flatMap((flag) => flag.tokens.map((token) => ({ name: token, description: flag.description })));
}

function caseTable(functionName: string, comment: string, entries: [string, string][], fallback: string, epilogue = ''): string {
  const arms = entries.map(([pattern, body]) => `        (${shQuote(pattern)}) ${body} ;;`).join('\n');
  return `# ${comment}
${functionName}() {
    case "$1" in
${arms}
        (*) ${fallback} ;;
    esac${epilogue}
}
`;
}

function hintAction(hint: ValueHint): string {
  if (hint.kind === 'file') return '_files';
  if (hint.kind === 'directory') return '_files -/';
  if (hint.kind === 'server') return '_etcdctl_ts_from_server';
  return `compadd -- ${hint.words.map(shQuote).join(' ')}`;
}

export function zshCompletion(model: CompletionModel, options: ZshOptions): string {
  const { descriptions } = options;
  const globalFlags = describedEntries(flagItems(model.globalFlags), descriptions);
  const globalValueFlags = valueFlagTokens(model.globalFlags).map(shQuote).join(' ');
  const hintArms: [string, string][] = [...valueHints(model)].map(([token, hint]) => [token, hintAction(hint)]);
  const listOrDescribe = descriptions
    ? (tag: string, label: string) => `_describe -t ${tag} ${shQuote(label)} reply`
    : () => 'compadd -- "${reply[@]}"';

  // Without descriptions: the binary's fish lines (the bare name, a tab, a description), cut at the tab.
  const fromServer = descriptions
    ? { format: 'zsh', show: `_describe -t values 'value' candidates` }
    : { format: 'fish', show: `compadd -- "\${(@)candidates%%$'\\t'*}"` };
  return `#compdef ${PROGRAM_NAMES.join(' ')}
# zsh completion for etcdctl-ts
#
# Generated from the etcdctl-ts command tree by \`etcdctl-ts completion zsh\`; do not edit.
# Load it in the current shell with:  source <(etcdctl-ts completion zsh)
# or save it as _etcdctl-ts in a directory of $fpath.

${caseTable(
  '_etcdctl_ts_subcommands',
  'The sub-commands of a command path ("" is the program itself), as name:description.',
  model.nodes
    .filter((node) => node.subcommands.length > 0)
    .map((node) => [node.path, `reply=(${describedEntries(node.subcommands, descriptions)})`]),
  'reply=()',
)}
${caseTable(
  '_etcdctl_ts_flags',
  'The flags of a command path, its own and the global ones, as flag:description.',
  model.nodes.map((node) => [node.path, `reply=(${describedEntries(flagItems(node.flags), descriptions)})`]),
  'reply=()',
  `\n    reply+=(${globalFlags})`,
)}
${caseTable(
  '_etcdctl_ts_value_flags',
  'The flags of a command path that take a value (in the next word unless written --flag=value).',
  model.nodes
    .filter((node) => valueFlagTokens(node.flags).length > 0)
    .map((node) => [node.path, `reply=(${valueFlagTokens(node.flags).map(shQuote).join(' ')})`]),
  'reply=()',
  `\n    reply+=(${globalValueFlags})`,
)}
${caseTable('_etcdctl_ts_flag_values', 'Completes the value of a flag; fails for free-form values.', hintArms, 'return 1')}
${caseTable(
  '_etcdctl_ts_positionals',
  'Completes a positional argument of a command path; fails when nothing is known about it.',
  model.nodes.filter((node) => node.positional).map((node) => [node.path, hintAction(node.positional!)]),
  'return 1',
)}
# Words only the server knows (keys, lease and member IDs, users, roles): the binary gets the words typed so
# far and the one under the cursor, asks the endpoints given on the line with a short timeout, and prints
# name:description entries, or nothing.
_etcdctl_ts_from_server() {
    local -a candidates
    candidates=("\${(@f)$("\${words[1]}" __etcdctl-ts-complete ${fromServer.format} "\${(@Q)words[2,CURRENT-1]}" "\${(Q)IPREFIX}\${(Q)PREFIX}" 2>/dev/null)}")
    candidates=("\${(@)candidates:#}")
    (( \${#candidates} )) && ${fromServer.show}
}

_etcdctl() {
    local -a reply names
    local cmdpath='' word cur=\${words[CURRENT]} flag
    integer i

    # Walk the words between the program and the cursor: flags (and the values they take) are
    # skipped, command names descend the tree, anything else is a positional argument.
    for ((i = 2; i < CURRENT; i++)); do
        word=\${words[i]}
        if [[ $word == -- ]]; then
            _files
            return
        elif [[ $word == -?* ]]; then
            _etcdctl_ts_value_flags "$cmdpath"
            if [[ $word != *=* ]] && (( \${reply[(Ie)$word]} )); then
                if (( i == CURRENT - 1 )); then
                    _etcdctl_ts_flag_values "$word"
                    return
                fi
                (( i++ ))
            fi
        else
            _etcdctl_ts_subcommands "$cmdpath"
            names=("\${(@)reply%%:*}")
            if (( \${names[(Ie)$word]} )); then
                cmdpath=\${cmdpath:+$cmdpath }$word
            fi
        fi
    done

    if [[ $cur == -?*=* ]]; then
        flag=\${cur%%=*}
        compset -P '*='
        _etcdctl_ts_flag_values "$flag"
    elif [[ $cur == -* ]]; then
        _etcdctl_ts_flags "$cmdpath"
        ${listOrDescribe('flags', 'flag')}
    else
        _etcdctl_ts_subcommands "$cmdpath"
        if (( \${#reply} )); then
            ${listOrDescribe('commands', 'command')}
        else
            _etcdctl_ts_positionals "$cmdpath"
        fi
    fi
}

# Autoloaded from $fpath, this file is the body of _etcdctl-ts (or _etcdctl); sourced, it registers itself.
if [[ $funcstack[1] == _etcdctl-ts || $funcstack[1] == _etcdctl ]]; then
    _etcdctl "$@"
else
    compdef _etcdctl ${PROGRAM_NAMES.join(' ')}
fi
`;
}
