// Unreachable endpoints (short --command-timeout so they fail fast) and failover to a live one.
import type { Scenario } from '../scenario.js';

const quick = '--command-timeout=500ms';

export const endpointScenarios: Scenario[] = [
  {
    name: 'endpoints: unreachable and failover',
    setup: [['put', 'foo', 'bar']],
    cases: [
      { name: 'get on a dead endpoint', args: [quick, 'get', 'foo'], endpoints: 'dead' },
      { name: 'get -w json on a dead endpoint', args: [quick, 'get', 'foo', '-w', 'json'], endpoints: 'dead' },
      { name: 'put on a dead endpoint', args: [quick, 'put', 'foo', 'x'], endpoints: 'dead' },
      { name: 'del on a dead endpoint', args: [quick, 'del', 'foo'], endpoints: 'dead' },
      { name: 'compaction on a dead endpoint', args: [quick, 'compaction', '1'], endpoints: 'dead' },
      { name: 'argument errors come before dialing', args: [quick, 'get'], endpoints: 'dead' },
      { name: 'bad -w comes before dialing', args: [quick, 'get', 'foo', '-w', 'xml'], endpoints: 'dead' },
      { name: 'two dead endpoints', args: [quick, '--endpoints={DEAD},{DEAD}', 'get', 'foo'] },
      { name: '--dial-timeout does not shorten the wait', args: ['--dial-timeout=200ms', '--command-timeout=700ms', 'get', 'foo'], endpoints: 'dead' },
      // A generous deadline: the point is failover, and a loaded CI machine can take over 500 ms to set up gRPC.
      { name: 'get fails over to the live endpoint', args: ['--command-timeout=5s', 'get', 'foo'], endpoints: 'dead-and-live' },
      { name: 'put fails over', args: ['put', 'foo', 'failover', '--prev-kv'], endpoints: 'dead-and-live' },
      { name: 'del fails over', args: ['del', 'nothing', '-w', 'json'], endpoints: 'dead-and-live' },
      { name: 'compaction fails over', args: ['compaction', '1'], endpoints: 'dead-and-live' },
      { name: 'live endpoint first', args: ['--endpoints={EP},{DEAD}', 'get', 'foo', '-w', 'fields'] },
      { name: 'the writes arrived', args: ['get', 'foo', '-w', 'json'] },
    ],
  },
];
