import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, it } from 'node:test';
import { Backend } from '../../src/server/storage/backend.js';

// Backend.durable(), the barrier /health waits on (etcd's health read goes through raft, behind every
// earlier write): it resolves only once the writes queued before it are in the log.

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backend-durable-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

it('resolves once every write queued before it is durable, not before', async () => {
  const backend = Backend.open(dir);
  try {
    for (const count of [1, 5000]) {
      let logged = 0;
      const writes = Array.from({ length: count }, (_, i) => backend.put('key', Buffer.from(`k${count}-${i}`), Buffer.from('v')).then(() => void logged++));
      assert.equal(logged, 0, 'nothing is logged in the same turn');
      await backend.durable();
      assert.equal(logged, count);
      await Promise.all(writes);
    }
    await backend.durable(); // nothing queued: at once
  } finally {
    await backend.close();
  }
});
