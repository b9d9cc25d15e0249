# fish completion for etcdctl-ts
#
# Generated from the etcdctl-ts command tree by `etcdctl-ts completion fish`; do not edit.
# Load it in the current shell with:  etcdctl-ts completion fish | source

# The sub-commands of a command path ("" is the program itself).
function __etcdctl_ts_subcommands
    switch $argv[1]
        case ''
            printf '%s\t%s\n' 'alarm' 'Alarm related commands' 'auth' 'Enable or disable authentication' 'check' 'commands for checking properties of the etcd cluster' 'compaction' 'Compacts the event history in etcd' 'completion' 'Generate the autocompletion script for the specified shell' 'defrag' 'Defragments the storage of the etcd members with given endpoints' 'del' 'Removes the specified key or range of keys [key, range_end)' 'downgrade' 'Downgrade related commands' 'elect' 'Observes and participates in leader election' 'endpoint' 'Endpoint related commands' 'get' 'Gets the key or a range of keys' 'help' 'Help about any command' 'history' 'Lists every revision of a key still in the history, with the changes between them (etcdctl-ts extension)' 'lease' 'Lease related commands' 'lock' 'Acquires a named lock' 'make-mirror' 'Makes a mirror at the destination etcd cluster' 'member' 'Membership related commands' 'migrate' 'Migrates keys in a v2 store to a mvcc store' 'move-leader' 'Transfers leadership to another etcd cluster member.' 'put' 'Puts the given key into the store' 'role' 'Role related commands' 'snapshot' 'Manages etcd node snapshots' 'txn' 'Txn processes all the requests in one transaction' 'user' 'User related commands' 'version' 'Prints the version of etcdctl' 'watch' 'Watches events stream on keys or prefixes'
        case 'alarm'
            printf '%s\t%s\n' 'disarm' 'Disarms all alarms' 'list' 'Lists all alarms'
        case 'auth'
            printf '%s\t%s\n' 'disable' 'Disables authentication' 'enable' 'Enables authentication' 'status' 'Returns authentication status'
        case 'check'
            printf '%s\t%s\n' 'datascale' 'Check the memory usage of holding data for different workloads on a given server endpoint.' 'perf' 'Check the performance of the etcd cluster'
        case 'completion'
            printf '%s\t%s\n' 'bash' 'Generate the autocompletion script for bash' 'fish' 'Generate the autocompletion script for fish' 'powershell' 'Generate the autocompletion script for powershell' 'zsh' 'Generate the autocompletion script for zsh'
        case 'downgrade'
            printf '%s\t%s\n' 'cancel' 'Cancel the ongoing downgrade action to cluster' 'enable' 'Start a downgrade action to cluster' 'validate' 'Validate downgrade capability before starting downgrade'
        case 'endpoint'
            printf '%s\t%s\n' 'hashkv' 'Prints the KV history hash for each endpoint in --endpoints' 'health' 'Checks the healthiness of endpoints specified in `--endpoints` flag' 'status' 'Prints out the status of endpoints specified in `--endpoints` flag'
        case 'lease'
            printf '%s\t%s\n' 'grant' 'Creates leases' 'keep-alive' 'Keeps leases alive (renew)' 'list' 'List all active leases' 'revoke' 'Revokes leases' 'timetolive' 'Get lease information'
        case 'member'
            printf '%s\t%s\n' 'add' 'Adds a member into the cluster' 'list' 'Lists all members in the cluster' 'promote' 'Promotes a non-voting member in the cluster' 'remove' 'Removes a member from the cluster' 'update' 'Updates a member in the cluster'
        case 'role'
            printf '%s\t%s\n' 'add' 'Adds a new role' 'delete' 'Deletes a role' 'get' 'Gets detailed information of a role' 'grant-permission' 'Grants a key to a role' 'list' 'Lists all roles' 'revoke-permission' 'Revokes a key from a role'
        case 'snapshot'
            printf '%s\t%s\n' 'restore' 'Restores an etcd member snapshot to an etcd directory' 'save' 'Stores an etcd node backend snapshot to a given file' 'status' 'Gets backend snapshot status of a given file'
        case 'user'
            printf '%s\t%s\n' 'add' 'Adds a new user' 'delete' 'Deletes a user' 'get' 'Gets detailed information of a user' 'grant-role' 'Grants a role to a user' 'list' 'Lists all users' 'passwd' 'Changes password of user' 'revoke-role' 'Revokes a role from a user'
        case '*'
            true
    end
end

# The flags of a command path, its own and the global ones.
function __etcdctl_ts_flags
    switch $argv[1]
        case ''
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'alarm'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'alarm disarm'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'alarm list'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'auth'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'auth disable'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'auth enable'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'auth status'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'check'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'check datascale'
            printf '%s\t%s\n' '--auto-compact' 'Compact storage with last revision after test is finished.' '--auto-defrag' 'Defragment storage after test is finished.' '--load' 'The datascale check\'s workload model. Accepted workloads: s(small), m(medium), l(large), xl(xLarge)' '--prefix' 'The prefix for writing the datascale check\'s keys.' '--help' 'help for this command' '-h' 'help for this command'
        case 'check perf'
            printf '%s\t%s\n' '--auto-compact' 'Compact storage with last revision after test is finished.' '--auto-defrag' 'Defragment storage after test is finished.' '--duration' 'How long the check runs instead of the model\'s 60s (etcdctl-ts extension)' '--load' 'The performance check\'s workload model. Accepted workloads: s(small), m(medium), l(large), xl(xLarge)' '--prefix' 'The prefix for writing the performance check\'s keys.' '--help' 'help for this command' '-h' 'help for this command'
        case 'compaction'
            printf '%s\t%s\n' '--physical' '\'true\' to wait for compaction to physically remove all old revisions' '--help' 'help for this command' '-h' 'help for this command'
        case 'completion'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'completion bash'
            printf '%s\t%s\n' '--no-descriptions' 'disable completion descriptions' '--help' 'help for this command' '-h' 'help for this command'
        case 'completion fish'
            printf '%s\t%s\n' '--no-descriptions' 'disable completion descriptions' '--help' 'help for this command' '-h' 'help for this command'
        case 'completion powershell'
            printf '%s\t%s\n' '--no-descriptions' 'disable completion descriptions' '--help' 'help for this command' '-h' 'help for this command'
        case 'completion zsh'
            printf '%s\t%s\n' '--no-descriptions' 'disable completion descriptions' '--help' 'help for this command' '-h' 'help for this command'
        case 'defrag'
            printf '%s\t%s\n' '--cluster' 'use all endpoints from the cluster member list' '--data-dir' 'Optional. If present, defragments a data directory not in use by etcd.' '--help' 'help for this command' '-h' 'help for this command'
        case 'del'
            printf '%s\t%s\n' '--confirm-above' 'on a terminal, ask before deleting more keys than this (-1: never ask; etcdctl-ts extension, env ETCDCTL_TS_DEL_CONFIRM_ABOVE)' '--dry-run' 'print the keys that would be deleted, and how many, without deleting (etcdctl-ts extension)' '--from-key' 'delete keys that are greater than or equal to the given key using byte compare' '--prefix' 'delete keys with matching prefix' '--prev-kv' 'return deleted key-value pairs' '--range' 'delete range of keys' '--help' 'help for this command' '-h' 'help for this command'
        case 'downgrade'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'downgrade cancel'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'downgrade enable'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'downgrade validate'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'elect'
            printf '%s\t%s\n' '--listen' 'observation mode' '-l' 'observation mode' '--help' 'help for this command' '-h' 'help for this command'
        case 'endpoint'
            printf '%s\t%s\n' '--cluster' 'use all endpoints from the cluster member list' '--help' 'help for this command' '-h' 'help for this command'
        case 'endpoint hashkv'
            printf '%s\t%s\n' '--cluster' 'use all endpoints from the cluster member list' '--rev' 'maximum revision to hash (default: all revisions)' '--help' 'help for this command' '-h' 'help for this command'
        case 'endpoint health'
            printf '%s\t%s\n' '--cluster' 'use all endpoints from the cluster member list' '--help' 'help for this command' '-h' 'help for this command'
        case 'endpoint status'
            printf '%s\t%s\n' '--cluster' 'use all endpoints from the cluster member list' '--help' 'help for this command' '-h' 'help for this command'
        case 'get'
            printf '%s\t%s\n' '--consistency' 'Linearizable(l) or Serializable(s)' '--count-only' 'Get only the count' '--from-key' 'Get keys that are greater than or equal to the given key using byte compare' '--keys-only' 'Get only the keys' '--limit' 'Maximum number of results' '--max-create-rev' 'Maximum create revision' '--max-create-revision' 'Same as --max-create-rev (etcdctl-ts alias)' '--max-mod-rev' 'Maximum modification revision' '--max-mod-revision' 'Same as --max-mod-rev (etcdctl-ts alias)' '--min-create-rev' 'Minimum create revision' '--min-create-revision' 'Same as --min-create-rev (etcdctl-ts alias)' '--min-mod-rev' 'Minimum modification revision' '--min-mod-revision' 'Same as --min-mod-rev (etcdctl-ts alias)' '--order' 'Order of results; ASCEND or DESCEND (ASCEND by default)' '--page-size' 'Read a range in pages of at most this many keys, all at one revision; 0 reads it in one request (etcdctl-ts extension)' '--prefix' 'Get keys with matching prefix' '--print-value-only' 'Only write values when using the "simple" output format' '--rev' 'Specify the kv revision' '--sort-by' 'Sort target; CREATE, KEY, MODIFY, VALUE, or VERSION' '--help' 'help for this command' '-h' 'help for this command'
        case 'help'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'history'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'lease'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'lease grant'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'lease keep-alive'
            printf '%s\t%s\n' '--once' 'Resets the keep-alive time to its original value and exits immediately' '--help' 'help for this command' '-h' 'help for this command'
        case 'lease list'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'lease revoke'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'lease timetolive'
            printf '%s\t%s\n' '--keys' 'Get keys attached to this lease' '--help' 'help for this command' '-h' 'help for this command'
        case 'lock'
            printf '%s\t%s\n' '--ttl' 'timeout for session' '--help' 'help for this command' '-h' 'help for this command'
        case 'make-mirror'
            printf '%s\t%s\n' '--dest-cacert' 'Verify certificates of TLS enabled secure servers using this CA bundle' '--dest-cert' 'Identify secure client using this TLS certificate file for the destination cluster' '--dest-insecure-transport' 'Disable transport security for client connections' '--dest-key' 'Identify secure client using this TLS key file' '--dest-password' 'Destination password for authentication (if this option is used, --user option shouldn\'t include password)' '--dest-prefix' 'destination prefix to mirror a prefix to a different prefix in the destination cluster' '--dest-user' 'Destination username[:password] for authentication (prompt if password is not supplied)' '--max-txn-ops' 'Maximum number of operations permitted in a transaction during syncing updates.' '--no-dest-prefix' 'mirror key-values to the root of the destination cluster' '--prefix' 'Key-value prefix to mirror' '--rev' 'Specify the kv revision to start to mirror' '--help' 'help for this command' '-h' 'help for this command'
        case 'member'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'member add'
            printf '%s\t%s\n' '--learner' 'indicates if the new member is raft learner' '--peer-urls' 'comma separated peer URLs for the new member.' '--help' 'help for this command' '-h' 'help for this command'
        case 'member list'
            printf '%s\t%s\n' '--consistency' 'Linearizable(l) or Serializable(s)' '--help' 'help for this command' '-h' 'help for this command'
        case 'member promote'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'member remove'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'member update'
            printf '%s\t%s\n' '--peer-urls' 'comma separated peer URLs for the updated member.' '--help' 'help for this command' '-h' 'help for this command'
        case 'migrate'
            printf '%s\t%s\n' '--data-dir' 'Path to the data directory' '--no-ttl' 'Do not convert TTL keys' '--transformer' 'Path to the user-provided transformer program' '--wal-dir' 'Path to the WAL directory' '--help' 'help for this command' '-h' 'help for this command'
        case 'move-leader'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'put'
            printf '%s\t%s\n' '--ignore-lease' 'updates the key using its current lease' '--ignore-value' 'updates the key using its current value' '--lease' 'lease ID (in hexadecimal) to attach to the key' '--prev-kv' 'return the previous key-value pair before modification' '--help' 'help for this command' '-h' 'help for this command'
        case 'role'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'role add'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'role delete'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'role get'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'role grant-permission'
            printf '%s\t%s\n' '--from-key' 'grant a permission of keys that are greater than or equal to the given key using byte compare' '--prefix' 'grant a prefix permission' '--help' 'help for this command' '-h' 'help for this command'
        case 'role list'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'role revoke-permission'
            printf '%s\t%s\n' '--from-key' 'revoke a permission of keys that are greater than or equal to the given key using byte compare' '--prefix' 'revoke a prefix permission' '--help' 'help for this command' '-h' 'help for this command'
        case 'snapshot'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'snapshot restore'
            printf '%s\t%s\n' '--bump-revision' 'How much to increase the latest revision after restore' '--bundled-server' 'Restore an etcd snapshot into a data dir for \'etcdctl-ts server\' (its own format) instead of etcd\'s (etcdctl-ts extension)' '--data-dir' 'Path to the data directory' '--initial-advertise-peer-urls' 'List of this member\'s peer URLs to advertise to the rest of the cluster' '--initial-cluster' 'Initial cluster configuration for restore bootstrap' '--initial-cluster-token' 'Initial cluster token for the etcd cluster during restore bootstrap' '--initial-memory-map-size' 'Initial memory map size of the database in bytes. It uses the default value if not defined or defined to 0' '--mark-compacted' 'Mark the latest revision after restore as the point of scheduled compaction (required if --bump-revision > 0, disallowed otherwise)' '--name' 'Human-readable name for this member' '--skip-hash-check' 'Ignore snapshot integrity hash value (required if copied from data directory)' '--wal-dir' 'Path to the WAL directory (use --data-dir if none given)' '--help' 'help for this command' '-h' 'help for this command'
        case 'snapshot save'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'snapshot status'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'txn'
            printf '%s\t%s\n' '--interactive' 'Input transaction in interactive mode' '-i' 'Input transaction in interactive mode' '--help' 'help for this command' '-h' 'help for this command'
        case 'user'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'user add'
            printf '%s\t%s\n' '--interactive' 'Read password from stdin instead of interactive terminal' '--new-user-password' 'Supply password from the command line flag' '--no-password' 'Create a user without password (CN based auth only)' '--help' 'help for this command' '-h' 'help for this command'
        case 'user delete'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'user get'
            printf '%s\t%s\n' '--detail' 'Show permissions of roles granted to the user' '--help' 'help for this command' '-h' 'help for this command'
        case 'user grant-role'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'user list'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'user passwd'
            printf '%s\t%s\n' '--interactive' 'If true, read password from stdin instead of interactive terminal' '--help' 'help for this command' '-h' 'help for this command'
        case 'user revoke-role'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'version'
            printf '%s\t%s\n' '--help' 'help for this command' '-h' 'help for this command'
        case 'watch'
            printf '%s\t%s\n' '--interactive' 'Interactive mode' '-i' 'Interactive mode' '--prefix' 'Watch on a prefix if prefix is set' '--prev-kv' 'get the previous key-value pair before the event happens' '--progress-notify' 'get periodic watch progress notification from server' '--rev' 'Revision to start watching' '--help' 'help for this command' '-h' 'help for this command'
        case '*'
            true
    end
    printf '%s\t%s\n' '--cacert' 'verify certificates of TLS-enabled secure servers using this CA bundle' '--cert' 'identify secure client using this TLS certificate file' '--command-timeout' 'timeout for short running command (excluding dial timeout)' '--debug' 'enable client-side debug logging' '--dial-timeout' 'dial timeout for client connections' '--discovery-srv' 'domain name to query for SRV records describing cluster endpoints' '-d' 'domain name to query for SRV records describing cluster endpoints' '--discovery-srv-name' 'service name to query when using DNS discovery' '--endpoints' 'gRPC endpoints' '--hex' 'print byte strings as hex encoded strings' '--insecure-discovery' 'accept insecure SRV records describing cluster endpoints' '--insecure-skip-tls-verify' 'skip server certificate verification (CAUTION: this option should be enabled only for testing purposes)' '--insecure-transport' 'disable transport security for client connections' '--keepalive-time' 'keepalive time for client connections' '--keepalive-timeout' 'keepalive timeout for client connections' '--key' 'identify secure client using this TLS key file' '--max-recv-bytes' 'client-side response receive limit in bytes (if 0, it defaults to "math.MaxInt32")' '--max-request-bytes' 'client-side request send limit in bytes (if 0, it defaults to 2.0 MiB (2 * 1024 * 1024).)' '--no-color' 'no colour on a terminal (as NO_COLOR does)' '--password' 'password for authentication (if this option is used, --user option shouldn\'t include password)' '--user' 'username[:password] for authentication (prompt if password is not supplied)' '--write-out' 'set the output format (fields, json, protobuf, simple, table)' '-w' 'set the output format (fields, json, protobuf, simple, table)'
end

# The flags of a command path that take a value (in the next token unless written --flag=value).
function __etcdctl_ts_value_flags
    switch $argv[1]
        case 'check datascale'
            printf '%s\n' '--load' '--prefix'
        case 'check perf'
            printf '%s\n' '--duration' '--load' '--prefix'
        case 'defrag'
            printf '%s\n' '--data-dir'
        case 'del'
            printf '%s\n' '--confirm-above'
        case 'endpoint hashkv'
            printf '%s\n' '--rev'
        case 'get'
            printf '%s\n' '--consistency' '--limit' '--max-create-rev' '--max-create-revision' '--max-mod-rev' '--max-mod-revision' '--min-create-rev' '--min-create-revision' '--min-mod-rev' '--min-mod-revision' '--order' '--page-size' '--rev' '--sort-by'
        case 'lock'
            printf '%s\n' '--ttl'
        case 'make-mirror'
            printf '%s\n' '--dest-cacert' '--dest-cert' '--dest-key' '--dest-password' '--dest-prefix' '--dest-user' '--max-txn-ops' '--prefix' '--rev'
        case 'member add'
            printf '%s\n' '--peer-urls'
        case 'member list'
            printf '%s\n' '--consistency'
        case 'member update'
            printf '%s\n' '--peer-urls'
        case 'migrate'
            printf '%s\n' '--data-dir' '--transformer' '--wal-dir'
        case 'put'
            printf '%s\n' '--lease'
        case 'snapshot restore'
            printf '%s\n' '--bump-revision' '--data-dir' '--initial-advertise-peer-urls' '--initial-cluster' '--initial-cluster-token' '--initial-memory-map-size' '--name' '--wal-dir'
        case 'user add'
            printf '%s\n' '--new-user-password'
        case 'watch'
            printf '%s\n' '--rev'
        case '*'
            true
    end
    printf '%s\n' '--cacert' '--cert' '--command-timeout' '--dial-timeout' '--discovery-srv' '-d' '--discovery-srv-name' '--endpoints' '--keepalive-time' '--keepalive-timeout' '--key' '--max-recv-bytes' '--max-request-bytes' '--password' '--user' '--write-out' '-w'
end

# The values of a flag ($argv[1]) for the typed text $argv[2]; fails for free-form values.
function __etcdctl_ts_flag_values
    switch $argv[1]
        case '--cacert'
            __fish_complete_path $argv[2]
        case '--cert'
            __fish_complete_path $argv[2]
        case '--key'
            __fish_complete_path $argv[2]
        case '--write-out'
            printf '%s\n' 'fields' 'json' 'jsonl' 'k8s' 'protobuf' 'simple' 'table'
        case '-w'
            printf '%s\n' 'fields' 'json' 'jsonl' 'k8s' 'protobuf' 'simple' 'table'
        case '--load'
            printf '%s\n' 's' 'm' 'l' 'xl'
        case '--data-dir'
            __fish_complete_directories $argv[2]
        case '--consistency'
            printf '%s\n' 'l' 's'
        case '--order'
            printf '%s\n' 'ASCEND' 'DESCEND'
        case '--sort-by'
            printf '%s\n' 'CREATE' 'KEY' 'MODIFY' 'VALUE' 'VERSION'
        case '--dest-cacert'
            __fish_complete_path $argv[2]
        case '--dest-cert'
            __fish_complete_path $argv[2]
        case '--dest-key'
            __fish_complete_path $argv[2]
        case '--transformer'
            __fish_complete_path $argv[2]
        case '--wal-dir'
            __fish_complete_directories $argv[2]
        case '--lease'
            __etcdctl_ts_from_server
        case '*'
            return 1
    end
end

# Positional arguments of a command path ($argv[1]) for the typed text $argv[2].
function __etcdctl_ts_positionals
    switch $argv[1]
        case 'del'
            __etcdctl_ts_from_server
        case 'get'
            __etcdctl_ts_from_server
        case 'lease keep-alive'
            __etcdctl_ts_from_server
        case 'lease revoke'
            __etcdctl_ts_from_server
        case 'lease timetolive'
            __etcdctl_ts_from_server
        case 'member promote'
            __etcdctl_ts_from_server
        case 'member remove'
            __etcdctl_ts_from_server
        case 'member update'
            __etcdctl_ts_from_server
        case 'move-leader'
            __etcdctl_ts_from_server
        case 'put'
            __etcdctl_ts_from_server
        case 'role delete'
            __etcdctl_ts_from_server
        case 'role get'
            __etcdctl_ts_from_server
        case 'role grant-permission'
            __etcdctl_ts_from_server
        case 'role revoke-permission'
            __etcdctl_ts_from_server
        case 'snapshot restore'
            __fish_complete_path $argv[2]
        case 'snapshot save'
            __fish_complete_path $argv[2]
        case 'snapshot status'
            __fish_complete_path $argv[2]
        case 'user delete'
            __etcdctl_ts_from_server
        case 'user get'
            __etcdctl_ts_from_server
        case 'user grant-role'
            __etcdctl_ts_from_server
        case 'user passwd'
            __etcdctl_ts_from_server
        case 'user revoke-role'
            __etcdctl_ts_from_server
        case 'watch'
            __etcdctl_ts_from_server
        case '*'
            return 1
    end
end

# Words only the server knows (keys, lease and member IDs, users, roles): the binary gets the tokens typed so
# far and the one under the cursor, asks the endpoints given on the line with a short timeout, and prints
# candidate<TAB>description lines, or nothing.
function __etcdctl_ts_from_server
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct | string unescape)
    $tokens[1] __etcdctl-ts-complete fish $tokens[2..-1] "$cur" 2>/dev/null
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
        else if contains -- $word (__etcdctl_ts_subcommands $cmdpath | string replace -r '\t.*' '')
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
            printf '%s\n' $subcommands
        else
            __etcdctl_ts_positionals $cmdpath $cur
        end
    end
end

complete -c etcdctl-ts -f -a '(__etcdctl_ts_complete)'
complete -c etcdctl -f -a '(__etcdctl_ts_complete)'
