package cli

import (
	"os"
	"runtime"
	"runtime/pprof"
)

// profiles are the hidden --cpuprofile and --memprofile flags: pprof
// profiles of one real run, which is how the render path was tuned
// (docs/performance.md).
type profiles struct {
	cpu, mem string
	cpuFile  *os.File
}

func (p *profiles) start() error {
	if p.cpu == "" {
		return nil
	}
	f, err := os.Create(p.cpu)
	if err != nil {
		return err
	}
	p.cpuFile = f
	return pprof.StartCPUProfile(f)
}

// stop ends the CPU profile and writes the heap profile of the allocations
// the run made.
func (p *profiles) stop() error {
	if p.cpuFile != nil {
		pprof.StopCPUProfile()
		if err := p.cpuFile.Close(); err != nil {
			return err
		}
	}
	if p.mem == "" {
		return nil
	}
	f, err := os.Create(p.mem)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
