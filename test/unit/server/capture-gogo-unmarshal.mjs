#!/usr/bin/env node
// Regenerates fixtures/gogo-unmarshal-3.4.23.json: a seeded corpus of request bodies (wire-corpus.ts) and
// what etcd 3.4.23's generated Unmarshal (etcdserverpb, Debian's golang-etcd-server-dev) makes of each:
// its error text, a panic, or, when it accepts, the message marshalled again (the decoded value, canonical).
//
// Usage (needs Go and golang-etcd-server-dev 3.4.23: apt-get install golang-go golang-etcd-server-dev):
//   npm run build && node test/unit/server/capture-gogo-unmarshal.mjs
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(here, '../../../dist');
const { protoRoot } = await import(path.join(dist, 'src/api/proto.js'));
const { specFromSchema } = await import(path.join(dist, 'src/server/rpc/wire-check.js'));
const { randomBody, seededRng } = await import(path.join(dist, 'test/unit/server/wire-corpus.js'));

export const SEED = 20240515;
export const BODIES_PER_TYPE = 150;
const TYPES = [
  'RangeRequest', 'PutRequest', 'DeleteRangeRequest', 'TxnRequest',
  'LeaseGrantRequest', 'LeaseKeepAliveRequest', 'WatchRequest', 'AlarmRequest', 'AuthenticateRequest',
];

const goProgram = `package main

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	pb "go.etcd.io/etcd/etcdserver/etcdserverpb"
)

type message interface {
	Unmarshal([]byte) error
	Marshal() ([]byte, error)
}

func newMessage(name string) message {
	switch name {
	${TYPES.map((t) => `case "${t}":\n\t\treturn &pb.${t}{}`).join('\n\t')}
	}
	panic("unknown type " + name)
}

// verdict: "ok <hex of the message marshalled again>", "err <text>" or "panic"
func verdict(m message, body []byte) (out string) {
	defer func() {
		if recover() != nil {
			out = "panic"
		}
	}()
	if err := m.Unmarshal(body); err != nil {
		return "err " + err.Error()
	}
	again, err := m.Marshal()
	if err != nil {
		return "marshal " + err.Error()
	}
	return "ok " + hex.EncodeToString(again)
}

// each line: "<type> <hex body>"
func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<24), 1<<24)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		f := strings.Fields(in.Text() + " ")
		body, _ := hex.DecodeString(strings.TrimSpace(strings.TrimPrefix(in.Text(), f[0])))
		fmt.Fprintln(out, verdict(newMessage(f[0]), body))
	}
}
`;

const root = protoRoot();
const rng = seededRng(SEED);
const cases = [];
for (const type of TYPES) {
  const spec = specFromSchema(root.lookupType(`etcdserverpb.${type}`));
  for (let i = 0; i < BODIES_PER_TYPE; i++) cases.push({ type, body: randomBody(rng, spec).toString('hex') });
}

const work = mkdtempSync(path.join(os.tmpdir(), 'capture-gogo-'));
try {
  const dir = path.join(work, 'src/capture');
  spawnSync('mkdir', ['-p', dir]);
  writeFileSync(path.join(dir, 'main.go'), goProgram);
  const env = { ...process.env, GO111MODULE: 'off', GOPATH: `${work}:/usr/share/gocode`, GOCACHE: path.join(work, 'cache') };
  const build = spawnSync('go', ['build', '-o', path.join(work, 'capture'), 'capture'], { cwd: dir, env, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`go build failed:\n${build.stderr}`);
  const run = spawnSync(path.join(work, 'capture'), {
    input: cases.map((c) => `${c.type} ${c.body}`).join('\n') + '\n',
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (run.status !== 0) throw new Error(`capture failed:\n${run.stderr}`);
  const verdicts = run.stdout.trimEnd().split('\n');
  if (verdicts.length !== cases.length) throw new Error(`${verdicts.length} verdicts for ${cases.length} bodies`);
  const fixture = {
    etcdserverpb: 'go.etcd.io/etcd/etcdserver/etcdserverpb 3.4.23 (Debian golang-etcd-server-dev)',
    seed: SEED,
    cases: cases.map((c, i) => {
      const [kind, ...rest] = verdicts[i].split(' ');
      const text = rest.join(' ');
      if (kind === 'ok') return { ...c, canonical: text };
      if (kind === 'err') return { ...c, error: text };
      if (kind === 'panic') return { ...c, panic: true };
      throw new Error(`unexpected verdict ${verdicts[i]}`);
    }),
  };
  writeFileSync(path.join(here, 'fixtures/gogo-unmarshal-3.4.23.json'), JSON.stringify(fixture, null, 0).replace(/\},\{/g, '},\n{') + '\n');
} finally {
  rmSync(work, { recursive: true, force: true });
}
