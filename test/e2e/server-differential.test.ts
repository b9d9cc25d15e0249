// The issue-3 comparison: the same scenarios, both sides run by the real etcdctl; side A talks to
// real etcd, side B to our server (`startOurServer` from test/helpers/our-server.ts).
// DIFF_SERVER=etcd puts real etcd on side B too (proves the harness); DIFF_ONLY=<regex> picks
// scenarios. Values that legitimately differ between the two servers are masked only where a
// case lists them in `maskServer`. Extension cases check etcdctl's side only here (both sides
// run etcdctl).
import { startEtcd } from '../helpers/etcd-process.js';
import { startOurServer } from '../helpers/our-server.js';
import { REAL_ETCDCTL } from '../helpers/run-cli.js';
import { selectedScenarios } from './cases/index.js';
import { registerDifferentialSuite } from './differential-runner.js';

const serverChoice = process.env.DIFF_SERVER ?? 'ours';
if (serverChoice !== 'ours' && serverChoice !== 'etcd') throw new Error(`DIFF_SERVER must be "ours" or "etcd", not ${JSON.stringify(serverChoice)}`);
const useRealEtcdOnB = serverChoice === 'etcd';

registerDifferentialSuite({
  title: `server differential: etcdctl against real etcd vs against ${useRealEtcdOnB ? 'real etcd (DIFF_SERVER=etcd)' : 'our server'}`,
  sideA: { label: 'etcdctl + etcd', cli: REAL_ETCDCTL, isOurCli: false, startServer: startEtcd },
  sideB: {
    label: useRealEtcdOnB ? 'etcdctl + etcd (DIFF_SERVER=etcd)' : 'etcdctl + our server',
    cli: REAL_ETCDCTL,
    isOurCli: false,
    startServer: useRealEtcdOnB ? startEtcd : (args) => startOurServer({ args }),
  },
  scenarios: selectedScenarios(),
  applyServerMasks: true,
});
