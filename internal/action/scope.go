package action

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mattermost/fleetgen/internal/gitout"
	"github.com/mattermost/fleetgen/render/layout"
	"github.com/mattermost/fleetgen/render/outdir"
)

// A Scope is what a check since a commit renders and compares.
type Scope struct {
	// All: a change outside the inventory folder and out/ (fleetgen
	// itself, its templates, the chart cache, anything) may change any
	// render, so every environment is checked.
	All bool
	// Envs are otherwise the environments whose inventory folder or
	// folder of out/ changed, or whose manifest entries did, sorted;
	// none when nothing changed.
	Envs []string
	// Commit is what the ref given resolved to.
	Commit string
}

// ChangedSince is the Scope of a check of the working tree against ref, a
// commit of the git repository holding dir (the folder the config's
// folders are relative to) whose out/ is what its inventory renders (CI
// checks every commit of the main branch in full). An environment
// neither of whose folders changed since, nor its entries in the
// manifest, renders and compares as it did at ref.
func (c *Config) ChangedSince(ctx context.Context, dir, ref string) (Scope, error) {
	r, err := gitout.Open(ctx, dir, c.OutDir)
	if err != nil {
		return Scope{}, err
	}
	invPath, err := r.Path("--inventory", c.InventoryDir)
	if err != nil {
		return Scope{}, err
	}
	commit, err := r.Commit(ctx, "--changed-since", ref)
	if err != nil {
		return Scope{}, err
	}
	changed, err := r.ChangedSince(ctx, commit)
	if err != nil {
		return Scope{}, err
	}
	all := Scope{All: true, Commit: commit}
	var envs []string
	manifest := false
	for _, p := range changed {
		var env string
		if rest, ok := strings.CutPrefix(p, invPath+"/"); ok && strings.Contains(rest, "/") {
			env, _, _ = strings.Cut(rest, "/")
		} else if rest, ok := strings.CutPrefix(p, r.OutPath+"/"); ok {
			switch {
			case rest == layout.LockName:
				continue // fleetgen's lock, whatever git makes of it
			case rest == layout.ManifestName:
				manifest = true
				continue
			case strings.Contains(rest, "/"):
				env, _, _ = strings.Cut(rest, "/")
			default:
				return all, nil // another file of out/ itself
			}
		} else {
			return all, nil
		}
		envs = append(envs, env)
	}
	if manifest {
		old, err := r.Read(ctx, commit, layout.ManifestName)
		if err != nil {
			return all, nil // none at ref
		}
		out := c.OutDir
		if !filepath.IsAbs(out) {
			out = filepath.Join(dir, out)
		}
		cur, err := os.ReadFile(filepath.Join(out, layout.ManifestName))
		if errors.Is(err, fs.ErrNotExist) {
			return all, nil
		}
		if err != nil {
			return Scope{}, err
		}
		differ, err := outdir.ManifestChanges(old, cur)
		if err != nil || slices.Contains(differ, "") {
			return all, nil // a manifest the check itself refuses, or an entry outside every environment
		}
		envs = append(envs, differ...)
	}
	slices.Sort(envs)
	return Scope{Envs: slices.Compact(envs), Commit: commit}, nil
}
