#!/usr/bin/env node
// Regenerates fixtures/go-sort-1.19.json: inputs full of ties and the order Go 1.19's sort.Sort and
// sort.Sort(sort.Reverse(...)) leave them in (the sort etcd 3.4.23 is built with, `etcd --version`).
// Each element is (value, original index) and Less compares values only, so the recorded order of
// indices shows exactly where equal elements end up.
//
// Usage (needs Go 1.19 on PATH, `go version`): node test/unit/server/capture-go-sort.mjs
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

const goProgram = `package main

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
)

type el struct{ v, idx int }
type byValue []el

func (x byValue) Len() int           { return len(x) }
func (x byValue) Less(i, j int) bool { return x[i].v < x[j].v }
func (x byValue) Swap(i, j int)      { x[i], x[j] = x[j], x[i] }

// each line: "asc|desc v0 v1 ..."; prints the original indices in sorted order
func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<24), 1<<24)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		f := strings.Fields(in.Text())
		d := byValue{}
		for i, t := range f[1:] {
			v, _ := strconv.Atoi(t)
			d = append(d, el{v, i})
		}
		if f[0] == "desc" {
			sort.Sort(sort.Reverse(d))
		} else {
			sort.Sort(d)
		}
		idx := make([]string, len(d))
		for i, e := range d {
			idx[i] = strconv.Itoa(e.idx)
		}
		fmt.Fprintln(out, strings.Join(idx, " "))
	}
}
`;

let seed = 20230412;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const patterns = {
  random2: (n) => Array.from({ length: n }, () => Math.floor(random() * 2)),
  random5: (n) => Array.from({ length: n }, () => Math.floor(random() * 5)),
  random50: (n) => Array.from({ length: n }, () => Math.floor(random() * 50)),
  randomWide: (n) => Array.from({ length: n }, () => Math.floor(random() * 100000)),
  allEqual: (n) => Array.from({ length: n }, () => 7),
  sortedRuns: (n) => Array.from({ length: n }, (_, i) => Math.floor((i * 6) / n)),
  reversedRuns: (n) => Array.from({ length: n }, (_, i) => Math.floor(((n - i) * 6) / n)),
  nearlySorted: (n) => {
    const a = Array.from({ length: n }, (_, i) => Math.floor(i / 3));
    for (let t = 0; n > 1 && t < 3; t++) {
      const i = Math.floor(random() * n);
      const j = Math.floor(random() * n);
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  },
  // out of order near the end too: partialInsertionSort's shifts right, and its step budget
  nearlySortedTail: (n) => {
    const a = Array.from({ length: n }, (_, i) => Math.floor(i / 2));
    for (let t = 0; n > 2 && t < 3; t++) {
      const i = Math.floor(random() * n);
      const j = Math.floor(random() * n);
      [a[i], a[j]] = [a[j], a[i]];
    }
    if (n > 2) [a[n - 1], a[n - 3]] = [a[n - 3], a[n - 1]];
    return a;
  },
  // strictly decreasing samples (so the decreasing hint reverses the slice) around a few duplicates
  reversedFewTies: (n) => {
    const a = Array.from({ length: n }, (_, i) => 2 * (n - i));
    for (let t = 0; n > 1 && t < 4; t++) a[Math.floor(random() * n)] = a[Math.floor(random() * n)];
    return a;
  },
  organPipe: (n) => Array.from({ length: n }, (_, i) => Math.min(i, n - i) % 9),
  sawtooth4: (n) => Array.from({ length: n }, (_, i) => i % 4),
  sawtooth7: (n) => Array.from({ length: n }, (_, i) => i % 7),
  sawtooth50: (n) => Array.from({ length: n }, (_, i) => i % 50),
};
const lengths = [0, 1, 2, 5, 12, 13, 14, 20, 49, 50, 51, 100, 200, 513];

const inputs = [];
for (const n of lengths) {
  for (const [pattern, make] of Object.entries(patterns)) {
    const values = make(n);
    for (const dir of ['asc', 'desc']) inputs.push({ name: `${pattern} n=${n} ${dir}`, dir, values });
  }
}
// Found by fuzzing: partialInsertionSort's last shift to the right decides where ties end up.
const shiftRightValues = [
  0, 2, 1, 1, 0, 2, 3, 3, 10, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 4, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15, 16, 16, 17, 17,
  18, 18, 19, 19, 20, 20, 21, 21, 22, 22, 23, 23, 24, 24, 25, 25, 26, 26, 27, 27, 28, 28, 29, 29, 30, 30, 31, 31, 33, 32, 32,
];
inputs.push({ name: 'partialInsertionSort shift right n=67 asc', dir: 'asc', values: shiftRightValues });
inputs.push({ name: 'partialInsertionSort shift right n=67 desc', dir: 'desc', values: shiftRightValues.map((v) => -v) });
// Reaches the heapsort fallback (enough bad pivots), with ties: found by a McIlroy-style adversary
// against this sort, then values merged for as long as the fallback was still reached.
const heapsortValues = [
  39, 39, 39, 65, 39, 13, 39, 29, 39, 65, 39, 6, 39, 6, 65, 0, 39, 0, 29, 6, 4, 39, 6, 6, 65, 39, 39, 13, 13, 39, 65, 39,
  0, 4, 21, 39, 29, 13, 39, 39, 39, 65, 39, 39, 65, 39, 65, 39, 4, 4, 65, 13, 29, 21, 21, 39, 39, 13, 29, 39, 39, 29, 6,
  39, 39, 29, 39,
];
inputs.push({ name: 'heapsort fallback n=67 asc', dir: 'asc', values: heapsortValues });
// Reverse(Less) on negated values makes the very same comparisons
inputs.push({ name: 'heapsort fallback n=67 desc', dir: 'desc', values: heapsortValues.map((v) => -v) });

const dir = mkdtempSync(path.join(os.tmpdir(), 'go-sort-'));
try {
  writeFileSync(path.join(dir, 'main.go'), goProgram);
  const lines = inputs.map((c) => `${c.dir} ${c.values.join(' ')}`).join('\n') + '\n';
  const run = spawnSync('go', ['run', 'main.go'], { cwd: dir, input: lines, env: { ...process.env, GO111MODULE: 'off' }, maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`go run failed: ${run.stderr}`);
  const version = spawnSync('go', ['version']).stdout.toString().trim();
  const outputs = run.stdout.toString().split('\n');
  const cases = inputs.map((c, i) => ({ ...c, order: outputs[i] === '' ? [] : outputs[i].split(' ').map(Number) }));
  const body = cases.map((c) => '    ' + JSON.stringify(c)).join(',\n');
  writeFileSync(path.join(here, 'fixtures/go-sort-1.19.json'), `{\n  "go": ${JSON.stringify(version)},\n  "cases": [\n${body}\n  ]\n}\n`);
  console.log(`${cases.length} cases from ${version}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
