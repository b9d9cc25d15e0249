# bash completion for etcdctl-ts                              -*- shell-script -*-
#
# Generated from the etcdctl-ts command tree by `etcdctl-ts completion bash`; do not edit.
# Load it in the current shell with:  source <(etcdctl-ts completion bash)

# The sub-commands of a command path ("" is the program itself).
__etcdctl_ts_subcommands() {
    case "$1" in
        '') __etcdctl_ts_words='alarm auth check compaction completion defrag del downgrade elect endpoint get help history lease lock make-mirror member migrate move-leader put role snapshot txn user version watch' ;;
        'alarm') __etcdctl_ts_words='disarm list' ;;
        'auth') __etcdctl_ts_words='disable enable status' ;;
        'check') __etcdctl_ts_words='datascale perf' ;;
        'completion') __etcdctl_ts_words='bash fish powershell zsh' ;;
        'downgrade') __etcdctl_ts_words='cancel enable validate' ;;
        'endpoint') __etcdctl_ts_words='hashkv health status' ;;
        'lease') __etcdctl_ts_words='grant keep-alive list revoke timetolive' ;;
        'member') __etcdctl_ts_words='add list promote remove update' ;;
        'role') __etcdctl_ts_words='add delete get grant-permission list revoke-permission' ;;
        'snapshot') __etcdctl_ts_words='restore save status' ;;
        'user') __etcdctl_ts_words='add delete get grant-role list passwd revoke-role' ;;
        *) __etcdctl_ts_words='' ;;
    esac
}

# The flags of a command path, its own and the global ones.
__etcdctl_ts_flags() {
    case "$1" in
        '') __etcdctl_ts_words='--help -h' ;;
        'alarm') __etcdctl_ts_words='--help -h' ;;
        'alarm disarm') __etcdctl_ts_words='--help -h' ;;
        'alarm list') __etcdctl_ts_words='--help -h' ;;
        'auth') __etcdctl_ts_words='--help -h' ;;
        'auth disable') __etcdctl_ts_words='--help -h' ;;
        'auth enable') __etcdctl_ts_words='--help -h' ;;
        'auth status') __etcdctl_ts_words='--help -h' ;;
        'check') __etcdctl_ts_words='--help -h' ;;
        'check datascale') __etcdctl_ts_words='--auto-compact --auto-defrag --load --prefix --help -h' ;;
        'check perf') __etcdctl_ts_words='--auto-compact --auto-defrag --duration --load --prefix --help -h' ;;
        'compaction') __etcdctl_ts_words='--physical --help -h' ;;
        'completion') __etcdctl_ts_words='--help -h' ;;
        'completion bash') __etcdctl_ts_words='--no-descriptions --help -h' ;;
        'completion fish') __etcdctl_ts_words='--no-descriptions --help -h' ;;
        'completion powershell') __etcdctl_ts_words='--no-descriptions --help -h' ;;
        'completion zsh') __etcdctl_ts_words='--no-descriptions --help -h' ;;
        'defrag') __etcdctl_ts_words='--cluster --data-dir --help -h' ;;
        'del') __etcdctl_ts_words='--confirm-above --dry-run --from-key --prefix --prev-kv --range --help -h' ;;
        'downgrade') __etcdctl_ts_words='--help -h' ;;
        'downgrade cancel') __etcdctl_ts_words='--help -h' ;;
        'downgrade enable') __etcdctl_ts_words='--help -h' ;;
        'downgrade validate') __etcdctl_ts_words='--help -h' ;;
        'elect') __etcdctl_ts_words='--listen -l --help -h' ;;
        'endpoint') __etcdctl_ts_words='--cluster --help -h' ;;
        'endpoint hashkv') __etcdctl_ts_words='--cluster --rev --help -h' ;;
        'endpoint health') __etcdctl_ts_words='--cluster --help -h' ;;
        'endpoint status') __etcdctl_ts_words='--cluster --help -h' ;;
        'get') __etcdctl_ts_words='--consistency --count-only --from-key --keys-only --limit --max-create-rev --max-create-revision --max-mod-rev --max-mod-revision --min-create-rev --min-create-revision --min-mod-rev --min-mod-revision --order --page-size --prefix --print-value-only --rev --sort-by --help -h' ;;
        'help') __etcdctl_ts_words='--help -h' ;;
        'history') __etcdctl_ts_words='--help -h' ;;
        'lease') __etcdctl_ts_words='--help -h' ;;
        'lease grant') __etcdctl_ts_words='--help -h' ;;
        'lease keep-alive') __etcdctl_ts_words='--once --help -h' ;;
        'lease list') __etcdctl_ts_words='--help -h' ;;
        'lease revoke') __etcdctl_ts_words='--help -h' ;;
        'lease timetolive') __etcdctl_ts_words='--keys --help -h' ;;
        'lock') __etcdctl_ts_words='--ttl --help -h' ;;
        'make-mirror') __etcdctl_ts_words='--dest-cacert --dest-cert --dest-insecure-transport --dest-key --dest-password --dest-prefix --dest-user --max-txn-ops --no-dest-prefix --prefix --rev --help -h' ;;
        'member') __etcdctl_ts_words='--help -h' ;;
        'member add') __etcdctl_ts_words='--learner --peer-urls --help -h' ;;
        'member list') __etcdctl_ts_words='--consistency --help -h' ;;
        'member promote') __etcdctl_ts_words='--help -h' ;;
        'member remove') __etcdctl_ts_words='--help -h' ;;
        'member update') __etcdctl_ts_words='--peer-urls --help -h' ;;
        'migrate') __etcdctl_ts_words='--data-dir --no-ttl --transformer --wal-dir --help -h' ;;
        'move-leader') __etcdctl_ts_words='--help -h' ;;
        'put') __etcdctl_ts_words='--ignore-lease --ignore-value --lease --prev-kv --help -h' ;;
        'role') __etcdctl_ts_words='--help -h' ;;
        'role add') __etcdctl_ts_words='--help -h' ;;
        'role delete') __etcdctl_ts_words='--help -h' ;;
        'role get') __etcdctl_ts_words='--help -h' ;;
        'role grant-permission') __etcdctl_ts_words='--from-key --prefix --help -h' ;;
        'role list') __etcdctl_ts_words='--help -h' ;;
        'role revoke-permission') __etcdctl_ts_words='--from-key --prefix --help -h' ;;
        'snapshot') __etcdctl_ts_words='--help -h' ;;
        'snapshot restore') __etcdctl_ts_words='--bump-revision --bundled-server --data-dir --initial-advertise-peer-urls --initial-cluster --initial-cluster-token --initial-memory-map-size --mark-compacted --name --skip-hash-check --wal-dir --help -h' ;;
        'snapshot save') __etcdctl_ts_words='--help -h' ;;
        'snapshot status') __etcdctl_ts_words='--help -h' ;;
        'txn') __etcdctl_ts_words='--interactive -i --help -h' ;;
        'user') __etcdctl_ts_words='--help -h' ;;
        'user add') __etcdctl_ts_words='--interactive --new-user-password --no-password --help -h' ;;
        'user delete') __etcdctl_ts_words='--help -h' ;;
        'user get') __etcdctl_ts_words='--detail --help -h' ;;
        'user grant-role') __etcdctl_ts_words='--help -h' ;;
        'user list') __etcdctl_ts_words='--help -h' ;;
        'user passwd') __etcdctl_ts_words='--interactive --help -h' ;;
        'user revoke-role') __etcdctl_ts_words='--help -h' ;;
        'version') __etcdctl_ts_words='--help -h' ;;
        'watch') __etcdctl_ts_words='--interactive -i --prefix --prev-kv --progress-notify --rev --help -h' ;;
        *) __etcdctl_ts_words='' ;;
    esac
    __etcdctl_ts_words+=' --cacert --cert --command-timeout --debug --dial-timeout --discovery-srv -d --discovery-srv-name --endpoints --hex --insecure-discovery --insecure-skip-tls-verify --insecure-transport --keepalive-time --keepalive-timeout --key --max-recv-bytes --max-request-bytes --no-color --password --user --write-out -w'
}

# The flags of a command path that take a value (in the next word unless written --flag=value).
__etcdctl_ts_value_flags() {
    case "$1" in
        'check datascale') __etcdctl_ts_words='--load --prefix' ;;
        'check perf') __etcdctl_ts_words='--duration --load --prefix' ;;
        'defrag') __etcdctl_ts_words='--data-dir' ;;
        'del') __etcdctl_ts_words='--confirm-above' ;;
        'endpoint hashkv') __etcdctl_ts_words='--rev' ;;
        'get') __etcdctl_ts_words='--consistency --limit --max-create-rev --max-create-revision --max-mod-rev --max-mod-revision --min-create-rev --min-create-revision --min-mod-rev --min-mod-revision --order --page-size --rev --sort-by' ;;
        'lock') __etcdctl_ts_words='--ttl' ;;
        'make-mirror') __etcdctl_ts_words='--dest-cacert --dest-cert --dest-key --dest-password --dest-prefix --dest-user --max-txn-ops --prefix --rev' ;;
        'member add') __etcdctl_ts_words='--peer-urls' ;;
        'member list') __etcdctl_ts_words='--consistency' ;;
        'member update') __etcdctl_ts_words='--peer-urls' ;;
        'migrate') __etcdctl_ts_words='--data-dir --transformer --wal-dir' ;;
        'put') __etcdctl_ts_words='--lease' ;;
        'snapshot restore') __etcdctl_ts_words='--bump-revision --data-dir --initial-advertise-peer-urls --initial-cluster --initial-cluster-token --initial-memory-map-size --name --wal-dir' ;;
        'user add') __etcdctl_ts_words='--new-user-password' ;;
        'watch') __etcdctl_ts_words='--rev' ;;
        *) __etcdctl_ts_words='' ;;
    esac
    __etcdctl_ts_words+=' --cacert --cert --command-timeout --dial-timeout --discovery-srv -d --discovery-srv-name --endpoints --keepalive-time --keepalive-timeout --key --max-recv-bytes --max-request-bytes --password --user --write-out -w'
}

# Completes the value of a flag ($1) from $2; fails for free-form values.
__etcdctl_ts_flag_values() {
    case "$1" in
        '--cacert') __etcdctl_ts_reply_files "$2" ;;
        '--cert') __etcdctl_ts_reply_files "$2" ;;
        '--key') __etcdctl_ts_reply_files "$2" ;;
        '--write-out') COMPREPLY=($(compgen -W 'fields json jsonl k8s protobuf simple table' -- "$2")) ;;
        '-w') COMPREPLY=($(compgen -W 'fields json jsonl k8s protobuf simple table' -- "$2")) ;;
        '--load') COMPREPLY=($(compgen -W 's m l xl' -- "$2")) ;;
        '--data-dir') __etcdctl_ts_reply_directories "$2" ;;
        '--consistency') COMPREPLY=($(compgen -W 'l s' -- "$2")) ;;
        '--order') COMPREPLY=($(compgen -W 'ASCEND DESCEND' -- "$2")) ;;
        '--sort-by') COMPREPLY=($(compgen -W 'CREATE KEY MODIFY VALUE VERSION' -- "$2")) ;;
        '--dest-cacert') __etcdctl_ts_reply_files "$2" ;;
        '--dest-cert') __etcdctl_ts_reply_files "$2" ;;
        '--dest-key') __etcdctl_ts_reply_files "$2" ;;
        '--transformer') __etcdctl_ts_reply_files "$2" ;;
        '--wal-dir') __etcdctl_ts_reply_directories "$2" ;;
        '--lease') __etcdctl_ts_reply_from_server ;;
        *) return 1 ;;
    esac
}

# Completes a positional argument of a command path ($1) from $2; fails when nothing is known about it.
__etcdctl_ts_positionals() {
    case "$1" in
        'del') __etcdctl_ts_reply_from_server ;;
        'get') __etcdctl_ts_reply_from_server ;;
        'lease keep-alive') __etcdctl_ts_reply_from_server ;;
        'lease revoke') __etcdctl_ts_reply_from_server ;;
        'lease timetolive') __etcdctl_ts_reply_from_server ;;
        'member promote') __etcdctl_ts_reply_from_server ;;
        'member remove') __etcdctl_ts_reply_from_server ;;
        'member update') __etcdctl_ts_reply_from_server ;;
        'move-leader') __etcdctl_ts_reply_from_server ;;
        'put') __etcdctl_ts_reply_from_server ;;
        'role delete') __etcdctl_ts_reply_from_server ;;
        'role get') __etcdctl_ts_reply_from_server ;;
        'role grant-permission') __etcdctl_ts_reply_from_server ;;
        'role revoke-permission') __etcdctl_ts_reply_from_server ;;
        'snapshot restore') __etcdctl_ts_reply_files "$2" ;;
        'snapshot save') __etcdctl_ts_reply_files "$2" ;;
        'snapshot status') __etcdctl_ts_reply_files "$2" ;;
        'user delete') __etcdctl_ts_reply_from_server ;;
        'user get') __etcdctl_ts_reply_from_server ;;
        'user grant-role') __etcdctl_ts_reply_from_server ;;
        'user passwd') __etcdctl_ts_reply_from_server ;;
        'user revoke-role') __etcdctl_ts_reply_from_server ;;
        'watch') __etcdctl_ts_reply_from_server ;;
        *) return 1 ;;
    esac
}

__etcdctl_ts_reply_files() {
    compopt -o filenames 2>/dev/null
    local IFS=$'\n'
    COMPREPLY=($(compgen -f -- "$1"))
}

# Words only the server knows (keys, lease and member IDs, users, roles): the binary reads the line as typed,
# asks the endpoints given on it with a short timeout, and prints finished COMPREPLY entries, or nothing.
__etcdctl_ts_reply_from_server() {
    mapfile -t COMPREPLY < <("$__etcdctl_ts_program" __etcdctl-ts-complete bash "${COMP_LINE:0:COMP_POINT}" 2>/dev/null)
}

__etcdctl_ts_reply_directories() {
    compopt -o filenames 2>/dev/null
    local IFS=$'\n'
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
    line=${COMP_LINE:0:COMP_POINT}
    read -ra args <<< "$line"
    [[ -z $line || $line == *[[:space:]] ]] && args+=('')
    count=${#args[@]}
    cur=${args[count-1]}

    # Walk the words between the program and the cursor: flags (and the values they take) are
    # skipped, command names descend the tree, anything else is a positional argument.
    for ((i = 1; i < count - 1; i++)); do
        word=${args[i]}
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
                cmdpath=${cmdpath:+$cmdpath }$word
            fi
        fi
    done

    if [[ $cur == -?*=* ]]; then
        # bash completes only the part after '=' when '=' breaks words (it does by default).
        local flag=${cur%%=*} value=${cur#*=}
        __etcdctl_ts_flag_values "$flag" "$value" || return 0
        if [[ $COMP_WORDBREAKS != *=* ]]; then
            COMPREPLY=("${COMPREPLY[@]/#/$flag=}")
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

complete -F _etcdctl_ts etcdctl-ts etcdctl
