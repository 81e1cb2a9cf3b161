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
// relative to it; envs as for FromDrift. Every file must hold its bytes.
func FromGit(ctx context.Context, dir, outDir, ref string, files []layout.File, envs []string) (Trees, error) {
	base, err := OpenGitBase(ctx, dir, outDir, ref)
	if err != nil {
		return Trees{OutDir: outDir, Against: ref, New: envsOf(files)}, err
	}
	return base.Trees(ctx, files, envs)
}

// A GitBase is out/ at a git commit, the old side of an explanation
// against git. Opened before a check renders, it lets the check drop the
// bytes of every rendered file the commit already holds as it is
// (Changed): an explanation needs only the others'.
type GitBase struct {
	repo   *gitout.Repo
	outDir string
	ref    string // as given
	commit string // what ref resolved to
	blobs  map[string]gitout.Blob
	hash   func([]byte) string
}

// OpenGitBase reads which files out/ holds at ref, and their blob ids.
// dir is a folder of the repository, outDir is out/ relative to it.
func OpenGitBase(ctx context.Context, dir, outDir, ref string) (*GitBase, error) {
	r, err := gitout.Open(ctx, dir, outDir)
	if err != nil {
		return nil, err
	}
	commit, err := r.Commit(ctx, "--against", ref)
	if err != nil {
		return nil, err
	}
	blobs, err := r.Blobs(ctx, commit)
	if err != nil {
		return nil, err
	}
	hash, err := r.Hash(ctx)
	if err != nil {
		return nil, err
	}
	return &GitBase{repo: r, outDir: outDir, ref: ref, commit: commit, blobs: blobs, hash: hash}, nil
}

// Changed reports whether the commit does not hold the file at path (out/
// relative) with exactly data: those are the files whose bytes Trees
// needs. It may be called from several goroutines at once.
func (b *GitBase) Changed(path string, data []byte) bool {
	blob, ok := b.blobs[path]
	return !ok || blob.ID != b.hash(data)
}

// Trees gathers the changes between out/ at the commit and the rendered
// files, reading only the blobs that differ; envs as for FromDrift. A file
// without its bytes (layout.File.Sum) must be one Changed said the commit
// holds as it is.
func (b *GitBase) Trees(ctx context.Context, files []layout.File, envs []string) (Trees, error) {
	t := Trees{OutDir: b.outDir, Against: b.ref, New: envsOf(files)}
	inScope := func(p string) bool {
		env := layout.Locate(p).Env
		return env != "" && (len(envs) == 0 || slices.Contains(envs, env))
	}
	old := map[string]bool{}
	for p := range b.blobs {
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
		rendered[f.Path] = true
		data, whole := f.Content()
		_, inCommit := b.blobs[f.Path]
		switch {
		case !whole && !inCommit:
			return Trees{}, fmt.Errorf("explain: %s, which %s does not hold, was checked with its bytes let go (action.Check.Keep)", f.Path, b.ref)
		case !whole || !b.Changed(f.Path, data):
			continue
		}
		t.Changes = append(t.Changes, Change{Path: f.Path, New: data, NewExists: true, OldExists: inCommit})
		if inCommit {
			read = append(read, f.Path)
		}
	}
	for p := range b.blobs {
		if !rendered[p] && inScope(p) {
			t.Changes = append(t.Changes, Change{Path: p, OldExists: true})
			read = append(read, p)
		}
	}
	slices.SortFunc(t.Changes, func(a, b Change) int { return strings.Compare(a.Path, b.Path) })
	slices.Sort(read)
	data, err := b.repo.ReadAll(ctx, b.commit, read)
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
