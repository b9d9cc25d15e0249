// Floor for our own transport (H2Client) as it is: the same hand-made Range as net-unary.ts on Node's TCP handle
// (src/client/h2/tcp-connection.ts, as H2Client dials an IP address), printed with write(2): the least a Node
// program that asks etcd pays. The gap between this and ours is the CLI itself (its bundle, argument parsing,
// client and printer).
import { writeSync } from 'node:fs';
import { connectTcp } from '../../src/client/h2/tcp-connection.js';
import { rangeRequest, rangeResponseReader } from './hand-made-range.js';

export async function run(endpoint: string): Promise<void> {
  const [host, port] = endpoint.split(':');
  const connection = await connectTcp(host, Number(port));
  return new Promise((resolve, reject) => {
    connection.once('connect', () => connection.write(rangeRequest()));
    connection.on('error', reject);
    const read = rangeResponseReader();
    connection.on('data', (chunk: Buffer) => {
      try {
        const line = read(chunk);
        if (line === undefined) return;
        connection.destroy();
        writeSync(1, line);
        resolve();
      } catch (error) {
        reject(error);
      }
    });
  });
}
