package explain

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/mattermost/fleetgen/internal/gitout"
	"github.com/mattermost/fleetgen/render/layout"
	"github.com/mattermost/fleetgen/render/outdir"
)

// FromDrift gathers the changes between out/ on disk and the rendered
// files from a check's drift: the files a render would add, change and
// remove, with what out/ held, as the check read it under its lock. envs
// are the environments rendered (nil: all); out/'s environments outside
// them are not compared.
func FromDrift(outDir string, drift *outdir.Drift, files []layout.File, envs []string) Trees {
	t := Trees{OutDir: outDir, New: envsOf(files)}
	rendered := make(map[string][]byte, len(files))
	for _, f := range files {
		rendered[f.Path] = f.Data
	}
	// An environment of out/ on disk is part of the old tree when it is
	// rendered now or has drift (files a render would remove): a folder
	// of hand-written files only is none of fleetgen's business.
	drifted := map[string]bool{}
	for _, fd := range drift.Files() {
		drifted[layout.Locate(fd.Path).Env] = true
	}
	for _, name := range drift.Folders {
		if (slices.Contains(t.New, name) || drifted[name]) && (len(envs) == 0 || slices.Contains(envs, name)) {
			t.Old = append(t.Old, name)
		}
	}
	for _, fd := range drift.Files() {
		if layout.Locate(fd.Path).Env == "" {
			continue
		}
		c := Change{Path: fd.Path, Old: fd.Old, OldExists: fd.OldExists}
		c.New, c.NewExists = rendered[fd.Path]
		t.Changes = append(t.Changes, c)
	}
	return t
}

// FromGit gathers the changes between out/ at ref and the rendered files.
// It compares git's blob ids with the rendered bytes' and reads only the
// blobs that differ. dir is a folder of the repository, outDir is out/
// relative to it; envs as for FromDrift.
func FromGit(ctx context.Context, dir, outDir, ref string, files []layout.File, envs []string) (Trees, error) {
	t := Trees{OutDir: outDir, Against: ref, New: envsOf(files)}
	// The report names the ref as given; the commit it resolved to is
	// what was read.
	r, err := gitout.Open(ctx, dir, outDir)
	if err != nil {
		return t, err
	}
	commit, err := r.Commit(ctx, "--against", ref)
	if err != nil {
		return t, err
	}
	blobs, err := r.Blobs(ctx, commit)
	if err != nil {
		return t, err
	}
	hash, err := r.Hash(ctx)
	if err != nil {
		return t, err
	}
	inScope := func(p string) bool {
		env := layout.Locate(p).Env
		return env != "" && (len(envs) == 0 || slices.Contains(envs, env))
	}
	old := map[string]bool{}
	for p := range blobs {
		if inScope(p) {
			old[layout.Locate(p).Env] = true
		}
	}
	for env := range old {
		t.Old = append(t.Old, env)
	}
	slices.Sort(t.Old)
	var read []string
	rendered := map[string]bool{}
	for _, f := range files {
		if _, ok := f.Content(); !ok {
			return Trees{}, fmt.Errorf("explain: %s was checked with its bytes let go (action.Check.KeepData)", f.Path)
		}
		rendered[f.Path] = true
		b, ok := blobs[f.Path]
		if ok && b.ID == hash(f.Data) {
			continue
		}
		t.Changes = append(t.Changes, Change{Path: f.Path, New: f.Data, NewExists: true, OldExists: ok})
		if ok {
			read = append(read, f.Path)
		}
	}
	for p := range blobs {
		if !rendered[p] && inScope(p) {
			t.Changes = append(t.Changes, Change{Path: p, OldExists: true})
			read = append(read, p)
		}
	}
	slices.SortFunc(t.Changes, func(a, b Change) int { return strings.Compare(a.Path, b.Path) })
	slices.Sort(read)
	data, err := r.ReadAll(ctx, commit, read)
	if err != nil {
		return t, err
	}
	for i := range t.Changes {
		if t.Changes[i].OldExists {
			t.Changes[i].Old = data[t.Changes[i].Path]
		}
	}
	return t, nil
}

func envsOf(files []layout.File) []string {
	var envs []string
	for _, f := range files {
		if env := layout.Locate(f.Path).Env; env != "" && !slices.Contains(envs, env) {
			envs = append(envs, env)
		}
	}
	slices.Sort(envs)
	return envs
}
