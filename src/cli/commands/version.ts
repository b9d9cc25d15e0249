import { defineCommand } from '../command-tree.js';
import { API_VERSION, ETCDCTL_VERSION } from '../help.js';

export function versionCommand() {
  return defineCommand({
    use: 'version',
    short: 'Prints the version of etcdctl',
    // etcdctl-compatible text whatever -w says; the etcdctl-ts build is named on a third line only on a TTY.
    run: async (ctx) => {
      ctx.io.stdout.write(`etcdctl version: ${ETCDCTL_VERSION}\nAPI version: ${API_VERSION}\n`);
    },
  });
}
