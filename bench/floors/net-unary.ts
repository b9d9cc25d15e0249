// Floor for our own transport (H2Client) as it was on node:net: one unary Range as hand-made HTTP/2 frames over a
// node:net socket, printed through process.stdout: the least a Node program that asks etcd over node:net pays.
import net from 'node:net';
import { rangeRequest, rangeResponseReader } from './hand-made-range.js';

export function run(endpoint: string): Promise<void> {
  const [host, port] = endpoint.split(':');
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), host, () => socket.write(rangeRequest()));
    socket.on('error', reject);
    const read = rangeResponseReader();
    socket.on('data', (chunk: Buffer) => {
      try {
        const line = read(chunk);
        if (line === undefined) return;
        socket.destroy();
        process.stdout.write(line);
        resolve();
      } catch (error) {
        reject(error);
      }
    });
  });
}
