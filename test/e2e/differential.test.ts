// The issue-2 differential suite: each case runs with the real etcdctl against one fresh real etcd
// and with our etcdctl-ts against another, and must print the same bytes and exit the same way.
// DIFF_OURS=etcdctl runs the real etcdctl on both sides (proves the masks); DIFF_ONLY=<regex>
// picks scenarios; DIFF_DUMP=<file> records the reference outputs.
import { startEtcd } from '../helpers/etcd-process.js';
import { OUR_ETCDCTL, REAL_ETCDCTL } from '../helpers/run-cli.js';
import { selectedScenarios } from './cases/index.js';
import { cliUnderTest, registerDifferentialSuite } from './differential-runner.js';

const underTest = cliUnderTest(OUR_ETCDCTL);

registerDifferentialSuite({
  title: `differential: etcdctl vs ${underTest.label}, both against real etcd`,
  sideA: { label: 'etcdctl', cli: REAL_ETCDCTL, isOurCli: false, startServer: startEtcd },
  sideB: { label: underTest.label, cli: underTest.cli, isOurCli: underTest.isOurCli, startServer: startEtcd },
  scenarios: selectedScenarios(),
  applyServerMasks: false,
});
