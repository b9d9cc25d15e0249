// A second client that changes the auth store as fast as it can: grants a role to a user and revokes it again,
// until killed. Every change bumps etcd's auth revision, so requests of other clients that were authorised
// against the previous revision come back with `revision of auth store is old`.
// Usage: node auth-churn.js <endpoint> <user> <role> [ca cert key | user:password]; prints "ready" once churning.
import { createClient } from '../../src/client/client.js';

const [endpoint, user, role, ...credentials] = process.argv.slice(2);
if (!endpoint || !user || !role) throw new Error('usage: auth-churn <endpoint> <user> <role> [ca cert key | user:password]');
const [ca, cert, key] = credentials.length === 3 ? credentials : [];
const login = credentials.length === 1 ? credentials[0]!.split(':') : undefined;
const client = await createClient({
  endpoints: [endpoint],
  dialTimeoutMs: 2_000,
  keepAliveTimeMs: 2_000,
  keepAliveTimeoutMs: 6_000,
  insecureTransport: ca === undefined,
  insecureSkipVerify: false,
  tls: ca ? { caFile: ca, certFile: cert, keyFile: key } : undefined,
  auth: login ? { username: login[0]!, password: login[1]! } : undefined,
});
let changes = 0;
process.on('SIGTERM', () => {
  process.stdout.write(`changes ${changes}\n`);
  process.exit(0);
});
for (;;) {
  await client.auth.userGrantRole({ user, role });
  await client.auth.userRevokeRole({ name: user, role });
  changes += 2;
  if (changes === 2) process.stdout.write('ready\n');
}
