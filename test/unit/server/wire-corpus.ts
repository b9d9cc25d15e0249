// Request bodies for the decoder property tests: well-formed ones built from a message's field table
// (every field kind, nesting, unknown fields and groups, extreme varints), and mutations of them
// (flipped, inserted, dropped and cut bytes, tags with other wire types). Seeded, so capture and test
// see the same corpus.
import type { MessageSpec } from '../../../src/server/rpc/wire-check.js';

export type Rng = () => number;

/** mulberry32: small, fast, and the same sequence everywhere for a seed. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];

function varint(n: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, n);
  for (; v >= 0x80n; v >>= 7n) out.push(Number(v & 0x7fn) | 0x80);
  out.push(Number(v));
  return out;
}

const INTERESTING = [0n, 1n, 2n, 3n, 4n, 127n, 128n, 300n, 2n ** 31n - 1n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n + 2n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n, -1n, -2n];

function randomVarint(rng: Rng): number[] {
  if (rng() < 0.7) return varint(pick(rng, INTERESTING));
  const bytes = Array.from({ length: 1 + Math.floor(rng() * 10) }, () => Math.floor(rng() * 256) | 0x80);
  bytes[bytes.length - 1] &= 0x7f; // a well-formed, maybe over-long, varint
  return bytes;
}

const randomBytes = (rng: Rng, max: number): number[] => Array.from({ length: Math.floor(rng() * (max + 1)) }, () => Math.floor(rng() * 256));
const tag = (field: number, wireType: number): number[] => varint(BigInt(field) * 8n + BigInt(wireType));
const lengthDelimited = (body: number[]): number[] => [...varint(BigInt(body.length)), ...body];

/** An unknown field gogo skips: any valid wire type, groups included. */
function unknownField(rng: Rng, spec: MessageSpec): number[] {
  let field = pick(rng, [15, 16, 63, 100, 2047, 2 ** 28, 2 ** 29 - 1]);
  while (spec.specs.has(field)) field++;
  switch (pick(rng, [0, 1, 2, 3, 5])) {
    case 0: return [...tag(field, 0), ...randomVarint(rng)];
    case 1: return [...tag(field, 1), ...randomBytes(rng, 0), ...Array(8).fill(7)];
    case 2: return [...tag(field, 2), ...lengthDelimited(randomBytes(rng, 6))];
    case 3: return [...tag(field, 3), ...tag(1, 0), ...randomVarint(rng), ...tag(field, 4)];
    default: return [...tag(field, 5), 1, 2, 3, 4];
  }
}

/** A well-formed body of `spec`, nested messages down to `depth` levels. */
export function randomMessage(rng: Rng, spec: MessageSpec, depth = 3): Buffer {
  const out: number[] = [];
  const fields = [...spec.specs.entries()];
  const count = Math.floor(rng() * 5);
  for (let i = 0; i < count; i++) {
    if (fields.length === 0 || rng() < 0.1) {
      out.push(...unknownField(rng, spec));
      continue;
    }
    const [number, field] = pick(rng, fields);
    switch (field.kind) {
      case 'varint':
        if (field.packable && rng() < 0.5) out.push(...tag(number, 2), ...lengthDelimited([...randomVarint(rng), ...randomVarint(rng)]));
        else out.push(...tag(number, 0), ...randomVarint(rng));
        break;
      case 'fixed64': out.push(...tag(number, 1), ...randomBytes(rng, 0), ...Array(8).fill(9)); break;
      case 'fixed32': out.push(...tag(number, 5), 9, 9, 9, 9); break;
      case 'bytes': out.push(...tag(number, 2), ...lengthDelimited(randomBytes(rng, 5))); break;
      case 'message': {
        const inner = depth > 0 ? [...randomMessage(rng, field.message!(), depth - 1)] : [];
        out.push(...tag(number, 2), ...lengthDelimited(inner));
        break;
      }
    }
  }
  return Buffer.from(out);
}

/** One to three random edits of a body. */
export function mutate(rng: Rng, body: Buffer): Buffer {
  const bytes = [...body];
  const edits = 1 + Math.floor(rng() * 3);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(rng() * (bytes.length + 1));
    switch (Math.floor(rng() * 7)) {
      case 0: if (at < bytes.length) bytes[at] ^= 1 << Math.floor(rng() * 8); break;
      case 1: if (at < bytes.length) bytes[at] = (bytes[at] & ~7) | Math.floor(rng() * 8); break; // another wire type, if a tag
      case 2: bytes.splice(at, 0, Math.floor(rng() * 256)); break;
      case 3: bytes.splice(at, 1); break;
      case 4: bytes.length = at; break;
      case 5: bytes.splice(at, 0, ...pick(rng, [[0x00], [0x80], [0xff, 0xff], Array(10).fill(0xff), [0x7b], [0x7c], [0x7e], [0x0f]])); break;
      default: if (at < bytes.length) bytes[at] = pick(rng, [0x00, 0x7f, 0x80, 0xff]);
    }
  }
  return Buffer.from(bytes);
}

/** A body of `spec`: well-formed half the time, mutated otherwise. */
export function randomBody(rng: Rng, spec: MessageSpec): Buffer {
  const body = randomMessage(rng, spec);
  return rng() < 0.5 ? body : mutate(rng, body);
}
