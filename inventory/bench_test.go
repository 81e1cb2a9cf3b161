package inventory

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/mattermost/fleetgen/internal/synthfleet"
)

// The benchmarks run on a synthetic fleet, small unless
// FLEETGEN_BENCH_SHAPE names another (docs/performance.md):
//
//	FLEETGEN_BENCH_SHAPE=reference go test -run '^$' -bench Fleet -benchmem ./inventory

func TestMain(m *testing.M) {
	code := m.Run()
	if err := synthfleet.RemoveBenchFleet(); err != nil {
		println("removing the benchmark fleet:", err.Error())
	}
	os.Exit(code)
}

// onFleet runs bench as a sub-benchmark named after the benchmark fleet
// (BenchmarkFleetLoad/reference), with its environments/ folder and its size in
// bytes, so results of two sizes compare side by side.
func onFleet(b *testing.B, bench func(b *testing.B, dir string, size int64)) {
	dir, name, err := synthfleet.BenchFleet()
	if err != nil {
		b.Fatal(err)
	}
	dir = filepath.Join(dir, "environments")
	var size int64
	err = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		size += info.Size()
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Run(name, func(b *testing.B) { bench(b, dir, size) })
}

// BenchmarkFleetLoad is the whole load of the fleet: parse, decode, defaults and
// validation. MB/s is inventory bytes read.
func BenchmarkFleetLoad(b *testing.B) {
	onFleet(b, func(b *testing.B, dir string, size int64) {
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			inv, _, diags := Load(dir)
			if inv == nil || len(diags) > 0 {
				b.Fatalf("load: %s", diags.Error())
			}
		}
	})
}

// BenchmarkFleetValidate is the validation stage of Load alone, on a loaded
// (decoded and defaulted) fleet.
func BenchmarkFleetValidate(b *testing.B) {
	onFleet(b, func(b *testing.B, dir string, _ int64) {
		inv, _, diags := Load(dir)
		if inv == nil || len(diags) > 0 {
			b.Fatalf("load: %s", diags.Error())
		}
		b.ReportAllocs()
		for b.Loop() {
			if diags := validate(inv); len(diags) > 0 {
				b.Fatalf("validate: %s", diags.Error())
			}
		}
	})
}
