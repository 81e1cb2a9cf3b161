package outdir

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mattermost/fleetgen/render/layout"
)

// byEnv gives files to p environment by environment, as a render does,
// and returns, in the order of files, what p gave back.
func byEnv(p *Prefetcher, files []layout.File) []layout.File {
	envs := map[string][]layout.File{}
	for _, f := range files {
		envs[envOf(f.Path)] = append(envs[envOf(f.Path)], f)
	}
	back := map[string]layout.File{}
	for _, env := range envs {
		for _, f := range p.Add(env) {
			back[f.Path] = f
		}
	}
	out := make([]layout.File, len(files))
	for i, f := range files {
		out[i] = back[f.Path]
	}
	return out
}

func mustPrefetch(t *testing.T, out string, write bool) *Prefetcher {
	t.Helper()
	p, err := Prefetch(out, write)
	if err != nil {
		t.Fatal(err)
	}
	if p == nil {
		t.Fatal("Prefetch of an existing out/ gave nil")
	}
	return p
}

// TestPrefetchedCheckAndWriteDecideAlike: with out/ read ahead, Check
// reports exactly the drift it reports without, every kind of it, and
// Write refuses, then writes, exactly as it does without.
func TestPrefetchedCheckAndWriteDecideAlike(t *testing.T) {
	plain, ahead := t.TempDir(), t.TempDir()
	files := driftedFiles(t, plain)
	driftedFiles(t, ahead)
	// The same drift, but for the folder each report names.
	inPlain := func(d *Drift) []FileDrift {
		all := d.Files()
		for i := range all {
			all[i].Diff = strings.ReplaceAll(all[i].Diff, d.OutDir, plain)
		}
		return all
	}
	want := mustCheck(t, plain, files, CheckOptions{})
	p := mustPrefetch(t, ahead, false)
	got := mustCheck(t, ahead, byEnv(p, files), CheckOptions{Prefetched: p})
	p.Close()
	if diff := cmp.Diff(inPlain(want), inPlain(got)); diff != "" || want.Clean() {
		t.Errorf("prefetched Check differs (-without +with):\n%s", diff)
	}

	write := func(out string, prefetch bool) (*WriteReport, error) {
		opts := WriteOptions{Force: true}
		given := files
		if prefetch {
			p := mustPrefetch(t, out, true)
			defer p.Close()
			given = byEnv(p, files)
			opts.Prefetched = p
		}
		return Write(out, given, opts)
	}
	_, werr := write(plain, false)
	_, gerr := write(ahead, true)
	if werr == nil || gerr == nil || strings.ReplaceAll(gerr.Error(), ahead, plain) != werr.Error() {
		t.Errorf("Write over a hand-written file: %v without a read ahead, %v with", werr, gerr)
	}
	for _, out := range []string{plain, ahead} { // the hand-written file is the one conflict
		if err := os.Remove(filepath.Join(out, "staging/notes.md")); err != nil {
			t.Fatal(err)
		}
	}
	wantReport, werr := write(plain, false)
	gotReport, gerr := write(ahead, true)
	if werr != nil || gerr != nil {
		t.Fatalf("Write: %v without a read ahead, %v with", werr, gerr)
	}
	if diff := cmp.Diff(wantReport, gotReport); diff != "" {
		t.Errorf("prefetched Write differs (-without +with):\n%s", diff)
	}
	if diff := cmp.Diff(contents(t, plain), contents(t, ahead)); diff != "" {
		t.Errorf("trees differ after the writes (-without +with):\n%s", diff)
	}
}

// contents is snapshot without modification times.
func contents(t *testing.T, dir string) map[string]node {
	tree := snapshot(t, dir)
	for p, n := range tree {
		tree[p] = node{Mode: n.Mode, Data: n.Data}
	}
	return tree
}

// TestPrefetchRereadsWhatRenderedOtherwise: a path whose rendered content
// is not the one the Prefetcher compared is read again, so a stale read
// ahead can neither hide drift nor invent it.
func TestPrefetchRereadsWhatRenderedOtherwise(t *testing.T) {
	out := t.TempDir()
	mustWrite(t, out, sampleFiles(), WriteOptions{})
	p := mustPrefetch(t, out, false)
	defer p.Close()
	byEnv(p, replaced(sampleFiles(), "prod/README.md", "# other\n")) // compared with other bytes
	d := mustCheck(t, out, sampleFiles(), CheckOptions{Prefetched: p})
	if !d.Clean() {
		t.Errorf("drift from a stale read ahead: %+v", d.Files())
	}

	q := mustPrefetch(t, out, false)
	defer q.Close()
	byEnv(q, sampleFiles())
	next := replaced(sampleFiles(), "prod/README.md", "# v2\n")
	d = mustCheck(t, out, next, CheckOptions{Prefetched: q})
	if got := d.Files(); len(got) != 2 || got[1].Path != "prod/README.md" || got[1].Kind != DriftChanged {
		t.Errorf("Check after a read ahead of the old render = %+v, want prod/README.md modified (and the manifest)", got)
	}
}

// TestPrefetchHoldsTheLock: from Prefetch on, out/ is locked as the
// operation it serves would lock it, and only a write's Prefetcher serves
// a Write.
func TestPrefetchHoldsTheLock(t *testing.T) {
	out := t.TempDir()
	mustWrite(t, out, sampleFiles(), WriteOptions{})
	w := mustPrefetch(t, out, true)
	var locked *lockedError
	if _, err := Write(out, sampleFiles(), WriteOptions{}); !errors.As(err, &locked) {
		t.Errorf("Write while a render's Prefetcher is open: %v, want a *lockedError", err)
	}
	if _, err := Prefetch(out, false); !errors.As(err, &locked) {
		t.Errorf("check's Prefetch while a render's is open: %v, want a *lockedError", err)
	}
	w.Close()

	c := mustPrefetch(t, out, false)
	defer c.Close()
	if _, err := Write(out, sampleFiles(), WriteOptions{}); !errors.As(err, &locked) {
		t.Errorf("Write while a check's Prefetcher is open: %v, want a *lockedError", err)
	}
	if _, err := Write(out, sampleFiles(), WriteOptions{Prefetched: c}); !errors.Is(err, errPrefetchMode) {
		t.Errorf("Write with a check's Prefetcher: %v, want %v", err, errPrefetchMode)
	}
	mustCheck(t, out, sampleFiles(), CheckOptions{}) // checks share the lock
}

// TestPrefetchOfNoOutDir: before the first render a check has nothing to
// read ahead (a nil Prefetcher, usable); a render's Prefetcher makes out/
// and stages every file, and when no Write finishes, Close leaves no
// trace: no out/ at all.
func TestPrefetchOfNoOutDir(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	p, err := Prefetch(out, false)
	if p != nil || err != nil {
		t.Fatalf("check's Prefetch of a missing out/ = %v, %v; want nil, nil", p, err)
	}
	p.Add(sampleFiles())
	p.Close()
	if d := mustCheck(t, out, sampleFiles(), CheckOptions{Prefetched: nil}); d.Clean() {
		t.Error("a missing out/ checked clean")
	}

	w := mustPrefetch(t, out, true)
	for _, f := range byEnv(w, sampleFiles()) {
		if _, whole := f.Content(); whole {
			t.Errorf("%s: not staged", f.Path)
		}
	}
	w.Close() // no Write: the render stopped
	if _, err := os.Lstat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a render that stopped before writing left %s: %v", out, err)
	}

	w = mustPrefetch(t, out, true)
	r, err := Write(out, byEnv(w, sampleFiles()), WriteOptions{Prefetched: w})
	w.Close()
	if err != nil || len(r.Written) != len(sampleFiles()) {
		t.Fatalf("first render: %v, wrote %v", err, r)
	}
	if diff := cmp.Diff(contents(t, plainRender(t, sampleFiles())), contents(t, out)); diff != "" {
		t.Errorf("first render through staged files differs from one without (-without +with):\n%s", diff)
	}
}

// plainRender writes files to a new out/ without a Prefetcher.
func plainRender(t *testing.T, files []layout.File) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	mustWrite(t, out, files, WriteOptions{})
	return out
}

// TestStagedFilesNeverOutliveARefusal: a render whose Write refuses (a
// hand-written file in the way) leaves out/ exactly as it was: the files
// staged for it and the folders made for them are gone, the lock file
// kept; a hand-edited file stays as edited.
func TestStagedFilesNeverOutliveARefusal(t *testing.T) {
	out := t.TempDir()
	mustWrite(t, out, sampleFiles(), WriteOptions{})
	if err := os.WriteFile(filepath.Join(out, "prod/README.md"), []byte("# mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := contents(t, out) // a folder's modification time changes with its temporary files
	next := append(replaced(sampleFiles(), "prod/helm/app.values.yaml", "replicas: 3\n"),
		layout.File{Path: "prod/new/deep/er.yaml", Mode: layout.ModeFile, Data: []byte("new\n")})
	w := mustPrefetch(t, out, true)
	given := byEnv(w, next)
	staged := 0
	for _, f := range given {
		if f.Sum != nil && f.Path != "prod/ha/acme/mm1/apply.sh" {
			staged++
		}
	}
	_, err := Write(out, given, WriteOptions{Prefetched: w})
	if c := conflictsOf(t, err); len(c) != 1 || c[0].Path != "prod/README.md" {
		t.Fatalf("Write over a hand edit: %v, want one conflict at prod/README.md", err)
	}
	w.Close()
	if staged < 3 {
		t.Errorf("%d files staged, want the edited, the changed and the new one at least", staged)
	}
	if diff := cmp.Diff(before, contents(t, out)); diff != "" {
		t.Errorf("out/ changed by a refused render (-before +after):\n%s", diff)
	}
}

// TestPrefetchLetsGoOfWhatOutHolds: Add gives back without its bytes, the
// SHA-256 in their place, exactly the files out/ holds as rendered,
// content and mode; it keeps the bytes of every other file (changed, new,
// another mode), and of those Keep names. A no-op render and a check of
// what it gave back decide as they do with every byte, and the manifest
// stays byte for byte the same.
func TestPrefetchLetsGoOfWhatOutHolds(t *testing.T) {
	out := t.TempDir()
	mustWrite(t, out, sampleFiles(), WriteOptions{})
	manifestBefore := read(t, out, layout.ManifestName)
	if err := os.Chmod(filepath.Join(out, "prod/helm/app.values.yaml"), 0o600); err != nil {
		t.Fatal(err)
	}
	next := append(replaced(sampleFiles(), "prod/README.md", "# prod v2\n"), layout.File{Path: "prod/new.txt", Mode: layout.ModeFile, Data: []byte("new\n")})
	kept := map[string]bool{"prod/README.md": true, "prod/helm/app.values.yaml": true, "prod/new.txt": true}

	p := mustPrefetch(t, out, false)
	given := byEnv(p, next)
	for i, f := range given {
		data, whole := f.Content()
		switch {
		case kept[f.Path] && (!whole || !bytes.Equal(data, next[i].Data)):
			t.Errorf("%s differs from out/ but its bytes were let go", f.Path)
		case !kept[f.Path] && (whole || f.Data != nil || *f.Sum != sha256.Sum256(next[i].Data)):
			t.Errorf("%s: out/ holds it as rendered, want its bytes let go for their SHA-256; got %+v", f.Path, f)
		case f.Path != next[i].Path || f.Mode != next[i].Mode:
			t.Errorf("Add gave back %s %v for %s %v", f.Path, f.Mode, next[i].Path, next[i].Mode)
		}
	}
	got := mustCheck(t, out, given, CheckOptions{Prefetched: p})
	p.Close()
	want := mustCheck(t, out, next, CheckOptions{})
	if diff := cmp.Diff(want.Files(), got.Files()); diff != "" {
		t.Errorf("check of the files given back differs (-every byte +given back):\n%s", diff)
	}

	k := mustPrefetch(t, out, false)
	k.Keep(func(string, []byte) bool { return true })
	for _, f := range byEnv(k, next) {
		if _, whole := f.Content(); !whole {
			t.Errorf("%s let go with Keep", f.Path)
		}
	}
	k.Close()
	// Keep names one file out/ holds as rendered: that one keeps its
	// bytes, the other unchanged files still let theirs go.
	var unchanged []string
	for _, f := range next {
		if !kept[f.Path] {
			unchanged = append(unchanged, f.Path)
		}
	}
	one := unchanged[0]
	k = mustPrefetch(t, out, false)
	k.Keep(func(path string, data []byte) bool { return path == one })
	for _, f := range byEnv(k, next) {
		_, whole := f.Content()
		if want := kept[f.Path] || f.Path == one; whole != want {
			t.Errorf("%s with Keep naming %s: bytes kept %v, want %v", f.Path, one, whole, want)
		}
	}
	k.Close()

	if err := os.Chmod(filepath.Join(out, "prod/helm/app.values.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	w := mustPrefetch(t, out, true)
	r, err := Write(out, byEnv(w, sampleFiles()), WriteOptions{Prefetched: w})
	w.Close()
	if err != nil || len(r.Written) != 0 || len(r.Unchanged) != len(sampleFiles()) {
		t.Fatalf("no-op render of what was given back: %v, %+v", err, r)
	}
	if got := read(t, out, layout.ManifestName); got != manifestBefore {
		t.Errorf("the manifest changed in a no-op render:\n%s\nwant\n%s", got, manifestBefore)
	}
}

// TestPrefetchAddsAtOnce: environments finish rendering on several cores,
// so Add runs concurrently (make race runs this under the race detector):
// staging for a render and reading for a check give what one Add at a time
// gives.
func TestPrefetchAddsAtOnce(t *testing.T) {
	var files []layout.File
	for e := range 8 {
		for f := range 20 {
			files = append(files, layout.File{Path: fmt.Sprintf("env%d/ha/c%d/mm%d/apply.sh", e, f%4, f), Mode: layout.ModeScript, Data: fmt.Appendf(nil, "#!/bin/sh\necho %d %d\n", e, f)})
		}
	}
	atOnce := func(p *Prefetcher, files []layout.File) []layout.File {
		envs := map[string][]layout.File{}
		for _, f := range files {
			envs[envOf(f.Path)] = append(envs[envOf(f.Path)], f)
		}
		var mu sync.Mutex
		var wg sync.WaitGroup
		var back []layout.File
		for _, env := range envs {
			wg.Go(func() {
				given := p.Add(env)
				mu.Lock()
				back = append(back, given...)
				mu.Unlock()
			})
		}
		wg.Wait()
		slices.SortFunc(back, func(a, b layout.File) int { return strings.Compare(a.Path, b.Path) })
		return back
	}
	out := filepath.Join(t.TempDir(), "out")
	w := mustPrefetch(t, out, true)
	r, err := Write(out, atOnce(w, files), WriteOptions{Prefetched: w})
	w.Close()
	if err != nil || len(r.Written) != len(files) {
		t.Fatalf("first render, environments staged at once: %v, %+v", err, r)
	}
	if diff := cmp.Diff(contents(t, plainRender(t, files)), contents(t, out)); diff != "" {
		t.Errorf("tree differs from one written without staging (-without +with):\n%s", diff)
	}
	next := replaced(files, "env3/ha/c1/mm5/apply.sh", "#!/bin/sh\necho changed\n")
	c := mustPrefetch(t, out, false)
	d := mustCheck(t, out, atOnce(c, next), CheckOptions{Prefetched: c})
	c.Close()
	if got := d.Files(); len(got) != 2 || got[1].Path != "env3/ha/c1/mm5/apply.sh" {
		t.Errorf("check, environments read at once: drift %+v, want the one changed file (and the manifest)", got)
	}
}
