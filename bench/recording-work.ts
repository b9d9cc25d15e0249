// The recording one put or range makes the server do, timed in this process through the server's own
// functions: a figure in ns that the load of others barely moves (the end-to-end comparison in
// metrics-cost.ts swings by more than the 3% it looks for on a shared machine). What a request records, in
// the order the server does it: the call started and its client-api-version header, its message received,
// the slow-apply timing around the apply, the store's counts, the answer sent and the call handled; and,
// for puts, every WAL_BATCH requests one synced log append (its duration histogram and byte count).
import { countClientRequest, countStoreTxn, grpcMethodCounts, networkCounts, recordWalAppend } from '../src/server/metrics.js';
import { headerValue } from '../src/server/rpc/grpc-edge.js';
import { PUT_KIND, warnSlowApply } from '../src/server/rpc/slow-apply.js';
import type { PutRequest } from '../src/server/wire.js';

/** Requests per synchronous run (one socket read's), then a microtask checkpoint, as in the server. */
const RUN = 5;
const RUNS = 200_000;
/** Puts per group-committed log append (part 2's put workload commits tens at a time). */
const WAL_BATCH = 20;
const ROUNDS = 9;

const HEADERS: [string, string][] = [
  [':method', 'POST'], [':scheme', 'http'], [':path', '/etcdserverpb.KV/Put'], [':authority', '127.0.0.1:2379'],
  ['content-type', 'application/grpc'], ['user-agent', 'grpc-go/1.26.0'], ['te', 'trailers'], ['client-api-version', '3.4'],
];

export interface RecordingWork {
  /** Median over rounds of (recording − the same loop without it), ns per request. */
  ns: number;
  /** The lowest round: the least disturbed by others. */
  minNs: number;
  rounds: number;
}

export async function measureRecordingWork(kind: 'put' | 'range'): Promise<RecordingWork> {
  const counts = grpcMethodCounts('bench.Recording', kind, 'unary');
  const put = kind === 'put';
  const messages = [Buffer.alloc(280)];
  const request = { key: Buffer.from('key'), value: Buffer.alloc(256) } as PutRequest;
  const apply = () => 1;
  const timedApply = warnSlowApply(100, () => {}, PUT_KIND, apply);
  let sink = 0;
  const recordOne = (i: number) => {
    counts.started++;
    const version = headerValue(HEADERS, 'client-api-version');
    if (version) countClientRequest('unary', version);
    counts.received += messages.length;
    for (let m = 0; m < messages.length; m++) networkCounts.receivedBytes += messages[m].length;
    sink += timedApply(request, undefined as never) as number;
    if (put) countStoreTxn(0, 1, 0, request.key.length + request.value.length);
    else countStoreTxn(1, 0, 0);
    networkCounts.sentBytes += 30;
    counts.sent++;
    counts.finished(0);
    if (put && i % WAL_BATCH === 0) recordWalAppend(performance.now(), 5_000);
  };
  const nothing = (i: number) => {
    sink += apply() + (i & 1);
  };
  const nsPerCall = async (each: (i: number) => void) => {
    const started = process.hrtime.bigint();
    let i = 0;
    for (let run = 0; run < RUNS; run++) {
      for (let k = 0; k < RUN; k++) each(i++);
      await null;
    }
    return Number(process.hrtime.bigint() - started) / (RUNS * RUN);
  };
  const costs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const base = await nsPerCall(nothing);
    const recording = await nsPerCall(recordOne);
    if (round >= 2) costs.push(recording - base); // the first rounds compile
  }
  if (sink < 0) throw new Error('unreachable'); // keeps the loops' work observable
  costs.sort((a, b) => a - b);
  return { ns: costs[Math.floor(costs.length / 2)], minNs: costs[0], rounds: costs.length };
}
