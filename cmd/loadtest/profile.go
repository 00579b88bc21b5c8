package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"syscall"
	"time"
)

// profiles records the load phase for go tool pprof. The devices and the
// servers share this process, so one CPU profile shows both: stacks under
// net/http.(*conn).serve are the server, the rest is the load generator.
type profiles struct {
	cpu, trace        *os.File
	mutexPath, blockP string
}

// startProfiles begins the profiles cfg asks for. Mutex and block
// profiling sample every event while on: they are for diagnosis, not for
// the numbers in results.json.
func startProfiles(cfg *config) (*profiles, error) {
	p := &profiles{mutexPath: cfg.mutexProf, blockP: cfg.blockProf}
	if cfg.cpuProfile != "" {
		f, err := os.Create(cfg.cpuProfile)
		if err != nil {
			return nil, fmt.Errorf("cpu profile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("cpu profile: %w", err)
		}
		p.cpu = f
	}
	if cfg.traceOut != "" {
		f, err := os.Create(cfg.traceOut)
		if err != nil {
			p.stop()
			return nil, fmt.Errorf("trace: %w", err)
		}
		if err := trace.Start(f); err != nil {
			f.Close()
			p.stop()
			return nil, fmt.Errorf("trace: %w", err)
		}
		p.trace = f
	}
	if p.mutexPath != "" {
		runtime.SetMutexProfileFraction(1)
	}
	if p.blockP != "" {
		runtime.SetBlockProfileRate(int(time.Microsecond)) // blocking of 1 µs or more
	}
	return p, nil
}

// stop ends the profiles and writes them.
func (p *profiles) stop() error {
	var errs []error
	if p.cpu != nil {
		pprof.StopCPUProfile()
		errs = append(errs, p.cpu.Close())
		p.cpu = nil
	}
	if p.trace != nil {
		trace.Stop()
		errs = append(errs, p.trace.Close())
		p.trace = nil
	}
	write := func(name, path string) {
		f, err := os.Create(path)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s profile: %w", name, err))
			return
		}
		errs = append(errs, pprof.Lookup(name).WriteTo(f, 0), f.Close())
	}
	if p.mutexPath != "" {
		write("mutex", p.mutexPath)
		runtime.SetMutexProfileFraction(0)
	}
	if p.blockP != "" {
		write("block", p.blockP)
		runtime.SetBlockProfileRate(0)
	}
	return errors.Join(errs...)
}

// cpuTime is the CPU time this process has used so far (user and system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
