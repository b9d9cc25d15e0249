import { open } from 'node:fs/promises';
import { BboltReader, fileSource } from '../../api/bbolt/reader.js';
import { Backend } from '../storage/backend.js';
import { importEtcdBackend, type ImportCounts } from './etcd-import.js';

// `snapshot restore --bundled-server`: an etcd snapshot (bbolt) loaded into a new data dir of the bundled
// server's own format, which `etcdctl-ts server --data-dir` then serves with every key, revision, lease,
// user and role of the snapshot (the member itself comes from the server's flags, as after etcd's restore).

export async function restoreEtcdSnapshotInto(snapshotFile: string, dataSize: number, dataDir: string): Promise<ImportCounts> {
  const handle = await open(snapshotFile, 'r');
  try {
    const reader = BboltReader.open(fileSource(handle.fd, dataSize));
    const root = reader.root();
    const backend = Backend.open(dataDir);
    try {
      return await importEtcdBackend(
        {
          *rows(bucketName: string) {
            const bucket = root.bucket(Buffer.from(bucketName));
            if (!bucket) return;
            const rows: { key: Buffer; value: Buffer }[] = [];
            bucket.forEach((key, value) => {
              if (value !== null) rows.push({ key, value });
            });
            yield* rows;
          },
        },
        backend,
      );
    } finally {
      await backend.close();
    }
  } finally {
    await handle.close();
  }
}
