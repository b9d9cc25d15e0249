import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startEtcd, type EtcdProcess } from '../helpers/etcd-process.js';
import { startOurServer, type OurServer } from '../helpers/our-server.js';
import { cleanEnv, REAL_ETCDCTL, runCli } from '../helpers/run-cli.js';

// /metrics after a known workload: the same etcdctl commands against real etcd and against our server,
// then the counters a dashboard for etcd reads must be equal (the same requests seen the same way).

function scrape(endpoint: string): Promise<{ contentType: string; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(`http://${endpoint}/metrics`, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ contentType: String(res.headers['content-type']), body }));
      })
      .on('error', reject);
  });
}

/** Samples by name and sorted labels: `name{a="1",b="2"}` → value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels = (m[2] ?? '').match(/\w+="[^"]*"/g)?.sort().join(',') ?? '';
    out.set(labels ? `${m[1]}{${labels}}` : m[1], Number(m[3]));
  }
  return out;
}

const WORKLOAD: string[][] = [
  ['put', 'a', '1'],
  ['put', 'b', '2'],
  ['put', 'a', '3', '--prev-kv'],
  ['get', 'a'],
  ['get', '', '--prefix'],
  ['get', 'a', '--rev=99'], // a future revision: OutOfRange
  ['del', 'b', '--prev-kv'],
  ['del', 'nothing'],
  ['txn'], // from stdin, below
  ['put', 'missing', '--ignore-value'], // InvalidArgument: key not found
  ['lease', 'grant', '100'],
  ['compaction', '3'],
  ['put', 'c', '4'],
];
const TXN = 'value("a") = "3"\n\nput x 1\nget a\ndel nothing\n\nput y 2\n\n';

/** What must match etcd's after the workload; the rest (sizes, timings, process_*) is ours to differ. */
const COMPARED = [
  /^etcd_mvcc_(range|put|delete|txn)_total$/,
  /^etcd_debugging_mvcc_(range|put|delete|txn)_total$/,
  /^etcd_debugging_mvcc_(keys_total|current_revision|compact_revision)$/,
  /^etcd_debugging_lease_(granted|revoked)_total$/,
  /^etcd_server_(has_leader|is_leader|is_learner|proposals_pending|proposals_failed_total|quota_backend_bytes)$/,
  /^etcd_cluster_version\{/,
  /^etcd_server_client_requests_total\{/,
  /^etcd_network_client_grpc_received_bytes_total$/,
  /^grpc_server_(started|handled|msg_received|msg_sent)_total\{.*grpc_service="etcdserverpb\.(KV|Lease)"/,
  /^etcd_debugging_mvcc_(watcher|watch_stream)_total$/,
];

describe('/metrics after a known workload, ours vs etcd', { timeout: 120_000 }, () => {
  let etcd: EtcdProcess;
  let ours: OurServer;
  const scraped: Record<string, Map<string, number>> = {};
  let ourContentType = '';

  before(async () => {
    [etcd, ours] = await Promise.all([startEtcd(), startOurServer()]);
    for (const [side, endpoint] of [['etcd', etcd.endpoint], ['ours', ours.endpoint]] as const) {
      for (const args of WORKLOAD) {
        await runCli(REAL_ETCDCTL, { args: [`--endpoints=${endpoint}`, ...args], env: cleanEnv(), stdin: args[0] === 'txn' ? TXN : undefined });
      }
      const { body, contentType } = await scrape(endpoint);
      scraped[side] = samples(body);
      if (side === 'ours') ourContentType = contentType;
    }
  });
  after(async () => {
    await Promise.all([etcd?.stop(), ours?.stop()]);
  });

  it("serves Prometheus' text format", () => {
    assert.match(ourContentType, /^text\/plain; version=0\.0\.4/);
    for (const name of ['process_resident_memory_bytes', 'process_cpu_seconds_total', 'nodejs_heap_size_used_bytes', 'etcd_mvcc_db_total_size_in_bytes', 'etcd_disk_wal_fsync_duration_seconds_count', 'etcd_disk_backend_commit_duration_seconds_count']) {
      assert.ok(scraped.ours.has(name), `${name} is missing`);
    }
    assert.ok(scraped.ours.get('etcd_disk_wal_fsync_duration_seconds_count')! >= 6, 'every write was synced to the log');
    assert.ok(scraped.ours.get('etcd_mvcc_db_total_size_in_bytes')! > 0);
  });

  it("counts the workload as etcd does", () => {
    const pick = (m: Map<string, number>) =>
      Object.fromEntries([...m].filter(([name, value]) => COMPARED.some((re) => re.test(name)) && !(name.startsWith('grpc_') && value === 0)).sort());
    const theirs = pick(scraped.etcd);
    // the workload's own figures, so a counter that both got wrong the same way still fails
    assert.equal(theirs.etcd_mvcc_put_total, 5);
    assert.equal(theirs['grpc_server_handled_total{grpc_code="OutOfRange",grpc_method="Range",grpc_service="etcdserverpb.KV",grpc_type="unary"}'], 1);
    assert.deepEqual(pick(scraped.ours), theirs);
  });
});
