package render_test

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/mattermost/fleetgen/internal/synthfleet"
	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render"
)

// The benchmarks run on a synthetic fleet, small unless
// FLEETGEN_BENCH_SHAPE names another (docs/performance.md):
//
//	FLEETGEN_BENCH_SHAPE=reference go test -run '^$' -bench Fleet -benchmem ./render
//
// They use only the exported API, as the CLI does: each one is a stage of
// fleetgen render or fleetgen check.

func TestMain(m *testing.M) {
	code := m.Run()
	if err := synthfleet.RemoveBenchFleet(); err != nil {
		println("removing the benchmark fleet:", err.Error())
	}
	os.Exit(code)
}

// fleet is the benchmark fleet, loaded and rendered once per process.
var fleet struct {
	once  sync.Once
	name  string
	inv   *inventory.Inventory
	files []render.File
	err   error
}

// onFleet runs bench as a sub-benchmark named after the benchmark fleet
// (BenchmarkFleetRender/reference), with the loaded inventory and its rendered
// files, so results of two sizes compare side by side.
func onFleet(b *testing.B, bench func(b *testing.B, inv *inventory.Inventory, files []render.File)) {
	fleet.once.Do(func() {
		var dir string
		dir, fleet.name, fleet.err = synthfleet.BenchFleet()
		if fleet.err != nil {
			return
		}
		inv, _, diags := inventory.Load(filepath.Join(dir, "environments"))
		if inv == nil || len(diags) > 0 {
			fleet.err = diags
			return
		}
		fleet.inv = inv
		fleet.files, fleet.err = render.Render(inv)
	})
	if fleet.err != nil {
		b.Fatal(fleet.err)
	}
	b.Run(fleet.name, func(b *testing.B) { bench(b, fleet.inv, fleet.files) })
}

// reportFiles makes MB/s the rendered bytes per second, and reports
// allocations. The loop then ends with filesPerOp (b.Loop's first call
// resets the timer, which drops metrics reported before).
func reportFiles(b *testing.B, files []render.File) {
	var size int64
	for _, f := range files {
		size += int64(len(f.Data))
	}
	b.SetBytes(size)
	b.ReportAllocs()
}

// filesPerOp reports how many files each operation rendered, wrote or
// compared.
func filesPerOp(b *testing.B, files []render.File) {
	b.ReportMetric(float64(len(files)), "files/op")
}

// BenchmarkFleetRenderer is each exported renderer alone, over every
// environment of the fleet.
func BenchmarkFleetRenderer(b *testing.B) {
	renderers := []struct {
		name   string
		render func(*inventory.Environment) ([]render.File, error)
	}{
		{"HA", render.HA},
		{"Prometheus", render.Prometheus},
		{"Helm", render.Helm},
		{"ArgoCD", render.ArgoCD},
		{"K8s", render.K8s},
		{"Terraform", render.Terraform},
	}
	onFleet(b, func(b *testing.B, inv *inventory.Inventory, _ []render.File) {
		for _, r := range renderers {
			b.Run(r.name, func(b *testing.B) {
				var files []render.File
				for _, env := range inv.Environments {
					out, err := r.render(env)
					if err != nil {
						b.Fatal(err)
					}
					files = append(files, out...)
				}
				if len(files) == 0 {
					b.Fatalf("%s rendered no file", r.name)
				}
				reportFiles(b, files)
				for b.Loop() {
					for _, env := range inv.Environments {
						if _, err := r.render(env); err != nil {
							b.Fatal(err)
						}
					}
				}
				filesPerOp(b, files)
			})
		}
	})
}

// BenchmarkFleetRender is the whole in-memory render, every renderer of every
// environment, sorted.
func BenchmarkFleetRender(b *testing.B) {
	onFleet(b, func(b *testing.B, inv *inventory.Inventory, files []render.File) {
		reportFiles(b, files)
		for b.Loop() {
			if _, err := render.RenderWith(inv, render.Options{}); err != nil {
				b.Fatal(err)
			}
		}
		filesPerOp(b, files)
	})
}

// BenchmarkFleetBuildKustomizations is the kustomize build render and check run
// on every rendered kustomization.
func BenchmarkFleetBuildKustomizations(b *testing.B) {
	onFleet(b, func(b *testing.B, _ *inventory.Inventory, files []render.File) {
		b.ReportAllocs()
		for b.Loop() {
			if err := render.BuildKustomizations(files); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkFleetWriteCold is Write into an empty out/: every file created.
// Making and removing each run's folder is not timed.
func BenchmarkFleetWriteCold(b *testing.B) {
	onFleet(b, func(b *testing.B, _ *inventory.Inventory, files []render.File) {
		parent := b.TempDir()
		reportFiles(b, files)
		for b.Loop() {
			b.StopTimer()
			dir, err := os.MkdirTemp(parent, "out-")
			if err != nil {
				b.Fatal(err)
			}
			out := filepath.Join(dir, "out")
			b.StartTimer()
			report, err := render.Write(out, files, render.WriteOptions{})
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			if len(report.Written) != len(files) {
				b.Fatalf("cold write: %s, want %d written", report, len(files))
			}
			if err := os.RemoveAll(dir); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		filesPerOp(b, files)
	})
}

// writtenOut is a folder holding files, written once before the timer
// starts.
func writtenOut(b *testing.B, files []render.File) string {
	b.Helper()
	out := filepath.Join(b.TempDir(), "out")
	if _, err := render.Write(out, files, render.WriteOptions{}); err != nil {
		b.Fatal(err)
	}
	return out
}

// BenchmarkFleetWriteNoop is Write of the files out/ already holds: every file
// compared, none written.
func BenchmarkFleetWriteNoop(b *testing.B) {
	onFleet(b, func(b *testing.B, _ *inventory.Inventory, files []render.File) {
		out := writtenOut(b, files)
		reportFiles(b, files)
		for b.Loop() {
			report, err := render.Write(out, files, render.WriteOptions{})
			if err != nil {
				b.Fatal(err)
			}
			if len(report.Written)+len(report.Removed) > 0 {
				b.Fatalf("no-op write: %s", report)
			}
		}
		filesPerOp(b, files)
	})
}

// BenchmarkFleetCheck is Check of a clean out/: every file compared.
func BenchmarkFleetCheck(b *testing.B) {
	onFleet(b, func(b *testing.B, _ *inventory.Inventory, files []render.File) {
		out := writtenOut(b, files)
		reportFiles(b, files)
		for b.Loop() {
			drift, err := render.Check(out, files, render.CheckOptions{})
			if err != nil {
				b.Fatal(err)
			}
			if !drift.Clean() {
				b.Fatalf("check of a clean out/: %d paths drift", len(drift.Files()))
			}
		}
		filesPerOp(b, files)
	})
}
