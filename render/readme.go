package render

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/layout"
	"github.com/mattermost/fleetgen/templates"
)

// environmentView is what the environment README shows.
type environmentView struct {
	Name, AccountID, Region string
	HAClusters              []haSummary
	WorkloadClusters        int
	Federated               int
	Apps                    []string
	Hydrated                bool
	// CentralPrometheus: out/<env>/prometheus/ exists; Alerting: with
	// alertmanager.yml.
	CentralPrometheus, Alerting bool
	// Provisioner is the provisioner's image, or "" without one.
	Provisioner string
	// Utilities: out/<env>/utilities is rendered (log shipping values).
	Utilities bool
	HAOnly    bool // HA clusters alone: no C&C side
}

type haSummary struct {
	Name, Version                string
	Nodes                        int
	SSHTunnels, GossipEncryption bool
}

// environmentReadme renders out/<env>/README.md: what the folder holds and
// how it is applied.
func environmentReadme(env *inventory.Environment) ([]layout.File, hcl.Diagnostics) {
	v := environmentView{Name: env.Name, AccountID: env.AccountID, Region: env.Region, WorkloadClusters: len(env.WorkloadClusters), Hydrated: env.GitOps.Hydrate, HAOnly: env.HAOnly}
	if p := env.EnabledApp("prometheus"); p != nil && p.Chart == "prometheus" {
		v.CentralPrometheus, v.Alerting = true, env.Alerting != nil
	}
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
	if p := env.Provisioner; p != nil {
		v.Provisioner = p.Image + ":" + p.Tag
		es := env.EnabledApp("elasticsearch")
		v.Utilities = es != nil && env.HostName(es) != ""
	}
	data, err := templates.Execute("environment/README.md.tmpl", v)
	if err != nil {
		panic(err) // the embedded template fails on our own view: a bug
	}
	return []layout.File{{Path: layout.EnvReadme(env.Name), Mode: layout.ModeFile, Data: data}}, nil
}
