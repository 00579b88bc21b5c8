package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

// goalP99 is the latency a synced device may see at the 99th percentile.
const goalP99 = 100 * time.Millisecond

const defaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

type config struct {
	store       string // "sqlite" or "postgres"
	instances   int
	postgresURL string
	devices     int
	perAccount  int
	duration    time.Duration
	requests    int
	think       time.Duration
	entries     int
	conns       int
	results     string
	jsonOut     bool
	strict      bool
	seed        int64
	cpuProfile  string // CPU profile of the load phase (server and devices: one process)
	mutexProf   string // mutex contention profile of the load phase
	blockProf   string // blocking profile of the load phase
	traceOut    string // execution trace of the load phase
}

func parseFlags(args []string, out io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(out)
	pg := os.Getenv("WATCHWORD_TEST_POSTGRES")
	if pg == "" {
		pg = defaultPostgres
	}
	fs.StringVar(&c.store, "store", "sqlite", "sqlite or postgres")
	fs.IntVar(&c.instances, "instances", 1, "server instances (more than one needs -store postgres)")
	fs.StringVar(&c.postgresURL, "postgres", pg, "PostgreSQL database (a fresh schema is created and dropped) ($WATCHWORD_TEST_POSTGRES)")
	fs.IntVar(&c.devices, "devices", 1000, "simulated devices, all running at once")
	fs.IntVar(&c.perAccount, "per-account", 4, "devices per account (they share one vault)")
	fs.DurationVar(&c.duration, "duration", 30*time.Second, "longest load phase")
	fs.IntVar(&c.requests, "requests", 30, "requests per device in the load phase")
	fs.DurationVar(&c.think, "think", time.Second, "mean pause between one device's requests (exponentially distributed)")
	fs.IntVar(&c.entries, "entries", 50, "entries in each vault before the load phase")
	fs.IntVar(&c.conns, "conns", 0, "client connections in all (0: one per device when the file limit allows)")
	fs.StringVar(&c.results, "results", "", "merge rows into this results.json (rows of the same name are replaced)")
	fs.BoolVar(&c.jsonOut, "json", false, "print the rows as a JSON list on standard output")
	fs.BoolVar(&c.strict, "strict", false, "exit non-zero when p99 is over the goal or a request failed")
	fs.Int64Var(&c.seed, "seed", 1, "seed of the request mix")
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of the load phase to this file (go tool pprof)")
	fs.StringVar(&c.mutexProf, "mutexprofile", "", "write a mutex contention profile of the load phase to this file")
	fs.StringVar(&c.blockProf, "blockprofile", "", "write a blocking profile of the load phase to this file")
	fs.StringVar(&c.traceOut, "trace", "", "write an execution trace of the load phase to this file (go tool trace)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	switch {
	case fs.NArg() > 0:
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	case c.store != "sqlite" && c.store != "postgres":
		return nil, fmt.Errorf("-store %q: want sqlite or postgres", c.store)
	case c.instances < 1 || c.instances > 16:
		return nil, fmt.Errorf("-instances %d: want 1..16", c.instances)
	case c.instances > 1 && c.store != "postgres":
		return nil, fmt.Errorf("-instances %d: several instances share a database only on PostgreSQL", c.instances)
	case c.devices < 1 || c.devices > 100000:
		return nil, fmt.Errorf("-devices %d: want 1..100000", c.devices)
	case c.perAccount < 1 || c.perAccount > c.devices:
		return nil, fmt.Errorf("-per-account %d: want 1..%d", c.perAccount, c.devices)
	case c.duration <= 0 || c.duration > time.Hour:
		return nil, fmt.Errorf("-duration %v: want up to an hour", c.duration)
	case c.requests < 1 || c.requests > 100000:
		return nil, fmt.Errorf("-requests %d: want 1..100000", c.requests)
	case c.think < 0:
		return nil, fmt.Errorf("-think %v: must not be negative", c.think)
	case c.entries < 1 || c.entries > 1000:
		return nil, fmt.Errorf("-entries %d: want 1..1000", c.entries)
	case c.conns < 0:
		return nil, fmt.Errorf("-conns %d: must not be negative", c.conns)
	}
	return c, nil
}

// label names the configuration in row names.
func (c *config) label() string {
	if c.store == "sqlite" {
		return "sqlite"
	}
	return fmt.Sprintf("postgres-%d-instances", c.instances)
}
