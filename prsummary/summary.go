package prsummary

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mattermost/fleetgen/affected"
	"github.com/mattermost/fleetgen/internal/gitout"
	"github.com/mattermost/fleetgen/render/layout"
)

// Options say which change to summarize.
type Options struct {
	Dir    string // a folder of the repository
	OutDir string // out/, relative to Dir
	Base   string // the pull request's base commit
	Head   string // its head
	// Plans holds <env>/<layer>.json (terraform show -json of the plan)
	// or <env>/<layer>.unavailable (why there is none), as the workflow
	// writes them; "" when no plan was made.
	Plans string
}

// A Summary is what the merge will do, per environment.
type Summary struct {
	Base, Head   string
	Environments []Environment
}

// An Environment is one environment's share.
type Environment struct {
	Name      string
	Added     bool // it has no files at the base
	Terraform []Layer
	Apps      []App
	HA        []affected.HACluster
	Removed   []affected.Removed
}

// A Layer is a Terraform layer the apply workflow will apply.
type Layer struct {
	Name    string
	Changed bool // its files changed; otherwise it is applied after one that did
	Plan    Plan
}

// An App is an Argo CD Application whose rendered objects change.
type App struct {
	Name    string
	What    []string // "values", "Application", "objects", "configuration"
	Objects []string // for hydrated apps: "+ Deployment ns/name", "~ …", "- …"
}

// Build reads the change from git and the plans from o.Plans.
func Build(ctx context.Context, o Options) (*Summary, error) {
	rep, err := affected.Compute(ctx, affected.Options{Dir: o.Dir, OutDir: o.OutDir, Base: o.Base, Head: o.Head})
	if err != nil {
		return nil, err
	}
	repo, err := gitout.Open(ctx, o.Dir, o.OutDir)
	if err != nil {
		return nil, err
	}
	s := &Summary{Base: rep.Base, Head: rep.Head}
	envs := map[string]*Environment{}
	env := func(name string) *Environment {
		if envs[name] == nil {
			envs[name] = &Environment{Name: name, Added: slices.Contains(rep.Added, name)}
		}
		return envs[name]
	}
	for _, t := range rep.Terraform {
		e := env(t.Env)
		for _, l := range t.Apply {
			plan, err := readPlan(o.Plans, t.Env, l)
			if err != nil {
				return nil, err
			}
			e.Terraform = append(e.Terraform, Layer{Name: l, Changed: slices.Contains(t.Layers, l), Plan: plan})
		}
	}
	for _, a := range rep.ArgoCD {
		apps, err := applications(ctx, repo, rep.Base, rep.Head, a.Files)
		if err != nil {
			return nil, err
		}
		env(a.Env).Apps = apps
	}
	for _, h := range rep.HA {
		e := env(h.Env)
		e.HA = append(e.HA, h)
	}
	for _, r := range rep.Removed {
		e := env(r.Env)
		e.Removed = append(e.Removed, r)
	}
	for _, name := range slices.Sorted(maps.Keys(envs)) {
		s.Environments = append(s.Environments, *envs[name])
	}
	return s, nil
}

// readPlan reads the plan the workflow made of a layer, or why it made
// none.
func readPlan(dir, env, layer string) (Plan, error) {
	if dir == "" {
		return Plan{Unavailable: "no plan was made (run without --plans)"}, nil
	}
	base := filepath.Join(dir, env, layer)
	if data, err := os.ReadFile(base + ".json"); err == nil {
		p, err := ReadPlan(data)
		if err != nil {
			return Plan{}, fmt.Errorf("%s.json: %w", base, err)
		}
		return p, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return Plan{}, err
	}
	reason, err := os.ReadFile(base + ".unavailable")
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return Plan{Unavailable: "the workflow made no plan of this layer"}, nil
	case err != nil:
		return Plan{}, err
	}
	return Plan{Unavailable: strings.TrimSpace(string(reason))}, nil
}

// applications groups the changed files Argo CD syncs by the Application
// that deploys them; a hydrated app's manifests are compared object by
// object.
func applications(ctx context.Context, repo *gitout.Repo, base, head string, files []string) ([]App, error) {
	apps := map[string]*App{}
	app := func(name, what string) *App {
		if apps[name] == nil {
			apps[name] = &App{Name: name}
		}
		a := apps[name]
		if !slices.Contains(a.What, what) {
			a.What = append(a.What, what)
		}
		return a
	}
	for _, f := range files {
		rel := strings.TrimPrefix(f, repo.OutPath+"/")
		parts := strings.Split(rel, "/")
		if len(parts) < 3 {
			continue
		}
		folder, name := parts[1], strings.TrimSuffix(parts[2], ".yaml")
		switch {
		case folder == "argocd" && parts[2] == layout.Kustomization:
			app("(root)", "the list of Applications")
		case folder == "argocd":
			app(name, "Application")
		case folder == "helm":
			app(strings.TrimSuffix(parts[2], ".values.yaml"), "values")
		case folder == "k8s":
			app("fleetgen-k8s", "objects")
		case folder == "manifests":
			a := app(name, "objects")
			objs, err := objectChanges(ctx, repo, base, head, rel)
			if err != nil {
				return nil, err
			}
			a.Objects = append(a.Objects, objs...)
		default:
			app(folder, "configuration")
		}
	}
	var out []App
	for _, name := range slices.Sorted(maps.Keys(apps)) {
		a := apps[name]
		slices.Sort(a.Objects)
		out = append(out, *a)
	}
	return out, nil
}

// objectChanges compares the Kubernetes objects of one file at base and
// head: added (+), changed (~) and removed (-), by kind, namespace and name.
func objectChanges(ctx context.Context, repo *gitout.Repo, base, head, rel string) ([]string, error) {
	read := func(commit string) (map[string]string, error) {
		if commit == "" {
			return nil, nil
		}
		data, err := repo.Read(ctx, commit, rel)
		if err != nil {
			return nil, nil // not in this commit
		}
		return objects(data), nil
	}
	before, err := read(base)
	if err != nil {
		return nil, err
	}
	after, err := read(head)
	if err != nil {
		return nil, err
	}
	var out []string
	for k, v := range after {
		switch old, ok := before[k]; {
		case !ok:
			out = append(out, "+ "+k)
		case old != v:
			out = append(out, "~ "+k)
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			out = append(out, "- "+k)
		}
	}
	return out, nil
}

// objects reads the YAML documents of a manifest file, keyed "Kind
// namespace/name", each re-encoded so that only content compares.
func objects(data []byte) map[string]string {
	out := map[string]string{}
	d := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc map[string]any
		if err := d.Decode(&doc); err != nil {
			if err != io.EOF {
				out["(unreadable YAML)"] = string(data)
			}
			return out
		}
		if doc == nil {
			continue
		}
		meta, _ := doc["metadata"].(map[string]any)
		kind, _ := doc["kind"].(string)
		name, _ := meta["name"].(string)
		ns, _ := meta["namespace"].(string)
		enc, _ := yaml.Marshal(doc)
		out[fmt.Sprintf("%s %s", kind, path.Join(ns, name))] = string(enc)
	}
}
