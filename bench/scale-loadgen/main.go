// scale-loadgen: the scale part's workloads (issue 14) through etcd's Go client (Debian's
// go.etcd.io/etcd/clientv3), on a key space of -keys distinct keys spread in random order by a
// bijective hash (so loading [0,N) gives N distinct keys, and range/txn pick any of them).
// Modes: load (puts keys [-from,-to)), range, txn, watch (-watchers on distinct ranges, one writer),
// during-compact / during-defrag (puts from -clients while the operation runs: latency of the puts
// that overlap it), fullrange (one Get of every key). Prints the same line as ../shared/bench/loadgen.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/etcd/clientv3"
)

const prefix = "/scale/"

// mix is a bijection on uint64 (splitmix64's finaliser), so distinct i give distinct keys.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

func key(i int) string { return fmt.Sprintf("%s%016x", prefix, mix(uint64(i))) }

var (
	endpoints = flag.String("endpoints", "127.0.0.1:2379", "comma-separated endpoints")
	mode      = flag.String("mode", "load", "load | range | txn | watch | during-compact | during-defrag | fullrange")
	conns     = flag.Int("conns", 10, "client connections")
	clients   = flag.Int("clients", 100, "concurrent clients")
	total     = flag.Int("total", 10000, "requests in all (range, txn, watch: puts)")
	keys      = flag.Int("keys", 1000, "distinct keys in the store")
	from      = flag.Int("from", 0, "load: first key index")
	to        = flag.Int("to", 1000, "load: key index to stop before")
	valSize   = flag.Int("val-size", 64, "value size in bytes")
	watchers  = flag.Int("watchers", 1000, "watch: watchers, each on its own key range")
)

func main() {
	flag.Parse()
	cs := make([]*clientv3.Client, *conns)
	for i := range cs {
		c, err := clientv3.New(clientv3.Config{Endpoints: strings.Split(*endpoints, ","), DialTimeout: 5 * time.Second})
		if err != nil {
			fail("dial:", err)
		}
		cs[i] = c
	}
	val := strings.Repeat("v", *valSize)
	ctx := context.Background()
	switch *mode {
	case "load":
		var next int64 = int64(*from) - 1
		report(run(cs, func(c *clientv3.Client, r *rand.Rand) (bool, error) {
			i := atomic.AddInt64(&next, 1)
			if i >= int64(*to) {
				return false, nil
			}
			_, err := c.Put(ctx, key(int(i)), val)
			return true, err
		}))
	case "range", "txn":
		var next int64 = -1
		report(run(cs, func(c *clientv3.Client, r *rand.Rand) (bool, error) {
			if atomic.AddInt64(&next, 1) >= int64(*total) {
				return false, nil
			}
			k := key(r.Intn(*keys))
			var err error
			if *mode == "range" {
				_, err = c.Get(ctx, k)
			} else {
				_, err = c.Txn(ctx).If(clientv3.Compare(clientv3.Version(k), ">", 0)).Then(clientv3.OpPut(k, val)).Commit()
			}
			return true, err
		}))
	case "during-compact", "during-defrag":
		during(cs, val)
	case "watch":
		watch(cs, val)
	case "fullrange":
		t0 := time.Now()
		resp, err := cs[0].Get(ctx, prefix, clientv3.WithPrefix())
		if err != nil {
			fail("fullrange:", err)
		}
		took := time.Since(t0)
		ms := float64(took.Microseconds()) / 1000
		fmt.Printf("mode=fullrange ok=%d errors=0 secs=%.3f rps=%.0f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n", len(resp.Kvs), took.Seconds(), 1/took.Seconds(), ms, ms, ms)
	default:
		fail("unknown mode", *mode)
	}
}

type result struct {
	lat  []time.Duration
	errs int64
	took time.Duration
}

// run drives -clients workers until step says stop; each worker's requests' latencies are kept.
func run(cs []*clientv3.Client, step func(*clientv3.Client, *rand.Rand) (bool, error)) result {
	var errs int64
	lat := make([][]time.Duration, *clients)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < *clients; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c := cs[w%len(cs)]
			r := rand.New(rand.NewSource(int64(w) + time.Now().UnixNano()))
			for {
				t0 := time.Now()
				more, err := step(c, r)
				if !more {
					return
				}
				if err != nil {
					if atomic.AddInt64(&errs, 1) == 1 {
						fmt.Fprintln(os.Stderr, "first error:", err)
					}
					continue
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		}(w)
	}
	wg.Wait()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	return result{all, errs, time.Since(start)}
}

func report(r result) {
	all := r.lat
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	p := func(q float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return float64(all[int(q*float64(len(all)-1))].Microseconds()) / 1000
	}
	fmt.Printf("mode=%s ok=%d errors=%d secs=%.3f rps=%.0f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
		*mode, len(all), r.errs, r.took.Seconds(), float64(len(all))/r.took.Seconds(), p(0.5), p(0.99), p(1))
}

// during overwrites random existing keys from -clients workers; after a second it compacts to the
// current revision (or defragments), and reports the puts that were in flight while it ran.
func during(cs []*clientv3.Client, val string) {
	ctx := context.Background()
	type span struct{ start, end time.Time }
	var mu sync.Mutex
	var spans []span
	var stop int32
	var errs int64
	var wg sync.WaitGroup
	for w := 0; w < *clients; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c := cs[w%len(cs)]
			r := rand.New(rand.NewSource(int64(w)))
			var mine []span
			for atomic.LoadInt32(&stop) == 0 {
				t0 := time.Now()
				if _, err := c.Put(ctx, key(r.Intn(*keys)), val); err != nil {
					if atomic.AddInt64(&errs, 1) == 1 {
						fmt.Fprintln(os.Stderr, "first error:", err)
					}
					continue
				}
				mine = append(mine, span{t0, time.Now()})
			}
			mu.Lock()
			spans = append(spans, mine...)
			mu.Unlock()
		}(w)
	}
	time.Sleep(time.Second)
	opStart := time.Now()
	var err error
	if *mode == "during-compact" {
		var resp *clientv3.GetResponse
		if resp, err = cs[0].Get(ctx, "x"); err == nil {
			_, err = cs[0].Compact(ctx, resp.Header.Revision, clientv3.WithCompactPhysical())
		}
	} else {
		_, err = cs[0].Defragment(ctx, cs[0].Endpoints()[0])
	}
	opEnd := time.Now()
	if err != nil {
		fail(*mode, err)
	}
	time.Sleep(200 * time.Millisecond)
	atomic.StoreInt32(&stop, 1)
	wg.Wait()
	var lat []time.Duration
	for _, s := range spans {
		if s.end.After(opStart) && s.start.Before(opEnd) {
			lat = append(lat, s.end.Sub(s.start))
		}
	}
	report(result{lat, errs, opEnd.Sub(opStart)})
}

// watch opens -watchers watchers, each on its own slice of the hashed key space, then one writer
// per connection puts -total keys with the send time as the value; latency is put-to-event.
func watch(cs []*clientv3.Client, val string) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := *watchers
	bound := func(j int) string { // slice j of the 64-bit hashed space, as a key
		return fmt.Sprintf("%s%016x", prefix, uint64(j)*(^uint64(0)/uint64(n)))
	}
	var got int64
	lat := make([][]time.Duration, n)
	var ready, done sync.WaitGroup
	want := int64(*total)
	for j := 0; j < n; j++ {
		ready.Add(1)
		done.Add(1)
		end := bound(j + 1)
		if j == n-1 {
			end = prefix + "g" // past every hex digit
		}
		ch := cs[j%len(cs)].Watch(clientv3.WithRequireLeader(ctx), bound(j), clientv3.WithRange(end), clientv3.WithCreatedNotify())
		go func(j int) {
			defer done.Done()
			first := true
			for resp := range ch {
				if first {
					first = false
					ready.Done()
				}
				for _, ev := range resp.Events {
					var sent int64
					fmt.Sscanf(string(ev.Kv.Value), "%d", &sent)
					lat[j] = append(lat[j], time.Since(time.Unix(0, sent)))
					if atomic.AddInt64(&got, 1) == want {
						cancel()
					}
				}
			}
		}(j)
	}
	ready.Wait()
	start := time.Now()
	var next int64 = -1
	var errs int64
	var wg sync.WaitGroup
	for w := 0; w < len(cs); w++ {
		wg.Add(1)
		go func(c *clientv3.Client) {
			defer wg.Done()
			r := rand.New(rand.NewSource(time.Now().UnixNano()))
			for atomic.AddInt64(&next, 1) < want {
				v := fmt.Sprintf("%d", time.Now().UnixNano())
				if len(v) < len(val) {
					v += val[len(v):]
				}
				if _, err := c.Put(context.Background(), key(r.Intn(*keys)), v); err != nil {
					atomic.AddInt64(&errs, 1)
				}
			}
		}(cs[w])
	}
	wg.Wait()
	select {
	case <-ctx.Done():
	case <-time.After(30 * time.Second):
		fmt.Fprintln(os.Stderr, "watch: not every event arrived within 30 s")
		cancel()
	}
	done.Wait()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	report(result{all, errs, time.Since(start)})
}

func fail(args ...interface{}) {
	fmt.Fprintln(os.Stderr, args...)
	os.Exit(2)
}
