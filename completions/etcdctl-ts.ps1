# powershell completion for etcdctl-ts
#
# Generated from the etcdctl-ts command tree by `etcdctl-ts completion powershell`; do not edit.
# Load it in the current shell with:  etcdctl-ts completion powershell | Out-String | Invoke-Expression

Register-ArgumentCompleter -Native -CommandName 'etcdctl-ts', 'etcdctl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    # The sub-commands of each command path ('' is the program itself), with descriptions.
    $subcommands = @{
        '' = [ordered]@{
            'alarm' = 'Alarm related commands'
            'auth' = 'Enable or disable authentication'
            'check' = 'commands for checking properties of the etcd cluster'
            'compaction' = 'Compacts the event history in etcd'
            'completion' = 'Generate the autocompletion script for the specified shell'
            'defrag' = 'Defragments the storage of the etcd members with given endpoints'
            'del' = 'Removes the specified key or range of keys [key, range_end)'
            'downgrade' = 'Downgrade related commands'
            'elect' = 'Observes and participates in leader election'
            'endpoint' = 'Endpoint related commands'
            'get' = 'Gets the key or a range of keys'
            'help' = 'Help about any command'
            'history' = 'Lists every revision of a key still in the history, with the changes between them (etcdctl-ts extension)'
            'lease' = 'Lease related commands'
            'lock' = 'Acquires a named lock'
            'make-mirror' = 'Makes a mirror at the destination etcd cluster'
            'member' = 'Membership related commands'
            'migrate' = 'Migrates keys in a v2 store to a mvcc store'
            'move-leader' = 'Transfers leadership to another etcd cluster member.'
            'put' = 'Puts the given key into the store'
            'role' = 'Role related commands'
            'snapshot' = 'Manages etcd node snapshots'
            'txn' = 'Txn processes all the requests in one transaction'
            'user' = 'User related commands'
            'version' = 'Prints the version of etcdctl'
            'watch' = 'Watches events stream on keys or prefixes'
        }
        'alarm' = [ordered]@{
            'disarm' = 'Disarms all alarms'
            'list' = 'Lists all alarms'
        }
        'auth' = [ordered]@{
            'disable' = 'Disables authentication'
            'enable' = 'Enables authentication'
            'status' = 'Returns authentication status'
        }
        'check' = [ordered]@{
            'datascale' = 'Check the memory usage of holding data for different workloads on a given server endpoint.'
            'perf' = 'Check the performance of the etcd cluster'
        }
        'completion' = [ordered]@{
            'bash' = 'Generate the autocompletion script for bash'
            'fish' = 'Generate the autocompletion script for fish'
            'powershell' = 'Generate the autocompletion script for powershell'
            'zsh' = 'Generate the autocompletion script for zsh'
        }
        'downgrade' = [ordered]@{
            'cancel' = 'Cancel the ongoing downgrade action to cluster'
            'enable' = 'Start a downgrade action to cluster'
            'validate' = 'Validate downgrade capability before starting downgrade'
        }
        'endpoint' = [ordered]@{
            'hashkv' = 'Prints the KV history hash for each endpoint in --endpoints'
            'health' = 'Checks the healthiness of endpoints specified in `--endpoints` flag'
            'status' = 'Prints out the status of endpoints specified in `--endpoints` flag'
        }
        'lease' = [ordered]@{
            'grant' = 'Creates leases'
            'keep-alive' = 'Keeps leases alive (renew)'
            'list' = 'List all active leases'
            'revoke' = 'Revokes leases'
            'timetolive' = 'Get lease information'
        }
        'member' = [ordered]@{
            'add' = 'Adds a member into the cluster'
            'list' = 'Lists all members in the cluster'
            'promote' = 'Promotes a non-voting member in the cluster'
            'remove' = 'Removes a member from the cluster'
            'update' = 'Updates a member in the cluster'
        }
        'role' = [ordered]@{
            'add' = 'Adds a new role'
            'delete' = 'Deletes a role'
            'get' = 'Gets detailed information of a role'
            'grant-permission' = 'Grants a key to a role'
            'list' = 'Lists all roles'
            'revoke-permission' = 'Revokes a key from a role'
        }
        'snapshot' = [ordered]@{
            'restore' = 'Restores an etcd member snapshot to an etcd directory'
            'save' = 'Stores an etcd node backend snapshot to a given file'
            'status' = 'Gets backend snapshot status of a given file'
        }
        'user' = [ordered]@{
            'add' = 'Adds a new user'
            'delete' = 'Deletes a user'
            'get' = 'Gets detailed information of a user'
            'grant-role' = 'Grants a role to a user'
            'list' = 'Lists all users'
            'passwd' = 'Changes password of user'
            'revoke-role' = 'Revokes a role from a user'
        }
    }
    # The flags of each command path, with descriptions; the global ones are valid everywhere.
    $flags = @{
        '' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'alarm' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'alarm disarm' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'alarm list' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'auth' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'auth disable' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'auth enable' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'auth status' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'check' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'check datascale' = [ordered]@{
            '--auto-compact' = 'Compact storage with last revision after test is finished.'
            '--auto-defrag' = 'Defragment storage after test is finished.'
            '--load' = 'The datascale check''s workload model. Accepted workloads: s(small), m(medium), l(large), xl(xLarge)'
            '--prefix' = 'The prefix for writing the datascale check''s keys.'
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'check perf' = [ordered]@{
            '--auto-compact' = 'Compact storage with last revision after test is finished.'
            '--auto-defrag' = 'Defragment storage after test is finished.'
            '--duration' = 'How long the check runs instead of the model''s 60s (etcdctl-ts extension)'
            '--load' = 'The performance check''s workload model. Accepted workloads: s(small), m(medium), l(large), xl(xLarge)'
            '--prefix' = 'The prefix for writing the performance check''s keys.'
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'compaction' = [ordered]@{
            '--physical' = '''true'' to wait for compaction to physically remove all old revisions'
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'completion' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'completion bash' = [ordered]@{
            '--no-descriptions' = 'disable completion descriptions'
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'completion fish' = [ordered]@{
            '--no-descriptions' = 'disable completion descriptions'
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'completion powershell' = [ordered]@{
            '--no-descriptions' = 'disable completion descriptions'
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'completion zsh' = [ordered]@{
            '--no-descriptions' = 'disable completion descriptions'
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'defrag' = [ordered]@{
            '--cluster' = 'use all endpoints from the cluster member list'
            '--data-dir' = 'Optional. If present, defragments a data directory not in use by etcd.'
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'del' = [ordered]@{
            '--confirm-above' = 'on a terminal, ask before deleting more keys than this (-1: never ask; etcdctl-ts extension, env ETCDCTL_TS_DEL_CONFIRM_ABOVE)'
            '--dry-run' = 'print the keys that would be deleted, and how many, without deleting (etcdctl-ts extension)'
            '--from-key' = 'delete keys that are greater than or equal to the given key using byte compare'
            '--prefix' = 'delete keys with matching prefix'
            '--prev-kv' = 'return deleted key-value pairs'
            '--range' = 'delete range of keys'
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'downgrade' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'downgrade cancel' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'downgrade enable' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'downgrade validate' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'elect' = [ordered]@{
            '--listen' = 'observation mode'
            '-l' = 'observation mode'
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'endpoint' = [ordered]@{
            '--cluster' = 'use all endpoints from the cluster member list'
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'endpoint hashkv' = [ordered]@{
            '--cluster' = 'use all endpoints from the cluster member list'
            '--rev' = 'maximum revision to hash (default: all revisions)'
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'endpoint health' = [ordered]@{
            '--cluster' = 'use all endpoints from the cluster member list'
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'endpoint status' = [ordered]@{
            '--cluster' = 'use all endpoints from the cluster member list'
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'get' = [ordered]@{
            '--consistency' = 'Linearizable(l) or Serializable(s)'
            '--count-only' = 'Get only the count'
            '--from-key' = 'Get keys that are greater than or equal to the given key using byte compare'
            '--keys-only' = 'Get only the keys'
            '--limit' = 'Maximum number of results'
            '--max-create-rev' = 'Maximum create revision'
            '--max-create-revision' = 'Same as --max-create-rev (etcdctl-ts alias)'
            '--max-mod-rev' = 'Maximum modification revision'
            '--max-mod-revision' = 'Same as --max-mod-rev (etcdctl-ts alias)'
            '--min-create-rev' = 'Minimum create revision'
            '--min-create-revision' = 'Same as --min-create-rev (etcdctl-ts alias)'
            '--min-mod-rev' = 'Minimum modification revision'
            '--min-mod-revision' = 'Same as --min-mod-rev (etcdctl-ts alias)'
            '--order' = 'Order of results; ASCEND or DESCEND (ASCEND by default)'
            '--page-size' = 'Read a range in pages of at most this many keys, all at one revision; 0 reads it in one request (etcdctl-ts extension)'
            '--prefix' = 'Get keys with matching prefix'
            '--print-value-only' = 'Only write values when using the "simple" output format'
            '--rev' = 'Specify the kv revision'
            '--sort-by' = 'Sort target; CREATE, KEY, MODIFY, VALUE, or VERSION'
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'help' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'history' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'lease' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'lease grant' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'lease keep-alive' = [ordered]@{
            '--once' = 'Resets the keep-alive time to its original value and exits immediately'
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'lease list' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'lease revoke' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'lease timetolive' = [ordered]@{
            '--keys' = 'Get keys attached to this lease'
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'lock' = [ordered]@{
            '--ttl' = 'timeout for session'
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'make-mirror' = [ordered]@{
            '--dest-cacert' = 'Verify certificates of TLS enabled secure servers using this CA bundle'
            '--dest-cert' = 'Identify secure client using this TLS certificate file for the destination cluster'
            '--dest-insecure-transport' = 'Disable transport security for client connections'
            '--dest-key' = 'Identify secure client using this TLS key file'
            '--dest-password' = 'Destination password for authentication (if this option is used, --user option shouldn''t include password)'
            '--dest-prefix' = 'destination prefix to mirror a prefix to a different prefix in the destination cluster'
            '--dest-user' = 'Destination username[:password] for authentication (prompt if password is not supplied)'
            '--max-txn-ops' = 'Maximum number of operations permitted in a transaction during syncing updates.'
            '--no-dest-prefix' = 'mirror key-values to the root of the destination cluster'
            '--prefix' = 'Key-value prefix to mirror'
            '--rev' = 'Specify the kv revision to start to mirror'
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'member' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'member add' = [ordered]@{
            '--learner' = 'indicates if the new member is raft learner'
            '--peer-urls' = 'comma separated peer URLs for the new member.'
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'member list' = [ordered]@{
            '--consistency' = 'Linearizable(l) or Serializable(s)'
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'member promote' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'member remove' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'member update' = [ordered]@{
            '--peer-urls' = 'comma separated peer URLs for the updated member.'
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'migrate' = [ordered]@{
            '--data-dir' = 'Path to the data directory'
            '--no-ttl' = 'Do not convert TTL keys'
            '--transformer' = 'Path to the user-provided transformer program'
            '--wal-dir' = 'Path to the WAL directory'
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'move-leader' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'put' = [ordered]@{
            '--ignore-lease' = 'updates the key using its current lease'
            '--ignore-value' = 'updates the key using its current value'
            '--lease' = 'lease ID (in hexadecimal) to attach to the key'
            '--prev-kv' = 'return the previous key-value pair before modification'
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'role' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'role add' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'role delete' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'role get' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'role grant-permission' = [ordered]@{
            '--from-key' = 'grant a permission of keys that are greater than or equal to the given key using byte compare'
            '--prefix' = 'grant a prefix permission'
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'role list' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'role revoke-permission' = [ordered]@{
            '--from-key' = 'revoke a permission of keys that are greater than or equal to the given key using byte compare'
            '--prefix' = 'revoke a prefix permission'
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'snapshot' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'snapshot restore' = [ordered]@{
            '--bump-revision' = 'How much to increase the latest revision after restore'
            '--bundled-server' = 'Restore an etcd snapshot into a data dir for ''etcdctl-ts server'' (its own format) instead of etcd''s (etcdctl-ts extension)'
            '--data-dir' = 'Path to the data directory'
            '--initial-advertise-peer-urls' = 'List of this member''s peer URLs to advertise to the rest of the cluster'
            '--initial-cluster' = 'Initial cluster configuration for restore bootstrap'
            '--initial-cluster-token' = 'Initial cluster token for the etcd cluster during restore bootstrap'
            '--initial-memory-map-size' = 'Initial memory map size of the database in bytes. It uses the default value if not defined or defined to 0'
            '--mark-compacted' = 'Mark the latest revision after restore as the point of scheduled compaction (required if --bump-revision > 0, disallowed otherwise)'
            '--name' = 'Human-readable name for this member'
            '--skip-hash-check' = 'Ignore snapshot integrity hash value (required if copied from data directory)'
            '--wal-dir' = 'Path to the WAL directory (use --data-dir if none given)'
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'snapshot save' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'snapshot status' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'txn' = [ordered]@{
            '--interactive' = 'Input transaction in interactive mode'
            '-i' = 'Input transaction in interactive mode'
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'user' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'user add' = [ordered]@{
            '--interactive' = 'Read password from stdin instead of interactive terminal'
            '--new-user-password' = 'Supply password from the command line flag'
            '--no-password' = 'Create a user without password (CN based auth only)'
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'user delete' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'user get' = [ordered]@{
            '--detail' = 'Show permissions of roles granted to the user'
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'user grant-role' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'user list' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'user passwd' = [ordered]@{
            '--interactive' = 'If true, read password from stdin instead of interactive terminal'
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'user revoke-role' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'version' = [ordered]@{
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
        'watch' = [ordered]@{
            '--interactive' = 'Interactive mode'
            '-i' = 'Interactive mode'
            '--prefix' = 'Watch on a prefix if prefix is set'
            '--prev-kv' = 'get the previous key-value pair before the event happens'
            '--progress-notify' = 'get periodic watch progress notification from server'
            '--rev' = 'Revision to start watching'
            '--help' = 'help for this command'
            '-h' = 'help for this command'
        }
    }
    $globalFlags = [ordered]@{
        '--cacert' = 'verify certificates of TLS-enabled secure servers using this CA bundle'
        '--cert' = 'identify secure client using this TLS certificate file'
        '--command-timeout' = 'timeout for short running command (excluding dial timeout)'
        '--debug' = 'enable client-side debug logging'
        '--dial-timeout' = 'dial timeout for client connections'
        '--discovery-srv' = 'domain name to query for SRV records describing cluster endpoints'
        '-d' = 'domain name to query for SRV records describing cluster endpoints'
        '--discovery-srv-name' = 'service name to query when using DNS discovery'
        '--endpoints' = 'gRPC endpoints'
        '--hex' = 'print byte strings as hex encoded strings'
        '--insecure-discovery' = 'accept insecure SRV records describing cluster endpoints'
        '--insecure-skip-tls-verify' = 'skip server certificate verification (CAUTION: this option should be enabled only for testing purposes)'
        '--insecure-transport' = 'disable transport security for client connections'
        '--keepalive-time' = 'keepalive time for client connections'
        '--keepalive-timeout' = 'keepalive timeout for client connections'
        '--key' = 'identify secure client using this TLS key file'
        '--max-recv-bytes' = 'client-side response receive limit in bytes (if 0, it defaults to "math.MaxInt32")'
        '--max-request-bytes' = 'client-side request send limit in bytes (if 0, it defaults to 2.0 MiB (2 * 1024 * 1024).)'
        '--no-color' = 'no colour on a terminal (as NO_COLOR does)'
        '--password' = 'password for authentication (if this option is used, --user option shouldn''t include password)'
        '--user' = 'username[:password] for authentication (prompt if password is not supplied)'
        '--write-out' = 'set the output format (fields, json, protobuf, simple, table)'
        '-w' = 'set the output format (fields, json, protobuf, simple, table)'
    }
    # Flags that take a value (in the next word unless written --flag=value).
    $valueFlags = @{
        'check datascale' = @('--load', '--prefix')
        'check perf' = @('--duration', '--load', '--prefix')
        'defrag' = @('--data-dir')
        'del' = @('--confirm-above')
        'endpoint hashkv' = @('--rev')
        'get' = @('--consistency', '--limit', '--max-create-rev', '--max-create-revision', '--max-mod-rev', '--max-mod-revision', '--min-create-rev', '--min-create-revision', '--min-mod-rev', '--min-mod-revision', '--order', '--page-size', '--rev', '--sort-by')
        'lock' = @('--ttl')
        'make-mirror' = @('--dest-cacert', '--dest-cert', '--dest-key', '--dest-password', '--dest-prefix', '--dest-user', '--max-txn-ops', '--prefix', '--rev')
        'member add' = @('--peer-urls')
        'member list' = @('--consistency')
        'member update' = @('--peer-urls')
        'migrate' = @('--data-dir', '--transformer', '--wal-dir')
        'put' = @('--lease')
        'snapshot restore' = @('--bump-revision', '--data-dir', '--initial-advertise-peer-urls', '--initial-cluster', '--initial-cluster-token', '--initial-memory-map-size', '--name', '--wal-dir')
        'user add' = @('--new-user-password')
        'watch' = @('--rev')
    }
    $globalValueFlags = @('--cacert', '--cert', '--command-timeout', '--dial-timeout', '--discovery-srv', '-d', '--discovery-srv-name', '--endpoints', '--keepalive-time', '--keepalive-timeout', '--key', '--max-recv-bytes', '--max-request-bytes', '--password', '--user', '--write-out', '-w')
    # Known values of flags: a list of words, or 'file' / 'directory' (left to PowerShell's path completion).
    $flagValues = @{
        '--cacert' = 'file'
        '--cert' = 'file'
        '--key' = 'file'
        '--write-out' = @('fields', 'json', 'jsonl', 'k8s', 'protobuf', 'simple', 'table')
        '-w' = @('fields', 'json', 'jsonl', 'k8s', 'protobuf', 'simple', 'table')
        '--load' = @('s', 'm', 'l', 'xl')
        '--data-dir' = 'directory'
        '--consistency' = @('l', 's')
        '--order' = @('ASCEND', 'DESCEND')
        '--sort-by' = @('CREATE', 'KEY', 'MODIFY', 'VALUE', 'VERSION')
        '--dest-cacert' = 'file'
        '--dest-cert' = 'file'
        '--dest-key' = 'file'
        '--transformer' = 'file'
        '--wal-dir' = 'directory'
        '--lease' = 'server'
    }
    $withDescriptions = $true

    $emit = {
        param($candidates, $prefix)
        foreach ($name in $candidates.Keys) {
            $text = "$prefix$name"
            if (-not $text.StartsWith($wordToComplete, [StringComparison]::Ordinal)) { continue }
            $tip = if ($withDescriptions -and $candidates[$name]) { $candidates[$name] } else { $text }
            [System.Management.Automation.CompletionResult]::new($text, $text, 'ParameterValue', $tip)
        }
    }
    $emitValues = {
        param($flag, $prefix)
        $hint = $flagValues[$flag]
        if ($hint -is [array]) {
            $words = [ordered]@{}
            foreach ($word in $hint) { $words[$word] = '' }
            & $emit $words $prefix
        }
    }

    # Walk the words between the program and the cursor: flags (and the values they take) are skipped,
    # command names descend the tree, anything else is a positional argument.
    $words = @($commandAst.CommandElements | Where-Object { $_.Extent.EndOffset -lt $cursorPosition } | ForEach-Object { $_.Extent.Text })
    $path = ''
    for ($i = 1; $i -lt $words.Count; $i++) {
        $word = $words[$i]
        if ($word -ceq '--') { return }
        if ($word.StartsWith('-') -and $word.Length -gt 1) {
            $takesValue = @($valueFlags[$path]) + $globalValueFlags
            if (-not $word.Contains('=') -and $takesValue -ccontains $word) {
                if ($i -eq $words.Count - 1) { & $emitValues $word ''; return }
                $i++
            }
            continue
        }
        $children = $subcommands[$path]
        if ($children -and $children.Contains($word)) { $path = if ($path) { "$path $word" } else { $word } }
    }

    if ($wordToComplete -match '^(-[^=]+)=') {
        & $emitValues $Matches[1] "$($Matches[1])="
    } elseif ($wordToComplete.StartsWith('-')) {
        $all = [ordered]@{}
        foreach ($table in @($flags[$path], $globalFlags)) {
            if ($table) { foreach ($name in $table.Keys) { $all[$name] = $table[$name] } }
        }
        & $emit $all ''
    } elseif ($subcommands[$path]) {
        & $emit $subcommands[$path] ''
    }
}
