package outdir

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/mattermost/fleetgen/render/layout"
)

func mustCheck(t *testing.T, out string, files []layout.File, opts CheckOptions) *Drift {
	t.Helper()
	d, err := Check(out, files, opts)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	return d
}

// driftedFiles renders out with sampleFiles, then returns a render that
// differs from it in every way Check reports, after a hand edit or two:
//
//	modified  prod/README.md            content changed
//	modified  prod/ha/acme/mm1/apply.sh hand-edited and lost its x bit
//	modified  staging/notes.md          hand-written, now rendered differently
//	missing   prod/new.md               newly rendered
//	orphaned  prod/helm/app.values.yaml no longer rendered
//	modified  .fleetgen-manifest.json   lists the new set
func driftedFiles(t *testing.T, out string) []layout.File {
	t.Helper()
	mustWrite(t, out, sampleFiles(), WriteOptions{})
	put(t, out, "prod/ha/acme/mm1/apply.sh", "#!/bin/sh\necho mm1 # by hand\n")
	if err := os.Chmod(filepath.Join(out, "prod/ha/acme/mm1/apply.sh"), 0o644); err != nil {
		t.Fatal(err)
	}
	put(t, out, "staging/notes.md", "mine\n")
	put(t, out, "staging/ignored.md", "not rendered, not owned: not drift\n")
	files := replaced(sampleFiles(), "prod/README.md", "# prod\n\nNow with a second paragraph.\n")
	files = without(files, "prod/helm/app.values.yaml")
	return append(files,
		layout.File{Path: "prod/new.md", Mode: layout.ModeFile, Data: []byte("new\n")},
		layout.File{Path: "staging/notes.md", Mode: layout.ModeFile, Data: []byte("rendered\n")},
	)
}

func TestCheckCleanTree(t *testing.T) {
	out := t.TempDir()
	mustWrite(t, out, sampleFiles(), WriteOptions{})
	put(t, out, "prod/NOTES.md", "hand-written, not rendered: not drift\n")
	d := mustCheck(t, out, sampleFiles(), CheckOptions{})
	if !d.Clean() {
		t.Errorf("Check found drift in a freshly written tree: %+v", d.Files())
	}
}

func TestCheckReportsModifiedMissingOrphaned(t *testing.T) {
	out := t.TempDir()
	files := driftedFiles(t, out)
	d := mustCheck(t, out, files, CheckOptions{})

	if d.Clean() {
		t.Fatal("Clean() = true")
	}
	type summary struct {
		Path  string
		Kind  DriftKind
		Notes []string
	}
	var got []summary
	for _, fd := range d.Files() {
		got = append(got, summary{fd.Path, fd.Kind, fd.Notes})
	}
	want := []summary{
		{Path: layout.ManifestName, Kind: DriftChanged},
		{Path: "prod/README.md", Kind: DriftChanged},
		{Path: "prod/ha/acme/mm1/apply.sh", Kind: DriftChanged, Notes: []string{"edited by hand since fleetgen wrote it", "mode 0644 → 0755"}},
		{Path: "prod/helm/app.values.yaml", Kind: DriftOrphaned},
		{Path: "prod/new.md", Kind: DriftMissing},
		{Path: "staging/notes.md", Kind: DriftChanged, Notes: []string{"not written by fleetgen"}},
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("drift (-want +got):\n%s", diff)
	}

	readme := d.envs[1].Changed[0]
	wantDiff := "--- a/" + filepath.ToSlash(out)[1:] + "/prod/README.md\n" +
		"+++ b/" + filepath.ToSlash(out)[1:] + "/prod/README.md\n" +
		"@@ -1 +1,3 @@\n" +
		" # prod\n" +
		"+\n" +
		"+Now with a second paragraph.\n"
	if readme.Path != "prod/README.md" || readme.Diff != wantDiff {
		t.Errorf("README diff =\n%s\nwant\n%s", readme.Diff, wantDiff)
	}

	var names []string
	for _, e := range d.envs {
		names = append(names, e.Name)
	}
	if diff := cmp.Diff([]string{"", "prod", "staging"}, names); diff != "" {
		t.Errorf("environments (-want +got):\n%s", diff)
	}
}

func TestCheckThenWriteThenCheckIsClean(t *testing.T) {
	out := t.TempDir()
	files := driftedFiles(t, out)
	os.Remove(filepath.Join(out, "staging/notes.md")) // the one conflict
	mustWrite(t, out, files, WriteOptions{Force: true})
	if d := mustCheck(t, out, files, CheckOptions{}); !d.Clean() {
		t.Errorf("drift after Write: %+v", d.Files())
	}
}

func TestCheckWritesNothing(t *testing.T) {
	out := t.TempDir()
	files := driftedFiles(t, out)
	put(t, out, "prod/"+tmpPrefix+"1", "leftover")
	before := snapshot(t, out)
	mustCheck(t, out, files, CheckOptions{})
	if diff := cmp.Diff(before, snapshot(t, out)); diff != "" {
		t.Errorf("Check changed the tree (-before +after):\n%s", diff)
	}

	// Nor does it create a missing out/.
	missing := filepath.Join(t.TempDir(), "out")
	d := mustCheck(t, missing, sampleFiles(), CheckOptions{})
	if _, err := os.Stat(missing); err == nil {
		t.Error("Check created out/")
	}
	if got := len(d.Files()); got != len(sampleFiles())+1 {
		t.Errorf("%d drifted paths, want every file and the manifest missing", got)
	}
}

func TestCheckMissingManifest(t *testing.T) {
	out := t.TempDir()
	mustWrite(t, out, sampleFiles(), WriteOptions{})
	os.Remove(filepath.Join(out, layout.ManifestName))
	d := mustCheck(t, out, sampleFiles(), CheckOptions{})
	files := d.Files()
	if len(files) != 1 || files[0].Path != layout.ManifestName || files[0].Kind != DriftMissing {
		t.Errorf("drift = %+v, want only the manifest missing", files)
	}
	if !strings.HasPrefix(files[0].Diff, "--- /dev/null\n") {
		t.Errorf("diff = %q, want one from /dev/null", files[0].Diff)
	}
}

func TestCheckScope(t *testing.T) {
	out := t.TempDir()
	mustWrite(t, out, sampleFiles(), WriteOptions{})
	staging := []layout.File{{Path: "staging/README.md", Mode: layout.ModeFile, Data: []byte("# staging\n")}}
	if d := mustCheck(t, out, staging, CheckOptions{Envs: []string{"staging"}}); !d.Clean() {
		t.Errorf("prod files reported by a staging-only check: %+v", d.Files())
	}
	d := mustCheck(t, out, nil, CheckOptions{Envs: []string{"staging"}})
	if got := d.Files(); len(got) != 2 || got[1].Path != "staging/README.md" || got[1].Kind != DriftOrphaned {
		t.Errorf("drift = %+v, want the manifest and staging/README.md orphaned", got)
	}
}

func TestCheckCorruptManifestIsAnError(t *testing.T) {
	out := t.TempDir()
	put(t, out, layout.ManifestName, "{}")
	if _, err := Check(out, sampleFiles(), CheckOptions{}); err == nil || !strings.Contains(err.Error(), layout.ManifestName) {
		t.Errorf("err = %v, want an error naming the manifest", err)
	}
}

func TestCheckReportsDirectoryAtRenderedPath(t *testing.T) {
	out := t.TempDir()
	mustWrite(t, out, sampleFiles(), WriteOptions{})
	os.Remove(filepath.Join(out, "staging/README.md"))
	put(t, out, "staging/README.md/x", "x\n")
	d := mustCheck(t, out, sampleFiles(), CheckOptions{})
	want := []FileDrift{{Path: "staging/README.md", Kind: DriftChanged, Notes: []string{"is a directory"}}}
	if diff := cmp.Diff(want, d.Files()); diff != "" {
		t.Errorf("drift (-want +got):\n%s", diff)
	}
}

// TestCheckCatchesAnEditKeepingSizeAndModTime: an edit that keeps a
// file's size and puts its modification time back (what a careful forger,
// or a tool that restores timestamps, leaves) is still drift, and a no-op
// render refuses it as a hand edit. Check and Write compare content; no
// stat data, cached or committed, can vouch for a file.
func TestCheckCatchesAnEditKeepingSizeAndModTime(t *testing.T) {
	out := t.TempDir()
	mustWrite(t, out, sampleFiles(), WriteOptions{})
	const rel = "prod/helm/app.values.yaml" // "replicas: 2\n"
	name := filepath.Join(out, filepath.FromSlash(rel))
	before, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(name, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("9"), int64(len("replicas: "))); err != nil { // in place: same inode, same size
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(name, before.ModTime(), before.ModTime()); err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	if after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime()) || !os.SameFile(before, after) {
		t.Fatalf("the edit changed size, mtime or inode: %v %v → %v %v", before.Size(), before.ModTime(), after.Size(), after.ModTime())
	}
	if got := read(t, out, rel); got != "replicas: 9\n" {
		t.Fatalf("edit not made: %q", got)
	}

	d := mustCheck(t, out, sampleFiles(), CheckOptions{})
	got := d.Files()
	if len(got) != 1 || got[0].Path != rel || got[0].Kind != DriftChanged || !strings.Contains(got[0].Diff, "+replicas: 2") {
		t.Fatalf("Check after an edit keeping size and mtime = %+v, want %s modified", got, rel)
	}
	_, err = Write(out, sampleFiles(), WriteOptions{})
	if c := conflictsOf(t, err); len(c) != 1 || c[0].Path != rel || !c[0].Forcible {
		t.Fatalf("no-op render after the edit: %v, want a hand-edit conflict at %s", err, rel)
	}
}

// A file in out/ that no inventory renders and fleetgen never wrote is
// reported (a warning: check stays clean) and never deleted by a render,
// whether the check read out/ itself or took what a Prefetcher read: in a
// rendered folder, in a folder nothing renders into (at any depth, or a
// whole environment's), or at the top of out/. An owned file no longer
// rendered is drift, not unowned; a killed render's temporary file is
// neither.
func TestCheckWarnsOfUnownedFiles(t *testing.T) {
	for _, prefetch := range []bool{false, true} {
		t.Run(map[bool]string{false: "read", true: "prefetched"}[prefetch], func(t *testing.T) {
			out := t.TempDir()
			mustWrite(t, out, sampleFiles(), WriteOptions{})
			strays := []string{"prod/notes.txt", "stray.txt", "prod/extra/deep/er.yaml", "prod/ha/acme/mm1/keep.me", "qa/app/values.yaml"}
			for _, p := range append(strays, "prod/ha/acme/"+tmpPrefix+"apply.sh-1") {
				if err := os.MkdirAll(filepath.Dir(filepath.Join(out, p)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(out, p), []byte("mine\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			rendered := without(sampleFiles(), "prod/helm/app.values.yaml") // owned, now an orphan
			check := func(files []layout.File, opts CheckOptions) *Drift {
				t.Helper()
				if prefetch {
					p := mustPrefetch(t, out, false)
					defer p.Close()
					opts.Prefetched = p
					files = byEnv(p, files)
				}
				return mustCheck(t, out, files, opts)
			}
			d := check(rendered, CheckOptions{})
			var drifted []string
			for _, f := range d.Files() {
				drifted = append(drifted, f.Path)
			}
			if want := []string{layout.ManifestName, "prod/helm/app.values.yaml"}; !slices.Equal(drifted, want) {
				t.Errorf("drift at %q, want only the orphan and the manifest: unowned files are no drift", drifted)
			}
			want := []string{"prod/extra/deep/er.yaml", "prod/ha/acme/mm1/keep.me", "prod/notes.txt", "qa/app/values.yaml", "stray.txt"}
			if !slices.Equal(d.Unowned, want) {
				t.Errorf("unowned %q, want %q (never the manifest, the lock, an orphan or a temporary file)", d.Unowned, want)
			}
			var prodOnly []layout.File
			for _, f := range rendered {
				if strings.HasPrefix(f.Path, "prod/") {
					prodOnly = append(prodOnly, f)
				}
			}
			if d := check(prodOnly, CheckOptions{Envs: []string{"prod"}}); !slices.Equal(d.Unowned, want[:3]) {
				t.Errorf("with --env prod: unowned %q, want %q", d.Unowned, want[:3])
			}
			mustWrite(t, out, sampleFiles(), WriteOptions{})
			for _, p := range strays {
				if read(t, out, p) != "mine\n" {
					t.Errorf("a render changed %s, which it does not own", p)
				}
			}
		})
	}
}
