package render

import (
	"cmp"
	"fmt"
	"path"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/templates"
)

// Render renders every environment of inv. The files are sorted by path,
// so the output is the same on every run. An inventory with a hydrated
// environment needs its charts: see RenderWith.
func Render(inv *inventory.Inventory) ([]File, error) {
	return RenderWith(inv, Options{})
}

// RenderWith is Render with the charts of hydrated environments.
//
// Each output kind of each environment, and each HA cluster, is one job,
// and the jobs run on every core (see inParallel): the renderers are pure
// functions of the inventory, which nothing changes while they run. The
// result does not depend on the order jobs finish in: files are sorted, and
// the error returned is that of the first failing job in inventory order,
// as a serial render would return it.
func RenderWith(inv *inventory.Inventory, opts Options) ([]File, error) {
	type job struct {
		env *inventory.Environment
		run func() ([]File, error)
	}
	var jobs []job
	for _, env := range inv.Environments {
		jobs = append(jobs, job{env, func() ([]File, error) { return environmentReadme(env) }})
		// HA clusters, most of the work and N×(N-1) each, are a job each,
		// so one large environment still uses every core.
		for _, c := range env.HAClusters {
			jobs = append(jobs, job{env, func() ([]File, error) { return haCluster(env, c) }})
		}
		for _, r := range renderers {
			jobs = append(jobs, job{env, func() ([]File, error) { return r(env) }})
		}
		jobs = append(jobs, job{env, func() ([]File, error) { return Hydrate(env, opts.Charts) }})
	}
	out := make([][]File, len(jobs))
	errs := make([]error, len(jobs))
	inParallel(len(jobs), func(i int) { out[i], errs[i] = jobs[i].run() })
	var files []File
	for i, j := range jobs {
		if errs[i] != nil {
			return nil, fmt.Errorf("environment %q: %w", j.env.Name, errs[i])
		}
		files = append(files, out[i]...)
	}
	slices.SortFunc(files, func(a, b File) int { return cmp.Compare(a.Path, b.Path) })
	return files, nil
}

// renderers are the output kinds of one environment that RenderWith runs
// as they are, each a pure function, after the README and the HA clusters
// and before Hydrate: the order a serial render had.
var renderers = []func(*inventory.Environment) ([]File, error){
	Prometheus,
	Helm,
	ArgoCD,
	K8s,
	Terraform,
}

// inParallel calls do(0), …, do(n-1), at most GOMAXPROCS at a time, and
// returns when all have returned. A free goroutine takes the next job in
// index order.
func inParallel(n int, do func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(n, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				do(i)
			}
		})
	}
	wg.Wait()
}

// environmentView is what the environment README shows.
type environmentView struct {
	Name, AccountID, Region string
	HAClusters              []haSummary
	WorkloadClusters        int
	Federated               int
	Apps                    []string
	Hydrated                bool
}

type haSummary struct {
	Name, Version                string
	Nodes                        int
	SSHTunnels, GossipEncryption bool
}

// environmentReadme renders out/<env>/README.md: what the folder holds and
// how it is applied.
func environmentReadme(env *inventory.Environment) ([]File, error) {
	v := environmentView{Name: env.Name, AccountID: env.AccountID, Region: env.Region, WorkloadClusters: len(env.WorkloadClusters), Hydrated: env.GitOps.Hydrate}
	for _, c := range env.HAClusters {
		v.HAClusters = append(v.HAClusters, haSummary{c.Name, c.Version.String(), len(c.Nodes), c.SSHTunnels, c.GossipEncryption})
	}
	for _, wc := range env.WorkloadClusters {
		if wc.Federate {
			v.Federated++
		}
	}
	for _, a := range env.Apps {
		if a.Enabled {
			v.Apps = append(v.Apps, a.Name)
		}
	}
	data, err := templates.Execute("environment/README.md.tmpl", v)
	if err != nil {
		return nil, err
	}
	return []File{{Path: path.Join(env.Name, "README.md"), Mode: ModeFile, Data: data}}, nil
}
