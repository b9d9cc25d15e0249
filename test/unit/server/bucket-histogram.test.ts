import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Histogram, Registry, type Metric } from 'prom-client';
import { BucketHistogram, GrpcMethodCounts } from '../../../src/server/metrics.js';

// The hot path's own histogram must scrape exactly as prom-client's Histogram did before it: same
// bucket lines (cumulative, `le` as the bound), +Inf, _sum and _count, for the same observations.

const BOUNDS = [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192];
// on a bound (le is inclusive), between bounds, below the first, past the last, zero
const OBSERVED = [0.001, 0.0015, 0.0005, 0, 0.004, 0.0041, 0.5, 0.512, 8.192, 9, 120, 0.03, 0.03];

async function scrape(metric: Metric): Promise<string> {
  const registry = new Registry();
  registry.registerMetric(metric);
  return registry.metrics();
}

describe('BucketHistogram', () => {
  it("scrapes as prom-client's Histogram after the same observations", async () => {
    const name = 'etcd_disk_wal_fsync_duration_seconds';
    const help = 'The latency distributions of fsync called by WAL.';
    const ours = new BucketHistogram(name, help, BOUNDS);
    const theirs = new Histogram({ name, help, buckets: BOUNDS, registers: [] });
    for (const value of OBSERVED) {
      ours.observe(value);
      theirs.observe(value);
    }
    const text = await scrape(ours as unknown as Metric);
    assert.equal(text, await scrape(theirs));
    // and what that text says, so both being wrong the same way still fails
    assert.match(text, /^etcd_disk_wal_fsync_duration_seconds_bucket\{le="0.001"\} 3$/m);
    assert.match(text, /^etcd_disk_wal_fsync_duration_seconds_bucket\{le="0.004"\} 5$/m);
    assert.match(text, /^etcd_disk_wal_fsync_duration_seconds_bucket\{le="8.192"\} 11$/m);
    assert.match(text, /^etcd_disk_wal_fsync_duration_seconds_bucket\{le="\+Inf"\} 13$/m);
    assert.match(text, /^etcd_disk_wal_fsync_duration_seconds_count 13$/m);
  });

  it('scrapes all zeros before any observation, as prom-client does', async () => {
    const ours = new BucketHistogram('x_seconds', 'x', BOUNDS);
    const theirs = new Histogram({ name: 'x_seconds', help: 'x', buckets: BOUNDS, registers: [] });
    assert.equal(await scrape(ours as unknown as Metric), await scrape(theirs));
  });
});

describe('GrpcMethodCounts', () => {
  it('counts handled calls by code, including codes grpc-go has no name for', () => {
    const counts = new GrpcMethodCounts('etcdserverpb.KV', 'Range', 'unary');
    for (const code of [0, 0, 11, 1, 16, 17]) counts.finished(code);
    assert.deepEqual([...counts.handled], [2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    assert.deepEqual([...counts.handledOther], [[17, 1]]);
  });
});
