package render

import (
	"cmp"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/hashicorp/hcl/v2"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/argocd"
	"github.com/mattermost/fleetgen/render/ha"
	"github.com/mattermost/fleetgen/render/helm"
	"github.com/mattermost/fleetgen/render/hydrate"
	"github.com/mattermost/fleetgen/render/internal/parallel"
	"github.com/mattermost/fleetgen/render/layout"
	"github.com/mattermost/fleetgen/render/prometheus"
	"github.com/mattermost/fleetgen/render/registration"
	"github.com/mattermost/fleetgen/render/terraform"
)

// Options are what a render needs besides the inventory.
type Options struct {
	// Charts are the packaged chart archives (.tgz) of the apps of
	// hydrated environments (inventory.HydratedApps), already verified
	// against the chart lock by the caller. Render reads them from memory
	// only: it never touches the network or the chart cache.
	Charts map[*inventory.App][]byte
	// Rendered, when set, is called with each environment's files as soon
	// as every job of that environment has finished without an error,
	// from the goroutine that finished last, while other environments
	// still render: a check or a write reads out/ for them meanwhile
	// (outdir.Prefetcher). Render returns, for that environment, the
	// files it gives back: the same paths and modes, with the bytes of
	// some let go (layout.File.Sum), so a large fleet is never held in
	// memory whole.
	Rendered func([]layout.File) []layout.File
}

// Render renders every environment of inv. The files are sorted by path,
// so the output is the same on every run. It returns every problem the
// renderers found, as diagnostics sorted by file and line; the files are
// nil when one of them is an error.
//
// Each family of each environment, and each HA cluster, is one job, and
// the jobs run on every core: the renderers are pure functions of the
// inventory, which nothing changes while they run. Neither the files nor
// the diagnostics depend on the order jobs finish in.
func Render(inv *inventory.Inventory, opts Options) ([]layout.File, hcl.Diagnostics) {
	jobs, envJobs := jobsOf(inv, opts)
	files := make([][]layout.File, len(jobs))
	diags := make([]hcl.Diagnostics, len(jobs))
	left := make([]atomic.Int32, len(envJobs)) // jobs of each environment not finished
	envOf := make([]int, len(jobs))
	for e, r := range envJobs {
		left[e].Store(int32(r.end - r.start))
		for i := r.start; i < r.end; i++ {
			envOf[i] = e
		}
	}
	given := make([][]layout.File, len(envJobs)) // what Rendered gave back
	parallel.Do(len(jobs), func(i int) {
		files[i], diags[i] = jobs[i]()
		if e := envOf[i]; opts.Rendered != nil && left[e].Add(-1) == 0 {
			if env, ok := envJobs[e].collect(files, diags); ok {
				for j := envJobs[e].start; j < envJobs[e].end; j++ {
					files[j] = nil
				}
				given[e] = opts.Rendered(env)
			}
		}
	})
	var all hcl.Diagnostics
	for _, d := range diags {
		all = append(all, d...)
	}
	all = sortDiagnostics(all)
	if all.HasErrors() {
		return nil, all
	}
	var out []layout.File
	for _, fs := range slices.Concat(files, given) {
		out = append(out, fs...)
	}
	slices.SortFunc(out, func(a, b layout.File) int { return cmp.Compare(a.Path, b.Path) })
	return out, all
}

// A job renders one share of an environment.
type job func() ([]layout.File, hcl.Diagnostics)

// A jobRange is the jobs of one environment: jobs[start:end].
type jobRange struct{ start, end int }

// collect gives the files of the environment's jobs, once all have
// finished, and false when one of them has an error.
func (r jobRange) collect(files [][]layout.File, diags []hcl.Diagnostics) ([]layout.File, bool) {
	var env []layout.File
	for i := r.start; i < r.end; i++ {
		if diags[i].HasErrors() {
			return nil, false
		}
		env = append(env, files[i]...)
	}
	return env, true
}

// jobsOf lists the jobs of every environment of inv, and which jobs are
// each environment's. HA clusters, most of the work and N×(N-1) each, are
// a job each, so one large environment still uses every core.
func jobsOf(inv *inventory.Inventory, opts Options) ([]job, []jobRange) {
	var jobs []job
	var envs []jobRange
	for _, env := range inv.Environments {
		start := len(jobs)
		jobs = append(jobs, func() ([]layout.File, hcl.Diagnostics) { return environmentReadme(env) })
		for _, c := range env.HAClusters {
			jobs = append(jobs, func() ([]layout.File, hcl.Diagnostics) { return ha.Render(env, c) })
		}
		if env.HAOnly { // no C&C side to render
			envs = append(envs, jobRange{start, len(jobs)})
			continue
		}
		jobs = append(jobs,
			func() ([]layout.File, hcl.Diagnostics) { return prometheus.Render(env) },
			func() ([]layout.File, hcl.Diagnostics) { return helm.Render(env) },
			func() ([]layout.File, hcl.Diagnostics) { return argocd.Render(env) },
			func() ([]layout.File, hcl.Diagnostics) { return terraform.Render(env) },
			func() ([]layout.File, hcl.Diagnostics) { return registration.Render(env) },
		)
		if env.GitOps.Hydrate {
			jobs = append(jobs, func() ([]layout.File, hcl.Diagnostics) { return hydrateEnv(env, opts.Charts) })
		}
		envs = append(envs, jobRange{start, len(jobs)})
	}
	return jobs, envs
}

// hydrateEnv renders the charts of a hydrated environment with the values
// files the helm family writes. A mistake in those values is reported by
// the helm job, once.
func hydrateEnv(env *inventory.Environment, charts map[*inventory.App][]byte) ([]layout.File, hcl.Diagnostics) {
	values, diags := helm.Values(env)
	if diags.HasErrors() {
		return nil, nil
	}
	return hydrate.Render(env, charts, values)
}

// sortDiagnostics orders diagnostics by file, line and column, those
// without a place last, and drops exact repeats (two families that meet
// the same mistake).
func sortDiagnostics(diags hcl.Diagnostics) hcl.Diagnostics {
	key := func(d *hcl.Diagnostic) string {
		if d.Subject == nil {
			return "\xff"
		}
		return fmt.Sprintf("%s\x00%09d\x00%09d", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
	}
	slices.SortStableFunc(diags, func(a, b *hcl.Diagnostic) int { return cmp.Compare(key(a), key(b)) })
	return slices.CompactFunc(diags, func(a, b *hcl.Diagnostic) bool {
		return key(a) == key(b) && a.Severity == b.Severity && a.Summary == b.Summary && a.Detail == b.Detail
	})
}
