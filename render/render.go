package render

import (
	"cmp"
	"fmt"
	"path"
	"slices"

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
func RenderWith(inv *inventory.Inventory, opts Options) ([]File, error) {
	var files []File
	for _, env := range inv.Environments {
		envFiles, err := renderEnvironment(env, opts)
		if err != nil {
			return nil, fmt.Errorf("environment %q: %w", env.Name, err)
		}
		files = append(files, envFiles...)
	}
	slices.SortFunc(files, func(a, b File) int { return cmp.Compare(a.Path, b.Path) })
	return files, nil
}

// renderers are the output kinds of one environment, each a pure function.
var renderers = []func(*inventory.Environment) ([]File, error){
	environmentReadme,
	HA,
	Prometheus,
	Helm,
	ArgoCD,
	K8s,
	Terraform,
}

func renderEnvironment(env *inventory.Environment, opts Options) ([]File, error) {
	var files []File
	for _, r := range renderers {
		out, err := r(env)
		if err != nil {
			return nil, err
		}
		files = append(files, out...)
	}
	hydrated, err := Hydrate(env, opts.Charts)
	if err != nil {
		return nil, err
	}
	return append(files, hydrated...), nil
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
