// The architecture, enforced: every relative import in src/ is checked against the layer rules below. A
// rule broken by a new import fails here; the CLI-side breaks that already existed are listed (owned
// elsewhere, to be fixed there) and the list may only shrink.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

interface Edge {
  from: string;
  to: string;
}

/** Relative imports (static, re-exports and dynamic) of every .ts file under src/, as repo paths. */
function sourceEdges(): Edge[] {
  const edges: Edge[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(path.join(repoRoot, dir), { withFileTypes: true })) {
      const file = path.posix.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (file.endsWith('.ts')) {
        const text = fs.readFileSync(path.join(repoRoot, file), 'utf8');
        for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)) {
          const to = path.posix.normalize(path.posix.join(path.posix.dirname(file), match[1]!)).replace(/\.js$/, '.ts');
          edges.push({ from: file, to });
        }
      }
    }
  };
  walk('src');
  return edges;
}

/**
 * The server's layers, low to high (rpc → apply → mvcc / watch / lease / auth → storage). A file may import
 * its own group and lower layers only; same rank, other group (watch → lease) is sideways. Every server
 * file must be listed, so a new directory has to be placed here.
 */
const SERVER_LAYERS: [group: string, rank: number][] = [
  ['src/server/errors.ts', 0],
  ['src/server/version.ts', 0],
  ['src/server/ids.ts', 0],
  ['src/server/timers.ts', 0],
  ['src/server/config.ts', 0],
  // process-wide counters and the /metrics registry (as etcd's package-level metrics), fed by every layer
  ['src/server/metrics.ts', 0],
  ['src/server/storage/', 1],
  ['src/server/mvcc/', 2],
  // message shapes built on mvcc's KeyValue, shared by watch, apply and rpc
  ['src/server/wire.ts', 2.5],
  ['src/server/watch/', 3],
  ['src/server/lease/', 3],
  ['src/server/auth/', 3],
  ['src/server/maintenance/', 3],
  ['src/server/apply/', 4],
  // the member's data in etcd's file format: reads the stored rows of every layer below
  ['src/server/snapshot/', 4.5],
  ['src/server/server.ts', 5],
  ['src/server/compactor.ts', 5],
  // the JSON gateway calls the gRPC edge through an interface of its own (loopback-call.ts)
  ['src/server/gateway/', 5.5],
  ['src/server/rpc/', 6],
  // etcd's YAML configuration file, read for the entry point
  ['src/server/config-file.ts', 6.5],
  ['src/server/cli.ts', 7],
];

function serverLayer(file: string): { group: string; rank: number } | null {
  for (const [group, rank] of SERVER_LAYERS) if (file === group || (group.endsWith('/') && file.startsWith(group))) return { group, rank };
  return null;
}

const area = (file: string): string => file.split('/')[1]!;

/** Why an import breaks a rule, or null. */
export function violation({ from, to }: Edge): string | null {
  const fromArea = area(from);
  const toArea = area(to);
  if (fromArea === 'api' && toArea !== 'api') return 'src/api (shared primitives, wire types) imports nothing above it';
  if (fromArea === 'client' && (toArea === 'cli' || toArea === 'server')) return 'the client does not depend on the CLI or the server';
  if (fromArea === 'snapshot' && ['cli', 'client', 'server'].includes(toArea)) return 'snapshot code loads no CLI, client or server code';
  if (fromArea === 'server' && ['cli', 'client', 'snapshot'].includes(toArea)) return 'the server depends on no CLI, client or snapshot code';
  if (fromArea === 'cli' && toArea === 'server' && to !== 'src/server/cli.ts') return "the CLI reaches the server only through its entry point (src/server/cli.ts)";
  const commands = 'src/cli/commands/';
  // The registry (index.ts, and other-commands.ts holding all but get, put and del) imports every command.
  const registry = [`${commands}index.ts`, `${commands}other-commands.ts`];
  if (from.startsWith(commands) && to.startsWith(commands) && !registry.includes(from)) {
    return 'a command imports no other command (shared code belongs in parse/, the client or a shared module)';
  }
  if (fromArea === 'server' && toArea === 'server') {
    const a = serverLayer(from);
    const b = serverLayer(to);
    if (!a || !b) return `${!a ? from : to} is in no server layer (add it to SERVER_LAYERS)`;
    if (a.group === b.group) return null;
    if (b.rank > a.rank) return `upward: ${a.group} (layer ${a.rank}) imports ${b.group} (layer ${b.rank})`;
    if (b.rank === a.rank) return `sideways: ${a.group} imports ${b.group} (both layer ${a.rank})`;
  }
  return null;
}

/** Breaks known and not yet fixed (their owners fix them and delete the line here): none left. */
const KNOWN_CLI_VIOLATIONS = new Set<string>([]);

describe('layering: imports in src/ follow the architecture', () => {
  const edges = sourceEdges();
  const broken = edges.filter((e) => violation(e) !== null);
  const key = (e: Edge) => `${e.from} -> ${e.to}`;

  it('sees the imports it checks (control)', () => {
    const seen = new Set(edges.map(key));
    assert.ok(seen.has('src/server/server.ts -> src/server/storage/backend.ts'), 'a static import was missed');
    assert.ok(seen.has('src/cli/main.ts -> src/server/cli.ts'), 'a dynamic import was missed');
    assert.ok(edges.length > 300, `only ${edges.length} imports found`);
  });

  it('recognises each kind of break (control)', () => {
    const cases: [Edge, RegExp][] = [
      [{ from: 'src/server/storage/wal.ts', to: 'src/server/mvcc/store.ts' }, /^upward/],
      [{ from: 'src/server/lease/lessor.ts', to: 'src/server/watch/watchable-store.ts' }, /^sideways/],
      [{ from: 'src/server/mvcc/store.ts', to: 'src/server/apply/applier.ts' }, /^upward/],
      [{ from: 'src/api/primitives/urls.ts', to: 'src/cli/errors.ts' }, /src\/api/],
      [{ from: 'src/client/client.ts', to: 'src/cli/errors.ts' }, /client/],
      [{ from: 'src/cli/commands/get.ts', to: 'src/cli/commands/put.ts' }, /command/],
      [{ from: 'src/snapshot/format.ts', to: 'src/cli/printers/printer.ts' }, /snapshot/],
      [{ from: 'src/server/newdir/x.ts', to: 'src/server/errors.ts' }, /no server layer/],
    ];
    for (const [edge, why] of cases) assert.match(violation(edge) ?? 'accepted', why, key(edge));
    assert.equal(violation({ from: 'src/server/apply/applier.ts', to: 'src/server/mvcc/store.ts' }), null);
    assert.equal(violation({ from: 'src/cli/commands/index.ts', to: 'src/cli/commands/get.ts' }), null);
    assert.equal(violation({ from: 'src/cli/commands/other-commands.ts', to: 'src/cli/commands/txn.ts' }), null);
  });

  it('has no break outside the known CLI-side list', () => {
    const unexpected = broken.filter((e) => !KNOWN_CLI_VIOLATIONS.has(key(e))).map((e) => `${key(e)}: ${violation(e)}`);
    assert.deepEqual(unexpected, []);
  });

  it('lists only breaks that still exist (delete a line once it is fixed)', () => {
    const still = new Set(broken.map(key));
    assert.deepEqual([...KNOWN_CLI_VIOLATIONS].filter((k) => !still.has(k)), []);
  });
});
