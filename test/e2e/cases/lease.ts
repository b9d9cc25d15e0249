// `lease`: grant, revoke, timetolive, list and keep-alive --once in every format, with etcdctl's argument and
// server errors. (The endless keep-alive and timing-dependent TTLs are in test/e2e/streams/.)
import type { Case, ExtensionCase, Scenario } from '../scenario.js';

const header = (name: string, args: string[]): Case => ({ name, args, protobuf: 'ResponseHeader' });

export const leaseScenarios: Scenario[] = [
  {
    name: 'lease: commands and formats',
    setup: [
      { args: ['lease', 'grant', '600'], captureLease: 'LEASE' },
      ['put', 'lk1', 'v', '--lease={LEASE}'],
      ['put', 'lk2', 'v', '--lease={LEASE}'],
      { args: ['lease', 'grant', '600'], captureLease: 'GONE' },
      ['lease', 'revoke', '{GONE}'],
    ],
    cases: [
      { name: 'grant needs a TTL', args: ['lease', 'grant'] },
      { name: 'grant two args', args: ['lease', 'grant', '1', '2'] },
      { name: 'grant bad TTL', args: ['lease', 'grant', 'abc'] },
      { name: 'grant hex TTL is bad', args: ['lease', 'grant', '0x10'] },
      { name: 'grant negative TTL is a flag', args: ['lease', 'grant', '-5'] },
      { name: 'timetolive of a revoked lease', args: ['lease', 'timetolive', '{GONE}'] },
      { name: 'timetolive of a revoked lease --keys -w json', args: ['lease', 'timetolive', '{GONE}', '--keys', '-w', 'json'] },
      { name: 'timetolive of a revoked lease -w fields', args: ['lease', 'timetolive', '{GONE}', '-w', 'fields'] },
      header('timetolive -w protobuf', ['lease', 'timetolive', '{GONE}', '-w', 'protobuf']),
      { name: 'timetolive upper-case hex', args: ['lease', 'timetolive', '{GONE_UPPER}'] },
      { name: 'timetolive needs an ID', args: ['lease', 'timetolive'] },
      { name: 'timetolive bad ID', args: ['lease', 'timetolive', 'xyz'] },
      { name: 'timetolive bad ID with bad -w (client first)', args: ['lease', 'timetolive', 'xyz', '-w', 'bogus'] },
      { name: 'keep-alive --once', args: ['lease', 'keep-alive', '--once', '{LEASE}'] },
      { name: 'keep-alive --once -w json', args: ['lease', 'keep-alive', '--once', '{LEASE}', '-w', 'json'] },
      { name: 'keep-alive --once -w fields', args: ['lease', 'keep-alive', '--once', '{LEASE}', '-w', 'fields'] },
      header('keep-alive --once -w protobuf', ['lease', 'keep-alive', '--once', '{LEASE}', '-w', 'protobuf']),
      { name: 'keep-alive --once of a revoked lease (exit 2)', args: ['lease', 'keep-alive', '--once', '{GONE}'] },
      { name: 'keep-alive of a revoked lease ends at once', args: ['lease', 'keep-alive', '{GONE}'] },
      { name: 'keep-alive of a revoked lease -w json', args: ['lease', 'keep-alive', '{GONE}', '-w', 'json'] },
      { name: 'keep-alive needs an ID', args: ['lease', 'keep-alive'] },
      { name: 'keep-alive bad ID', args: ['lease', 'keep-alive', 'g'] },
      { name: 'revoke needs an ID', args: ['lease', 'revoke'] },
      { name: 'revoke bad ID', args: ['lease', 'revoke', 'zz'] },
      { name: 'revoke ID out of range', args: ['lease', 'revoke', 'ffffffffffffffffff'] },
      { name: 'revoke unknown lease', args: ['lease', 'revoke', '{GONE}'] },
      { name: 'revoke -w protobuf is unsupported (after revoking)', args: ['lease', 'revoke', '{LEASE}', '-w', 'protobuf'] },
      { name: 'keys of the revoked lease are gone', args: ['get', 'lk', '--prefix', '-w', 'json'] },
      { name: 'group without sub-verb prints help', args: ['lease'] },
      { name: 'unknown sub-verb prints help', args: ['lease', 'bogus'] },
    ],
  },
  {
    name: 'lease: revoke formats',
    setup: [
      { args: ['lease', 'grant', '600'], captureLease: 'A' },
      { args: ['lease', 'grant', '600'], captureLease: 'B' },
      { args: ['lease', 'grant', '600'], captureLease: 'C' },
    ],
    cases: [
      { name: 'revoke', args: ['lease', 'revoke', '{A}'] },
      { name: 'revoke -w json', args: ['lease', 'revoke', '{B}', '-w', 'json'] },
      { name: 'revoke -w fields', args: ['lease', 'revoke', '{C}', '-w', 'fields'] },
      { name: 'list after revoking all', args: ['lease', 'list'] },
    ],
  },
  {
    name: 'lease: list',
    setup: [
      { args: ['lease', 'grant', '600'], captureLease: 'A' },
      { args: ['lease', 'grant', '700'], captureLease: 'B' },
    ],
    cases: [
      { name: 'list', args: ['lease', 'list'] },
      { name: 'list -w json', args: ['lease', 'list', '-w', 'json'] },
      { name: 'list -w fields', args: ['lease', 'list', '-w', 'fields'] },
      header('list -w protobuf', ['lease', 'list', '-w', 'protobuf']),
      { name: 'list ignores arguments', args: ['lease', 'list', 'x'] },
    ],
  },
  {
    name: 'lease: grant',
    setup: [],
    cases: [
      header('grant -w protobuf (header only)', ['lease', 'grant', '100', '-w', 'protobuf']),
      { name: 'grant -w table (granted, then exit 4)', args: ['lease', 'grant', '100', '-w', 'table'] },
    ],
    // A new lease ID differs between the two servers: compare the shape instead.
    extensions: [
      grant('grant', [], /^lease [0-9a-f]{1,16} granted with TTL\(100s\)\n$/),
      grant('grant -w json', ['-w', 'json'], /^\{"cluster_id":\d+,"member_id":\d+,"revision":1,"raft_term":\d+,"ID":\d+,"TTL":100,"Error":""\}\n$/),
      grant('grant -w fields', ['-w', 'fields'], /^"ClusterID" : \d+\n"MemberID" : \d+\n"Revision" : 1\n"RaftTerm" : \d+\n"ID" : \d+\n"TTL" : 100\n$/),
    ],
  },
];

function grant(name: string, flags: string[], stdout: RegExp): ExtensionCase {
  const expected = { code: 0, stdout, stderr: '' };
  return { name, args: ['lease', 'grant', '100', ...flags], ours: expected, etcdctl: expected };
}
