package outdir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mattermost/fleetgen/internal/golden"
	"github.com/mattermost/fleetgen/render/layout"
)

// sampleFiles is a small render of two environments.
func sampleFiles() []layout.File {
	return []layout.File{
		{Path: "prod/README.md", Mode: layout.ModeFile, Data: []byte("# prod\n")},
		{Path: "prod/ha/acme/mm1/apply.sh", Mode: layout.ModeScript, Data: []byte("#!/bin/sh\necho mm1\n")},
		{Path: "prod/ha/acme/mm2/apply.sh", Mode: layout.ModeScript, Data: []byte("#!/bin/sh\necho mm2\n")},
		{Path: "prod/helm/app.values.yaml", Mode: layout.ModeFile, Data: []byte("replicas: 2\n")},
		{Path: "staging/README.md", Mode: layout.ModeFile, Data: []byte("# staging\n")},
	}
}

// without returns files minus the given paths.
func without(files []layout.File, paths ...string) []layout.File {
	return slices.DeleteFunc(slices.Clone(files), func(f layout.File) bool { return slices.Contains(paths, f.Path) })
}

// replaced returns files with the content of one path changed.
func replaced(files []layout.File, path, data string) []layout.File {
	files = slices.Clone(files)
	for i := range files {
		if files[i].Path == path {
			files[i].Data = []byte(data)
		}
	}
	return files
}

func mustWrite(t *testing.T, out string, files []layout.File, opts WriteOptions) *WriteReport {
	t.Helper()
	r, err := Write(out, files, opts)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	return r
}

// openRoot opens out as Write does, for tests of its internals.
func openRoot(t *testing.T, out string) *os.Root {
	t.Helper()
	root, err := os.OpenRoot(out)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	return root
}

// put writes a file the way a person would, outside fleetgen.
func put(t *testing.T, out, rel, data string) {
	t.Helper()
	name := filepath.Join(out, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, out, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func exists(t *testing.T, out, rel string) bool {
	t.Helper()
	_, err := os.Lstat(filepath.Join(out, filepath.FromSlash(rel)))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return err == nil
}

// A node is what snapshot records of one path.
type node struct {
	Mode    fs.FileMode
	Data    string // file content or symlink target
	ModTime time.Time
}

// snapshot records the whole tree under dir, folders and mtimes included,
// to prove a call changed nothing. The lock file is no content: it is left
// out, and so is the mtime of dir, which creating the lock file bumps.
func snapshot(t *testing.T, dir string) map[string]node {
	t.Helper()
	tree := map[string]node{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		n := node{Mode: info.Mode(), ModTime: info.ModTime()}
		switch {
		case info.Mode().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			n.Data = string(data)
		case info.Mode()&fs.ModeSymlink != 0:
			if n.Data, err = os.Readlink(p); err != nil {
				return err
			}
		}
		rel, _ := filepath.Rel(dir, p)
		switch rel {
		case layout.LockName:
			return nil
		case ".":
			n.ModTime = time.Time{}
		}
		tree[filepath.ToSlash(rel)] = n
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// ageTree sets every mtime under dir to an hour ago, so a rewrite shows.
func ageTree(t *testing.T, dir string) time.Time {
	t.Helper()
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Chtimes(p, old, old)
	})
	if err != nil {
		t.Fatal(err)
	}
	return old
}

func manifestPaths(t *testing.T, out string) []string {
	t.Helper()
	m, err := loadManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	var ps []string
	for p := range m.Files {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	return ps
}

func filePaths(files []layout.File) []string {
	var ps []string
	for _, f := range files {
		ps = append(ps, f.Path)
	}
	slices.Sort(ps)
	return ps
}

func conflictsOf(t *testing.T, err error) []conflict {
	t.Helper()
	var ce *conflictError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a *conflictError", err)
	}
	return ce.Conflicts
}

func TestWriteFirstRenderWritesEverythingAndTheManifest(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out") // does not exist yet
	files := sampleFiles()
	r := mustWrite(t, out, files, WriteOptions{})

	if diff := cmp.Diff(filePaths(files), r.Written); diff != "" {
		t.Errorf("Written (-want +got):\n%s", diff)
	}
	if len(r.Unchanged)+len(r.Removed)+len(r.Forced) != 0 {
		t.Errorf("report = %+v, want only Written", r)
	}
	for _, f := range files {
		if got := read(t, out, f.Path); got != string(f.Data) {
			t.Errorf("%s = %q, want %q", f.Path, got, f.Data)
		}
	}
	golden.Assert(t, "testdata/write/manifest.golden", []byte(read(t, out, layout.ManifestName)))
	if got, want := r.String(), "5 written, 0 unchanged, 0 removed"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestWriteSecondIdenticalRenderRewritesNothing(t *testing.T) {
	out := t.TempDir()
	mustWrite(t, out, sampleFiles(), WriteOptions{})
	ageTree(t, out)
	before := snapshot(t, out)

	r := mustWrite(t, out, sampleFiles(), WriteOptions{})

	if len(r.Written) != 0 || len(r.Removed) != 0 || len(r.Unchanged) != len(sampleFiles()) {
		t.Errorf("report = %+v, want every file unchanged", r)
	}
	if diff := cmp.Diff(before, snapshot(t, out)); diff != "" {
		t.Errorf("tree changed (mtimes included) (-before +after):\n%s", diff)
	}
}

func TestWriteRewritesChangedContent(t *testing.T) {
	out := t.TempDir()
	mustWrite(t, out, sampleFiles(), WriteOptions{})
	old := ageTree(t, out)

	files := replaced(sampleFiles(), "prod/README.md", "# prod, v2\n")
	r := mustWrite(t, out, files, WriteOptions{})

	if diff := cmp.Diff([]string{"prod/README.md"}, r.Written); diff != "" {
		t.Errorf("Written (-want +got):\n%s", diff)
	}
	if got := read(t, out, "prod/README.md"); got != "# prod, v2\n" {
		t.Errorf("README.md = %q", got)
	}
	m, err := loadManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.Files["prod/README.md"].SHA256, hashOf([]byte("# prod, v2\n")); got != want {
		t.Errorf("manifest hash = %s, want %s", got, want)
	}
	info, err := os.Stat(filepath.Join(out, "prod/helm/app.values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !info.ModTime().Equal(old) {
		t.Errorf("untouched file's mtime changed to %v", info.ModTime())
	}
}

func TestWritePrunesRemovedFilesAndEmptyFolders(t *testing.T) {
	out := t.TempDir()
	mustWrite(t, out, sampleFiles(), WriteOptions{})
	// A hand-written file keeps its folder alive.
	put(t, out, "prod/ha/acme/NOTES.txt", "mine\n")

	files := without(sampleFiles(), "prod/ha/acme/mm1/apply.sh", "prod/ha/acme/mm2/apply.sh", "prod/helm/app.values.yaml")
	r := mustWrite(t, out, files, WriteOptions{})

	wantRemoved := []string{"prod/ha/acme/mm1/apply.sh", "prod/ha/acme/mm2/apply.sh", "prod/helm/app.values.yaml"}
	if diff := cmp.Diff(wantRemoved, r.Removed); diff != "" {
		t.Errorf("Removed (-want +got):\n%s", diff)
	}
	for _, gone := range []string{"prod/ha/acme/mm1", "prod/ha/acme/mm2", "prod/helm"} {
		if exists(t, out, gone) {
			t.Errorf("%s still exists, want the empty folder removed", gone)
		}
	}
	if got := read(t, out, "prod/ha/acme/NOTES.txt"); got != "mine\n" {
		t.Errorf("hand-written file = %q", got)
	}
	if diff := cmp.Diff(filePaths(files), manifestPaths(t, out)); diff != "" {
		t.Errorf("manifest (-want +got):\n%s", diff)
	}

	// Pruning an environment's last file removes its folder; out/ stays.
	mustWrite(t, out, nil, WriteOptions{Envs: []string{"staging"}})
	if exists(t, out, "staging") {
		t.Error("staging/ still exists after its last file was pruned")
	}
	mustWrite(t, out, nil, WriteOptions{Envs: []string{"prod"}})
	if !exists(t, out, "prod/ha/acme/NOTES.txt") || !exists(t, out, layout.ManifestName) {
		t.Error("pruning removed a hand-written file or out/ itself")
	}
}

func TestWriteConflictHandWrittenFileAtRenderedPathChangesNothing(t *testing.T) {
	out := t.TempDir()
	mustWrite(t, out, without(sampleFiles(), "prod/helm/app.values.yaml"), WriteOptions{})
	put(t, out, "prod/helm/app.values.yaml", "replicas: 9 # mine\n")
	put(t, out, "staging/extra.md", "mine too\n")
	before := snapshot(t, out)

	// This render also changes and prunes owned files: none of that may happen.
	files := replaced(sampleFiles(), "prod/README.md", "# prod, v2\n")
	files = without(files, "prod/ha/acme/mm2/apply.sh")
	files = append(files, layout.File{Path: "staging/extra.md", Mode: layout.ModeFile, Data: []byte("rendered\n")})
	for _, force := range []bool{false, true} {
		_, err := Write(out, files, WriteOptions{Force: force})
		want := []conflict{
			{Path: "prod/helm/app.values.yaml", Reason: "exists but was not written by fleetgen"},
			{Path: "staging/extra.md", Reason: "exists but was not written by fleetgen"},
		}
		if diff := cmp.Diff(want, conflictsOf(t, err)); diff != "" {
			t.Errorf("Force=%v: conflicts (-want +got):\n%s", force, diff)
		}
		if !strings.Contains(err.Error(), "prod/helm/app.values.yaml") {
			t.Errorf("error %q does not name the file", err)
		}
		if diff := cmp.Diff(before, snapshot(t, out)); diff != "" {
			t.Errorf("Force=%v: tree changed (-before +after):\n%s", force, diff)
		}
	}
}

func TestWriteLeavesHandWrittenFilesElsewhereAlone(t *testing.T) {
	out := t.TempDir()
	put(t, out, "prod/NOTES.md", "notes\n")
	put(t, out, "docs/index.md", "docs\n")
	mustWrite(t, out, sampleFiles(), WriteOptions{})
	mustWrite(t, out, without(sampleFiles(), "prod/README.md"), WriteOptions{})
	if read(t, out, "prod/NOTES.md") != "notes\n" || read(t, out, "docs/index.md") != "docs\n" {
		t.Error("hand-written files changed")
	}
}

func TestWriteHandEditedOwnedFileConflictsUnlessForced(t *testing.T) {
	out := t.TempDir()
	mustWrite(t, out, sampleFiles(), WriteOptions{})
	put(t, out, "prod/README.md", "# prod, edited\n")
	put(t, out, "prod/ha/acme/mm2/apply.sh", "#!/bin/sh\necho edited\n")
	before := snapshot(t, out)

	// README.md is rendered anew; mm2/apply.sh is no longer rendered.
	files := without(replaced(sampleFiles(), "prod/README.md", "# prod, v2\n"), "prod/ha/acme/mm2/apply.sh")
	_, err := Write(out, files, WriteOptions{})
	want := []conflict{
		{Path: "prod/README.md", Reason: "was edited by hand since fleetgen wrote it", Forcible: true},
		{Path: "prod/ha/acme/mm2/apply.sh", Reason: "was edited by hand since fleetgen wrote it, and is no longer rendered", Forcible: true},
	}
	if diff := cmp.Diff(want, conflictsOf(t, err)); diff != "" {
		t.Errorf("conflicts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(before, snapshot(t, out)); diff != "" {
		t.Errorf("tree changed (-before +after):\n%s", diff)
	}

	r := mustWrite(t, out, files, WriteOptions{Force: true})
	if got := read(t, out, "prod/README.md"); got != "# prod, v2\n" {
		t.Errorf("README.md = %q, want it overwritten", got)
	}
	if exists(t, out, "prod/ha/acme/mm2") {
		t.Error("mm2/ still exists, want it pruned")
	}
	if diff := cmp.Diff([]string{"prod/README.md", "prod/ha/acme/mm2/apply.sh"}, r.Forced); diff != "" {
		t.Errorf("Forced (-want +got):\n%s", diff)
	}
}

func TestWriteHandEditRevertedToRenderedContentIsNoConflict(t *testing.T) {
	out := t.TempDir()
	mustWrite(t, out, sampleFiles(), WriteOptions{})
	// Someone made by hand exactly the change the inventory now renders.
	put(t, out, "prod/README.md", "# prod, v2\n")
	r := mustWrite(t, out, replaced(sampleFiles(), "prod/README.md", "# prod, v2\n"), WriteOptions{})
	if !slices.Contains(r.Unchanged, "prod/README.md") {
		t.Errorf("report = %+v, want README.md unchanged", r)
	}
}

func TestWriteAdoptsIdenticalUnownedFile(t *testing.T) {
	out := t.TempDir()
	// What a run killed after writing files but before the manifest leaves.
	for _, f := range sampleFiles() {
		put(t, out, f.Path, string(f.Data))
	}
	put(t, out, "prod/ha/acme/mm1/"+tmpPrefix+"123", "half a fi")
	r := mustWrite(t, out, sampleFiles(), WriteOptions{})

	if diff := cmp.Diff([]string{"prod/ha/acme/mm1/apply.sh", "prod/ha/acme/mm2/apply.sh"}, r.Written); diff != "" {
		t.Errorf("Written (only the scripts' modes) (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(filePaths(sampleFiles()), manifestPaths(t, out)); diff != "" {
		t.Errorf("manifest (-want +got):\n%s", diff)
	}
	if exists(t, out, "prod/ha/acme/mm1/"+tmpPrefix+"123") {
		t.Error("leftover temporary file not removed")
	}
}

func TestWriteScopeLeavesOtherEnvironmentsAlone(t *testing.T) {
	out := t.TempDir()
	mustWrite(t, out, sampleFiles(), WriteOptions{})
	before, err := loadManifest(out)
	if err != nil {
		t.Fatal(err)
	}

	// Render staging only, with its README gone and a new file.
	staging := []layout.File{{Path: "staging/new.md", Mode: layout.ModeFile, Data: []byte("new\n")}}
	r := mustWrite(t, out, staging, WriteOptions{Envs: []string{"staging"}})

	if diff := cmp.Diff([]string{"staging/README.md"}, r.Removed); diff != "" {
		t.Errorf("Removed (-want +got):\n%s", diff)
	}
	after, err := loadManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	for p, e := range before.Files {
		if envOf(p) == "prod" && after.Files[p] != e {
			t.Errorf("manifest entry of %s changed from %+v to %+v", p, e, after.Files[p])
		}
		if envOf(p) == "prod" && !exists(t, out, p) {
			t.Errorf("%s removed by a staging-only render", p)
		}
	}
	want := append(filePaths(without(sampleFiles(), "staging/README.md")), "staging/new.md")
	if diff := cmp.Diff(want, manifestPaths(t, out)); diff != "" {
		t.Errorf("manifest (-want +got):\n%s", diff)
	}

	// An empty scope prunes nothing.
	r = mustWrite(t, out, nil, WriteOptions{Envs: []string{}})
	if len(r.Removed) != 0 {
		t.Errorf("Removed = %v with an empty scope", r.Removed)
	}
}

func TestWriteCorruptManifestIsAnErrorAndChangesNothing(t *testing.T) {
	out := t.TempDir()
	mustWrite(t, out, sampleFiles(), WriteOptions{})
	put(t, out, layout.ManifestName, `{"generator":"fleetgen","version":1,"files":{`)
	before := snapshot(t, out)
	_, err := Write(out, nil, WriteOptions{})
	if err == nil || !strings.Contains(err.Error(), filepath.Join(out, layout.ManifestName)) {
		t.Errorf("err = %v, want an error naming the manifest", err)
	}
	if diff := cmp.Diff(before, snapshot(t, out)); diff != "" {
		t.Errorf("tree changed (-before +after):\n%s", diff)
	}
}

func TestWriteFixesModeDriftWithChmod(t *testing.T) {
	out := t.TempDir()
	mustWrite(t, out, sampleFiles(), WriteOptions{})
	script := filepath.Join(out, "prod/ha/acme/mm1/apply.sh")
	if err := os.Chmod(script, 0o600); err != nil {
		t.Fatal(err)
	}
	old := ageTree(t, out)

	d, err := Check(out, sampleFiles(), CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []FileDrift{{Path: "prod/ha/acme/mm1/apply.sh", Kind: DriftChanged, Notes: []string{"mode 0600 → 0755"},
		Old: []byte("#!/bin/sh\necho mm1\n"), OldExists: true}}
	if diff := cmp.Diff(want, d.Files()); diff != "" {
		t.Errorf("Check (-want +got):\n%s", diff)
	}

	r := mustWrite(t, out, sampleFiles(), WriteOptions{})
	if diff := cmp.Diff([]string{"prod/ha/acme/mm1/apply.sh"}, r.Written); diff != "" {
		t.Errorf("Written (-want +got):\n%s", diff)
	}
	info, err := os.Stat(script)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o755 {
		t.Errorf("mode = %v, want 0755", info.Mode())
	}
	if !info.ModTime().Equal(old) {
		t.Error("a mode change rewrote the file")
	}
}

func TestWriteRefusesWhatIsNotARegularFile(t *testing.T) {
	out := t.TempDir()
	outside := t.TempDir()
	if err := os.MkdirAll(filepath.Join(out, "prod/README.md"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(out, "prod/ha/acme"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(out, "prod/ha/acme/mm1")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "x"), filepath.Join(out, "staging")); err != nil {
		t.Fatal(err)
	}
	put(t, out, "prod/helm", "a file where a folder belongs\n")
	before := snapshot(t, out)

	_, err := Write(out, sampleFiles(), WriteOptions{Force: true})
	want := []conflict{
		{Path: "prod/README.md", Reason: "is a directory"},
		{Path: "prod/ha/acme/mm1/apply.sh", Reason: "its folder prod/ha/acme/mm1 is not a directory"},
		{Path: "prod/helm/app.values.yaml", Reason: "its folder prod/helm is not a directory"},
		{Path: "staging/README.md", Reason: "its folder staging is not a directory"},
	}
	if diff := cmp.Diff(want, conflictsOf(t, err)); diff != "" {
		t.Errorf("conflicts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(before, snapshot(t, out)); diff != "" {
		t.Errorf("tree changed (-before +after):\n%s", diff)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("wrote through a symlink: %v", entries)
	}

	// A symlink at a rendered path is refused too.
	out = t.TempDir()
	if err := os.MkdirAll(filepath.Join(out, "staging"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "x"), filepath.Join(out, "staging/README.md")); err != nil {
		t.Fatal(err)
	}
	_, err = Write(out, sampleFiles(), WriteOptions{})
	if diff := cmp.Diff([]conflict{{Path: "staging/README.md", Reason: "is a symbolic link"}}, conflictsOf(t, err)); diff != "" {
		t.Errorf("conflicts (-want +got):\n%s", diff)
	}
}

func TestWriteDropsOwnedFilesGoneFromDisk(t *testing.T) {
	out := t.TempDir()
	mustWrite(t, out, sampleFiles(), WriteOptions{})
	os.Remove(filepath.Join(out, "prod/helm/app.values.yaml"))
	// Replaced by a folder: not fleetgen's file any more, so not deleted.
	os.Remove(filepath.Join(out, "prod/README.md"))
	put(t, out, "prod/README.md/mine.txt", "mine\n")

	files := without(sampleFiles(), "prod/helm/app.values.yaml", "prod/README.md")
	r := mustWrite(t, out, files, WriteOptions{})
	if len(r.Removed) != 0 {
		t.Errorf("Removed = %v, want nothing (already gone)", r.Removed)
	}
	if diff := cmp.Diff(filePaths(files), manifestPaths(t, out)); diff != "" {
		t.Errorf("manifest (-want +got):\n%s", diff)
	}
	if read(t, out, "prod/README.md/mine.txt") != "mine\n" {
		t.Error("hand-written folder changed")
	}
}

func TestWriteRemovesLeftoverTempFiles(t *testing.T) {
	out := t.TempDir()
	mustWrite(t, out, sampleFiles(), WriteOptions{})
	put(t, out, tmpPrefix+"1", "partial manifest")
	put(t, out, "prod/helm/"+tmpPrefix+"2", "partial")
	put(t, out, "docs/"+tmpPrefix+"3", "not a folder fleetgen writes to")

	mustWrite(t, out, sampleFiles(), WriteOptions{})
	for rel, want := range map[string]bool{tmpPrefix + "1": false, "prod/helm/" + tmpPrefix + "2": false, "docs/" + tmpPrefix + "3": true} {
		if got := exists(t, out, rel); got != want {
			t.Errorf("%s exists = %v, want %v", rel, got, want)
		}
	}
}

func TestWritePanicsOnInvalidInput(t *testing.T) {
	f := func(p string) layout.File { return layout.File{Path: p, Mode: layout.ModeFile} }
	for name, tc := range map[string]struct {
		files []layout.File
		envs  []string
	}{
		"empty path":         {files: []layout.File{f("")}},
		"absolute":           {files: []layout.File{f("/prod/a")}},
		"dot-dot":            {files: []layout.File{f("prod/../a")}},
		"unclean":            {files: []layout.File{f("prod//a")}},
		"trailing slash":     {files: []layout.File{f("prod/a/")}},
		"backslash":          {files: []layout.File{f(`prod\a`)}},
		"no environment":     {files: []layout.File{f("README.md")}},
		"temporary name":     {files: []layout.File{f("prod/" + tmpPrefix + "x")}},
		"duplicate":          {files: []layout.File{f("prod/a"), f("prod/a")}},
		"file and folder":    {files: []layout.File{f("prod/a"), f("prod/a/b")}},
		"no mode":            {files: []layout.File{{Path: "prod/a"}}},
		"type bits":          {files: []layout.File{{Path: "prod/a", Mode: fs.ModeDir | 0o755}}},
		"outside scope":      {files: []layout.File{f("prod/a")}, envs: []string{"staging"}},
		"invalid scope name": {envs: []string{"a/b"}},
	} {
		t.Run(name, func(t *testing.T) {
			out := t.TempDir()
			defer func() {
				if recover() == nil {
					t.Error("Write did not panic")
				}
				if entries, _ := os.ReadDir(out); len(entries) != 0 {
					t.Errorf("wrote %v before panicking", entries)
				}
			}()
			Write(out, tc.files, WriteOptions{Envs: tc.envs})
		})
	}
}

func TestWriteConflictErrorMessage(t *testing.T) {
	err := &conflictError{OutDir: "out", Conflicts: []conflict{
		{Path: "prod/README.md", Reason: "exists but was not written by fleetgen"},
		{Path: "prod/x.sh", Reason: "was edited by hand since fleetgen wrote it", Forcible: true},
	}}
	want := "out: refusing to write: 2 paths fleetgen must not overwrite or delete; nothing was written\n" +
		"\tprod/README.md: exists but was not written by fleetgen\n" +
		"\tprod/x.sh: was edited by hand since fleetgen wrote it (force discards the edit)"
	if got := err.Error(); got != want {
		t.Errorf("Error() =\n%s\nwant\n%s", got, want)
	}
}

// TestWriteManyFoldersBothWaysOfSyncing writes a tree with far more folders
// than Write's workers, deeper than any example, then changes, adds and
// prunes files in it, once with syncfs (Linux) and once syncing each file
// and folder (every other system). Both must leave out/ exactly as
// rendered, with a clean check after each step.
func TestWriteManyFoldersBothWaysOfSyncing(t *testing.T) {
	var files []layout.File
	for c := range 12 {
		for n := range 6 {
			dir := fmt.Sprintf("prod/ha/c%02d/n%d/etc/systemd/system/mattermost.service.d", c, n)
			files = append(files,
				layout.File{Path: dir + "/tunnels.conf", Mode: layout.ModeFile, Data: fmt.Appendf(nil, "c%d n%d\n", c, n)},
				layout.File{Path: fmt.Sprintf("prod/ha/c%02d/n%d/apply.sh", c, n), Mode: layout.ModeScript, Data: []byte("#!/bin/sh\n")})
		}
	}
	next := replaced(files[10:], files[11].Path, "#!/bin/sh\necho changed\n")
	next = append(next, layout.File{Path: "prod/ha/c99/n1/new/file", Mode: layout.ModeFile, Data: []byte("new\n")})
	for _, syncfs := range []bool{true, false} {
		t.Run(fmt.Sprintf("syncfs=%v", syncfs), func(t *testing.T) {
			if syncfs && !useSyncfs {
				t.Skip("no syncfs on this system")
			}
			defer func(was bool) { useSyncfs = was }(useSyncfs)
			useSyncfs = syncfs
			out := t.TempDir()
			for _, step := range [][]layout.File{files, next} {
				mustWrite(t, out, step, WriteOptions{})
				if d := mustCheck(t, out, step, CheckOptions{}); !d.Clean() {
					t.Fatalf("drift after a render: %+v", d.Files())
				}
				for _, f := range step {
					if got := read(t, out, f.Path); got != string(f.Data) {
						t.Errorf("%s = %q, want %q", f.Path, got, f.Data)
					}
				}
			}
			if exists(t, out, files[0].Path) || exists(t, out, "prod/ha/c00/n0") {
				t.Errorf("%s and its emptied folders were not pruned", files[0].Path)
			}
		})
	}
}
