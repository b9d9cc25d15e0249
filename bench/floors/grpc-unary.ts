// Floor for `get`: one unary Range with grpc-js and our precompiled schema, bundled and code-cached exactly like
// the CLI, with nothing else (no commands, no flags, no printing beyond the value). What this costs over
// `node -e 0` is what any CLI built on grpc-js pays, whatever its packaging.
import '../../src/client/fast-ipv6-check.js';
import * as grpc from '@grpc/grpc-js';
import { etcdPackageDefinition } from '../../src/api/grpc-package-definition.js';

interface RangeClient {
  range(request: object, callback: (error: Error | null, response: { kvs: Array<{ value: Buffer }> }) => void): void;
  close(): void;
}

export function run(endpoint: string): Promise<void> {
  const definition = etcdPackageDefinition({ longs: String, enums: String, defaults: true, oneofs: true });
  const KV = grpc.makeGenericClientConstructor(definition['etcdserverpb.KV'] as never, 'KV');
  const client = new KV(endpoint, grpc.credentials.createInsecure()) as unknown as RangeClient;
  return new Promise((resolve, reject) =>
    client.range({ key: Buffer.from('foo') }, (error, response) => {
      client.close();
      if (error) return reject(error);
      process.stdout.write(`foo\n${response.kvs[0]?.value ?? ''}\n`);
      resolve();
    }),
  );
}
