// secure-loadgen: puts and linearizable gets through etcd's Go client (Debian's
// go.etcd.io/etcd/clientv3) with what secured servers need: a user and password
// (auth with simple tokens) and a CA for https endpoints. It prints the same line
// as ../shared/bench/loadgen, so the bench reads both the same way. With -seed=false a
// range run skips putting its keys (the metrics-cost part seeds once, so a run's
// server CPU is the gets' alone).
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"flag"
	"fmt"
	"io/ioutil"
	"math/rand"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/etcd/clientv3"
)

func main() {
	endpoints := flag.String("endpoints", "127.0.0.1:2379", "comma-separated endpoints")
	mode := flag.String("mode", "put", "put | range")
	conns := flag.Int("conns", 1, "client connections")
	clients := flag.Int("clients", 1, "concurrent clients")
	total := flag.Int("total", 10000, "requests in all")
	keySize := flag.Int("key-size", 8, "key size in bytes")
	valSize := flag.Int("val-size", 256, "value size in bytes")
	keySpace := flag.Int("key-space", 10000, "distinct keys")
	user := flag.String("user", "", "user name (auth)")
	password := flag.String("password", "", "password (auth)")
	cacert := flag.String("cacert", "", "CA certificate file: the endpoints are https")
	seed := flag.Bool("seed", true, "range: put the -key-space keys first (false: they are there already)")
	flag.Parse()

	cfg := clientv3.Config{Endpoints: strings.Split(*endpoints, ","), DialTimeout: 5 * time.Second, Username: *user, Password: *password}
	if *cacert != "" {
		pem, err := ioutil.ReadFile(*cacert)
		if err != nil {
			fail("cacert:", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			fail("cacert: no certificate in", *cacert)
		}
		cfg.TLS = &tls.Config{RootCAs: pool}
	}
	cs := make([]*clientv3.Client, *conns)
	for i := range cs {
		c, err := clientv3.New(cfg)
		if err != nil {
			fail("dial:", err)
		}
		cs[i] = c
	}
	val := strings.Repeat("v", *valSize)
	key := func(i int) string {
		b := make([]byte, *keySize)
		binary.BigEndian.PutUint64(b[len(b)-8:], uint64(i%*keySpace))
		return string(b)
	}
	if *mode != "put" && *mode != "range" {
		fail("unknown mode", *mode)
	}
	if *mode == "range" && *seed {
		for i := 0; i < *keySpace; i++ {
			if _, err := cs[0].Put(context.Background(), key(i), val); err != nil {
				fail("seed:", err)
			}
		}
	}
	var next int64 = -1
	var errs int64
	lat := make([][]time.Duration, *clients)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < *clients; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c := cs[w%len(cs)]
			r := rand.New(rand.NewSource(int64(w)))
			for atomic.AddInt64(&next, 1) < int64(*total) {
				k := key(r.Intn(*keySpace))
				t0 := time.Now()
				var err error
				if *mode == "put" {
					_, err = c.Put(context.Background(), k, val)
				} else {
					_, err = c.Get(context.Background(), k)
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
	took := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	p := func(q float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return float64(all[int(q*float64(len(all)-1))].Microseconds()) / 1000
	}
	fmt.Printf("mode=%s ok=%d errors=%d secs=%.3f rps=%.0f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
		*mode, len(all), errs, took.Seconds(), float64(len(all))/took.Seconds(), p(0.5), p(0.99), p(1))
}

func fail(args ...interface{}) {
	fmt.Fprintln(os.Stderr, args...)
	os.Exit(2)
}
