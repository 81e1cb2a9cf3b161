package render_test

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/mattermost/fleetgen/internal/synthfleet"
	"github.com/mattermost/fleetgen/inventory"

	"github.com/mattermost/fleetgen/render"
	"github.com/mattermost/fleetgen/render/argocd"
	"github.com/mattermost/fleetgen/render/ha"
	"github.com/mattermost/fleetgen/render/helm"
	"github.com/mattermost/fleetgen/render/layout"
	"github.com/mattermost/fleetgen/render/outdir"
	"github.com/mattermost/fleetgen/render/prometheus"
	"github.com/mattermost/fleetgen/render/terraform"
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
	files []layout.File
	err   error
}

// onFleet runs bench as a sub-benchmark named after the benchmark fleet
// (BenchmarkFleetRender/reference), with the loaded inventory and its rendered
// files, so results of two sizes compare side by side.
func onFleet(b *testing.B, bench func(b *testing.B, inv *inventory.Inventory, files []layout.File)) {
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
		if fleet.files, diags = render.Render(inv, render.Options{}); len(diags) > 0 {
			fleet.err = diags
		}
	})
	if fleet.err != nil {
		b.Fatal(fleet.err)
	}
	b.Run(fleet.name, func(b *testing.B) { bench(b, fleet.inv, fleet.files) })
}

// reportFiles makes MB/s the rendered bytes per second, and reports
// allocations. The loop then ends with filesPerOp (b.Loop's first call
// resets the timer, which drops metrics reported before).
func reportFiles(b *testing.B, files []layout.File) {
	var size int64
	for _, f := range files {
		size += int64(len(f.Data))
	}
	b.SetBytes(size)
	b.ReportAllocs()
}

// filesPerOp reports how many files each operation rendered, wrote or
// compared.
func filesPerOp(b *testing.B, files []layout.File) {
	b.ReportMetric(float64(len(files)), "files/op")
}

// BenchmarkFleetRenderer is each renderer family alone, over every
// environment of the fleet.
func BenchmarkFleetRenderer(b *testing.B) {
	haAll := func(env *inventory.Environment) ([]layout.File, hcl.Diagnostics) {
		var files []layout.File
		for _, c := range env.HAClusters {
			out, diags := ha.Render(env, c)
			if diags.HasErrors() {
				return nil, diags
			}
			files = append(files, out...)
		}
		return files, nil
	}
	renderers := []struct {
		name   string
		render func(*inventory.Environment) ([]layout.File, hcl.Diagnostics)
	}{
		{"HA", haAll},
		{"Prometheus", prometheus.Render},
		{"Helm", helm.Render},
		{"ArgoCD", argocd.Render},
		{"Terraform", terraform.Render},
	}
	onFleet(b, func(b *testing.B, inv *inventory.Inventory, _ []layout.File) {
		for _, r := range renderers {
			b.Run(r.name, func(b *testing.B) {
				var files []layout.File
				for _, env := range inv.Environments {
					out, diags := r.render(env)
					if len(diags) > 0 {
						b.Fatal(diags)
					}
					files = append(files, out...)
				}
				if len(files) == 0 {
					b.Fatalf("%s rendered no file", r.name)
				}
				reportFiles(b, files)
				for b.Loop() {
					for _, env := range inv.Environments {
						if _, diags := r.render(env); len(diags) > 0 {
							b.Fatal(diags)
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
	onFleet(b, func(b *testing.B, inv *inventory.Inventory, files []layout.File) {
		reportFiles(b, files)
		for b.Loop() {
			if _, diags := render.Render(inv, render.Options{}); len(diags) > 0 {
				b.Fatal(diags)
			}
		}
		filesPerOp(b, files)
	})
}

// BenchmarkFleetBuildKustomizations is the kustomize build render and check run
// on every rendered kustomization.
func BenchmarkFleetBuildKustomizations(b *testing.B) {
	onFleet(b, func(b *testing.B, _ *inventory.Inventory, files []layout.File) {
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
	onFleet(b, func(b *testing.B, _ *inventory.Inventory, files []layout.File) {
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
			report, err := outdir.Write(out, files, outdir.WriteOptions{})
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
func writtenOut(b *testing.B, files []layout.File) string {
	b.Helper()
	out := filepath.Join(b.TempDir(), "out")
	if _, err := outdir.Write(out, files, outdir.WriteOptions{}); err != nil {
		b.Fatal(err)
	}
	return out
}

// BenchmarkFleetWriteNoop is Write of the files out/ already holds: every file
// compared, none written.
func BenchmarkFleetWriteNoop(b *testing.B) {
	onFleet(b, func(b *testing.B, _ *inventory.Inventory, files []layout.File) {
		out := writtenOut(b, files)
		reportFiles(b, files)
		for b.Loop() {
			report, err := outdir.Write(out, files, outdir.WriteOptions{})
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
	onFleet(b, func(b *testing.B, _ *inventory.Inventory, files []layout.File) {
		out := writtenOut(b, files)
		reportFiles(b, files)
		for b.Loop() {
			drift, err := outdir.Check(out, files, outdir.CheckOptions{})
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
