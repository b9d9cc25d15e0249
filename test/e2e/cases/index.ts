// Every differential scenario, in the order they are registered.
import type { Scenario } from '../scenario.js';
import { binaryScenarios } from './binary.js';
import { cliErrorScenarios } from './cli-errors.js';
import { compactionScenarios } from './compaction.js';
import { delScenarios } from './del.js';
import { endpointScenarios } from './endpoints.js';
import { environmentScenarios } from './environment.js';
import { getScenarios } from './get.js';
import { globalFlagScenarios } from './global-flags.js';
import { putScenarios } from './put.js';
import { txnScenarios } from './txn.js';
import { leaseScenarios } from './lease.js';
import { watchScenarios } from './watch.js';
import { authScenarios } from './auth.js';
import { helpScenarios } from './help.js';
import { zeroDurationScenarios } from './zero-durations.js';
import { newerScenarios } from './newer.js';

export const allScenarios: Scenario[] = [
  // The slow ones (timeouts) first, so they overlap with the many quick ones.
  ...endpointScenarios,
  ...environmentScenarios,
  ...watchScenarios,
  ...getScenarios,
  ...putScenarios,
  ...delScenarios,
  ...compactionScenarios,
  ...binaryScenarios,
  ...globalFlagScenarios,
  ...zeroDurationScenarios,
  ...cliErrorScenarios,
  ...txnScenarios,
  ...leaseScenarios,
  ...authScenarios,
  ...helpScenarios,
  ...newerScenarios,
];

/** DIFF_ONLY=<regex> runs only the scenarios whose name matches (handy while fixing one command). */
export function selectedScenarios(): Scenario[] {
  const only = process.env.DIFF_ONLY;
  if (!only) return allScenarios;
  const pattern = new RegExp(only, 'i');
  return allScenarios.filter((scenario) => pattern.test(scenario.name));
}
