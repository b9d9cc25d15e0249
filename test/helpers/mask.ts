// Masks what legitimately differs between two runs of the same case on two fresh servers, and
// nothing else: cluster/member/lease IDs, raft terms, endpoint ports, timestamps, client UUIDs and
// the order of concurrently written grpc debug lines. Everything works on bytes (latin1 strings),
// so binary output survives; the result is rendered printable for readable diffs.
import path from 'node:path';
import protobuf from 'protobufjs';
import { REPO_ROOT } from './run-cli.js';

/** What one side's server is known by; filled in by the harness before any case runs. */
export interface SideIdentity {
  /** Decimal uint64, as etcdctl prints it in json/fields. */
  clusterId: string;
  memberId: string;
  /** Placeholder name (e.g. `LEASE`) -> decimal lease ID, captured from `lease grant` in setup. */
  leases: Map<string, string>;
  /** Exact text -> placeholder, e.g. `127.0.0.1:40123` -> `{EP}` (ports differ per server). */
  literals: Map<string, string>;
}

/** Values that differ between two server implementations; masked only where a case asks for it. */
export const SERVER_MASKS = {
  dbSize: [/"dbSize(InUse)?":\d+/g, /"DBSize" : \d+/g, /\b\d+(\.\d)? [kMG]?B\b/g],
  version: [/"version":"[^"]*"/g, /"Version" : "[^"]*"/g],
  raftIndex: [/"raft(Applied)?Index":\d+/g, /"Raft(Applied)?Index" : \d+/g],
  hash: [/"hash":\d+/g, /"Hash" : \d+/g],
} as const;
export type ServerMaskName = keyof typeof SERVER_MASKS;

export interface MaskOptions {
  identity: SideIdentity;
  /** Response message name (e.g. `RangeResponse`) when stdout is `-w protobuf` output. */
  protobufType?: string;
  serverMasks?: readonly ServerMaskName[];
}

/** Bytes in, a printable and comparable rendering out: two outputs are equal iff their masks are. */
export function maskOutput(bytes: Buffer, options: MaskOptions): string {
  let text = options.protobufType && bytes.length > 0 ? protobufAsText(bytes, options.protobufType) : bytes.toString('latin1');
  text = maskIdentity(text, options.identity);
  text = maskTermsAndTimings(text);
  for (const name of options.serverMasks ?? []) {
    for (const pattern of SERVER_MASKS[name]) text = text.replace(pattern, `<${name}>`);
  }
  return renderPrintable(Buffer.from(text, 'latin1'));
}

function maskIdentity(text: string, identity: SideIdentity): string {
  // Longest literals first, so `127.0.0.1:4012` never eats the start of `127.0.0.1:40123`.
  const literals = [...identity.literals.entries()].sort((a, b) => b[0].length - a[0].length);
  for (const [literal, placeholder] of literals) text = text.split(literal).join(placeholder);
  const ids: [string, string][] = [
    [identity.clusterId, 'CLUSTER_ID'],
    [identity.memberId, 'MEMBER_ID'],
    ...[...identity.leases.entries()].map(([name, id]): [string, string] => [id, name]),
  ];
  for (const [decimal, name] of ids) {
    if (!/^\d+$/.test(decimal)) continue;
    const hex = BigInt(decimal).toString(16);
    // Exact values only, never "any number here": a wrong ID still shows up as a difference.
    text = text.replace(new RegExp(`(?<![0-9])${decimal}(?![0-9])`, 'g'), `<${name}>`);
    text = text.replace(new RegExp(`(?<![0-9a-f])(${hex.padStart(16, '0')}|${hex})(?![0-9a-f])`, 'g'), `<${name}:hex>`);
  }
  return text;
}

function maskTermsAndTimings(text: string): string {
  return (
    text
      // Raft terms: json, fields, and our protobuf-as-json rendering (same names as json).
      .replace(/"raft_term":("?)\d+\1/g, '"raft_term":<TERM>')
      .replace(/"raftTerm":\d+/g, '"raftTerm":<TERM>')
      .replace(/"RaftTerm" : \d+/g, '"RaftTerm" : <TERM>')
      // zap log lines (`{"level":"warn","ts":"2026-…Z",…}`) and the client's per-process UUID.
      .replace(/"ts":"[^"]*"/g, '"ts":"<TS>"')
      // snapshot's own zap logger writes epoch seconds (`"ts":1796387271.707586`).
      .replace(/"ts":\d+(\.\d+)?,/g, '"ts":<TS>,')
      .replace(/endpoint:\/\/client-[0-9a-f-]{36}\//g, 'endpoint://client-<UUID>/')
      // capnslog lines of pkg/flags: `2026-11-22 06:01:13.587336 W | pkg/flags: …`.
      .replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} ([A-Z]) \| /gm, '<TIME> $1 | ')
      // grpc-go logger (--debug): `INFO: 2026/11/22 06:33:40 [core]…`.
      .replace(/^(INFO|WARNING|ERROR): \d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d /gm, '$1: <TIME> ')
      // Durations measured by the client (endpoint health).
      .replace(/"took":"[^"]*"/g, '"took":"<TOOK>"')
      .replace(/"Took" : \S+/g, '"Took" : <TOOK>')
      .replace(/took = \S+/g, 'took = <TOOK>')
      .replace(/((?:^(?:INFO|WARNING|ERROR): <TIME> .*\n)+)/gm, sortLines)
  );
}

/** grpc-go's debug lines come from concurrent goroutines, so their order varies from run to run. */
function sortLines(block: string): string {
  return block.split('\n').slice(0, -1).sort().map((line) => line + '\n').join('');
}

/**
 * Printable ASCII, tab and newline as themselves, `\` as `\\`; valid UTF-8 text keeps its
 * characters (other control characters escaped); anything else byte by byte as `\xNN`.
 * Injective, so comparing renderings is comparing bytes.
 */
export function renderPrintable(bytes: Buffer): string {
  const asUtf8 = bytes.toString('utf8');
  const isUtf8 = Buffer.from(asUtf8, 'utf8').equals(bytes);
  let out = '';
  if (isUtf8) {
    for (const char of asUtf8) {
      const code = char.codePointAt(0)!;
      if (char === '\\') out += '\\\\';
      else if (code < 0x20 && char !== '\n' && char !== '\t') out += '\\x' + code.toString(16).padStart(2, '0');
      else if (code === 0x7f) out += '\\x7f';
      else out += char;
    }
    return out;
  }
  for (const byte of bytes) {
    if (byte === 0x5c) out += '\\\\';
    else if ((byte >= 0x20 && byte < 0x7f) || byte === 0x0a || byte === 0x09) out += String.fromCharCode(byte);
    else out += '\\x' + byte.toString(16).padStart(2, '0');
  }
  return out;
}

let rpcRoot: protobuf.Root | undefined;
function loadRpcRoot(): protobuf.Root {
  rpcRoot ??= new protobuf.Root().loadSync(path.join(REPO_ROOT, 'node_modules/etcd3/proto/rpc.proto'), { keepCase: true });
  return rpcRoot;
}

/**
 * `-w protobuf` prints the raw marshalled response. IDs in it are varints whose length differs
 * between servers, so the bytes cannot be masked in place. Instead: decode with etcd's schema,
 * require that re-encoding gives back exactly the same bytes (canonical field order, no unknown or
 * extra fields, zero values omitted: proves the decoded form holds every byte), and compare the
 * decoded form as JSON (64-bit ints as decimal strings, bytes as base64) after the usual masks.
 * So apart from the masked fields, equal renderings mean equal bytes.
 */
export function protobufAsText(bytes: Buffer, typeName: string): string {
  const type = loadRpcRoot().lookupType(`etcdserverpb.${typeName}`);
  let message: protobuf.Message;
  try {
    message = type.decode(bytes);
  } catch (error) {
    // Not protobuf at all (e.g. a command that ignores -w): compare the bytes as they are.
    return `<not a ${typeName}: ${(error as Error).message}>\n${bytes.toString('latin1')}`;
  }
  const reencoded = Buffer.from(type.encode(message).finish());
  const object = type.toObject(message, { longs: String, bytes: String });
  const json = JSON.stringify(object);
  if (!reencoded.equals(bytes)) return `<non-canonical ${typeName}> ${json} raw=${bytes.toString('hex')}`;
  return `${typeName} ${json}`;
}
