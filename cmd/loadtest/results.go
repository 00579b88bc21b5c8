package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// result is one measured configuration.
type result struct {
	label                   string
	devices, conns          int
	requests, errors        int
	elapsed                 time.Duration
	rps, p50, p99, max      float64 // latencies in ms
	perOp                   [nOps]opStats
	firstErrors             []string
	setup                   time.Duration
	instances               int
	fileLimit               uint64
	requestsPerDevice       int
	thinkTime, maxDuration  time.Duration
	entriesPerVault, perAcc int
	cpu                     time.Duration // process CPU in the load phase: servers and devices together
}

type opStats struct {
	n, errors int
	p50, p99  float64
}

// measure starts the servers, sets the devices up and runs the load phase.
func measure(ctx context.Context, cfg *config, log io.Writer) (*result, error) {
	dir, err := os.MkdirTemp("", "watchword-loadtest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)

	limit := raiseFileLimit()
	conns := cfg.conns
	if conns == 0 {
		conns = cfg.devices
	}
	// Both ends of every connection are in this process; keep room for the
	// database, the mail sink and the runtime.
	if max := int(limit/2) - 256; conns > max {
		if max < 8 {
			return nil, fmt.Errorf("the open-file limit (%d) is too low for a load test", limit)
		}
		fmt.Fprintf(log, "open-file limit %d: devices share %d connections\n", limit, max)
		conns = max
	}

	fmt.Fprintf(log, "starting %d instance(s) on %s\n", cfg.instances, cfg.store)
	cl, err := startCluster(ctx, cfg, dir)
	if err != nil {
		return nil, err
	}
	defer cl.close()

	// One HTTP/1.1 pool per instance, with as many connections as devices
	// talking to it allow; a device waiting for a free connection counts
	// that wait in its latency.
	clients := make([]*http.Client, len(cl.urls))
	for i := range clients {
		per := (conns + len(cl.urls) - 1) / len(cl.urls)
		clients[i] = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
			MaxConnsPerHost: per, MaxIdleConnsPerHost: per, MaxIdleConns: per,
			IdleConnTimeout: time.Minute, ForceAttemptHTTP2: false,
			DisableCompression: true, // devices ask for gzip and decompress it themselves (device.call)
		}}
		defer clients[i].CloseIdleConnections()
	}

	t0 := time.Now()
	fmt.Fprintf(log, "creating %d accounts and signing %d devices in (Argon2id per sign-in)\n", (cfg.devices+cfg.perAccount-1)/cfg.perAccount, cfg.devices)
	devices, err := setup(ctx, cfg, cl, clients)
	if err != nil {
		return nil, err
	}
	setupTime := time.Since(t0)
	fmt.Fprintf(log, "set-up took %.1f s; load phase: %d devices × up to %d requests, think %v, at most %v\n",
		setupTime.Seconds(), cfg.devices, cfg.requests, cfg.think, cfg.duration)
	prof, err := startProfiles(cfg)
	if err != nil {
		return nil, err
	}
	cpu0 := cpuTime()
	samples, elapsed := load(ctx, cfg, devices)
	cpu := cpuTime() - cpu0
	if err := prof.stop(); err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if len(samples) == 0 {
		return nil, errors.New("no request completed in the load phase")
	}
	r := summarise(samples, elapsed)
	r.label, r.devices, r.conns, r.instances, r.setup = cfg.label(), cfg.devices, conns, cfg.instances, setupTime
	r.fileLimit, r.requestsPerDevice, r.thinkTime, r.maxDuration = limit, cfg.requests, cfg.think, cfg.duration
	r.entriesPerVault, r.perAcc = cfg.entries, cfg.perAccount
	r.cpu = cpu
	return r, nil
}

func summarise(samples []sample, elapsed time.Duration) *result {
	r := &result{requests: len(samples), elapsed: elapsed}
	var all []float64
	var byOp [nOps][]float64
	for _, s := range samples {
		ms := float64(s.latency) / float64(time.Millisecond)
		all = append(all, ms)
		byOp[s.op] = append(byOp[s.op], ms)
		if s.err != nil {
			r.errors++
			r.perOp[s.op].errors++
			if len(r.firstErrors) < 5 {
				r.firstErrors = append(r.firstErrors, opNames[s.op]+": "+s.err.Error())
			}
		}
	}
	r.rps = float64(len(samples)) / elapsed.Seconds()
	r.p50, r.p99, r.max = percentile(all, 50), percentile(all, 99), percentile(all, 100)
	for op := range byOp {
		r.perOp[op].n = len(byOp[op])
		r.perOp[op].p50, r.perOp[op].p99 = percentile(byOp[op], 50), percentile(byOp[op], 99)
	}
	return r
}

// percentile is the nearest-rank percentile; it sorts xs.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	slices.Sort(xs)
	k := int(math.Ceil(p/100*float64(len(xs)))) - 1
	return xs[max(0, min(k, len(xs)-1))]
}

func (r *result) print(w io.Writer) {
	fmt.Fprintf(w, "\n%s: %d devices (%d per account, %d entries per vault), %d instance(s), %d client connections\n",
		r.label, r.devices, r.perAcc, r.entriesPerVault, r.instances, r.conns)
	fmt.Fprintf(w, "  %d requests in %.1f s: %.0f requests/s, p50 %.1f ms, p99 %.1f ms, max %.1f ms, %d errors\n",
		r.requests, r.elapsed.Seconds(), r.rps, r.p50, r.p99, r.max, r.errors)
	if r.requests > 0 && r.cpu > 0 {
		fmt.Fprintf(w, "  CPU in the load phase: %.1f s, %.2f ms per request (servers and devices together; %.0f%% of one core)\n",
			r.cpu.Seconds(), float64(r.cpu)/float64(time.Millisecond)/float64(r.requests), 100*r.cpu.Seconds()/r.elapsed.Seconds())
	}
	for op, s := range r.perOp {
		fmt.Fprintf(w, "  %-8s %6d requests  p50 %6.1f ms  p99 %6.1f ms  %d errors\n", opNames[op], s.n, s.p50, s.p99, s.errors)
	}
	for _, e := range r.firstErrors {
		fmt.Fprintf(w, "  error: %s\n", e)
	}
	verdict := "meets"
	if r.p99 > float64(goalP99.Milliseconds()) || r.errors > 0 {
		verdict = "MISSES"
	}
	fmt.Fprintf(w, "  %s the goal (p99 ≤ %d ms, 0 errors)\n", verdict, goalP99.Milliseconds())
}

// row is one bench/results.json row: ratio = value / reference_value, so a
// ratio at or below 1 meets a goal.
type row struct {
	Name           string   `json:"name"`
	Value          float64  `json:"value"`
	Unit           string   `json:"unit"`
	Reference      string   `json:"reference"`
	ReferenceValue *float64 `json:"reference_value"`
	Ratio          *float64 `json:"ratio"`
}

func newRow(name string, value float64, unit, reference string, refValue *float64) row {
	r := row{Name: name, Value: round(value), Unit: unit, Reference: reference, ReferenceValue: refValue}
	if refValue != nil && *refValue != 0 {
		q := math.Round(value / *refValue * 1000) / 1000
		r.Ratio = &q
	}
	return r
}

func round(v float64) float64 {
	if math.Abs(v) >= 100 {
		return math.Round(v)
	}
	return math.Round(v*1000) / 1000
}

func ptr(v float64) *float64 { return &v }

func (r *result) rows(cfg *config) []row {
	l := r.label
	return []row{
		newRow("server-sync-p99-ms/"+l, r.p99, "ms", "goal", ptr(float64(goalP99.Milliseconds()))),
		newRow("server-sync-p50-ms/"+l, r.p50, "ms", "none", nil),
		newRow("server-sync-requests-per-s/"+l, r.rps, "req/s", "none", nil),
		newRow("server-sync-errors/"+l, float64(r.errors), "count", "goal", ptr(0)),
	}
}

func writeRows(w io.Writer, rows []row) error {
	b, err := json.MarshalIndent(rows, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// mergeRows replaces the rows of the same name in the JSON list at path
// (keeping every other row) and writes it back atomically.
func mergeRows(path string, rows []row) error {
	var old []json.RawMessage
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := json.Unmarshal(b, &old); err != nil {
			return fmt.Errorf("%s is not a JSON list of rows: %w", path, err)
		}
	case !errors.Is(err, os.ErrNotExist):
		return err
	}
	names := map[string]bool{}
	for _, r := range rows {
		names[r.Name] = true
	}
	var out []any
	for _, raw := range old {
		var n struct{ Name string }
		if json.Unmarshal(raw, &n) == nil && names[n.Name] {
			continue
		}
		out = append(out, raw)
	}
	for _, r := range rows {
		out = append(out, r)
	}
	nb, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(nb, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
