package explain

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/mattermost/fleetgen/internal/gitout"
	"github.com/mattermost/fleetgen/render"
)

// FromDrift gathers the changes between out/ on disk and the rendered
// files from a check's drift: the files a render would add, change and
// remove. envs are the environments rendered (nil: all); out/'s
// environments outside them are not compared.
func FromDrift(outDir string, drift *render.Drift, files []render.File, envs []string) (Trees, error) {
	t := Trees{OutDir: outDir, New: envsOf(files)}
	rendered := make(map[string][]byte, len(files))
	for _, f := range files {
		rendered[f.Path] = f.Data
	}
	root, err := os.OpenRoot(outDir)
	if errors.Is(err, fs.ErrNotExist) {
		root = nil // no out/ yet: every file is new
	} else if err != nil {
		return t, err
	}
	// An environment of out/ on disk is part of the old tree when it is
	// rendered now or has drift (files a render would remove): a folder
	// of hand-written files only is none of fleetgen's business.
	drifted := map[string]bool{}
	for _, fd := range drift.Files() {
		drifted[render.Locate(fd.Path).Env] = true
	}
	if root != nil {
		defer root.Close()
		entries, err := fs.ReadDir(root.FS(), ".")
		if err != nil {
			return t, err
		}
		for _, e := range entries {
			name := e.Name()
			if e.IsDir() && (slices.Contains(t.New, name) || drifted[name]) && (len(envs) == 0 || slices.Contains(envs, name)) {
				t.Old = append(t.Old, name)
			}
		}
	}
	for _, fd := range drift.Files() {
		if render.Locate(fd.Path).Env == "" {
			continue
		}
		c := Change{Path: fd.Path}
		c.New, c.NewExists = rendered[fd.Path]
		if fd.Kind != render.DriftMissing && root != nil {
			if info, err := root.Lstat(fd.Path); err == nil && info.Mode().IsRegular() {
				if c.Old, err = root.ReadFile(fd.Path); err != nil {
					return t, err
				}
				c.OldExists = true
			}
		}
		t.Changes = append(t.Changes, c)
	}
	return t, nil
}

// FromGit gathers the changes between out/ at ref and the rendered files.
// It compares git's blob ids with the rendered bytes' and reads only the
// blobs that differ. dir is a folder of the repository, outDir is out/
// relative to it; envs as for FromDrift.
func FromGit(ctx context.Context, dir, outDir, ref string, files []render.File, envs []string) (Trees, error) {
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
		env := render.Locate(p).Env
		return env != "" && (len(envs) == 0 || slices.Contains(envs, env))
	}
	old := map[string]bool{}
	for p := range blobs {
		if inScope(p) {
			old[render.Locate(p).Env] = true
		}
	}
	for env := range old {
		t.Old = append(t.Old, env)
	}
	slices.Sort(t.Old)
	var read []string
	rendered := map[string]bool{}
	for _, f := range files {
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

func envsOf(files []render.File) []string {
	var envs []string
	for _, f := range files {
		if env := render.Locate(f.Path).Env; env != "" && !slices.Contains(envs, env) {
			envs = append(envs, env)
		}
	}
	slices.Sort(envs)
	return envs
}
