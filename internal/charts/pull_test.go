package charts

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/mattermost/fleetgen/internal/charttest"
	"github.com/mattermost/fleetgen/inventory"
)

const webTemplate = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n"

// newWebRepo serves the chart web 1.0.0 on loopback and returns the
// repository, the chart's reference in it and its archive.
func newWebRepo(t *testing.T) (*charttest.Repo, Ref, []byte) {
	t.Helper()
	repo := charttest.NewRepo(t)
	archive := charttest.Build(t, "web", "1.0.0", map[string]string{"cm.yaml": webTemplate})
	repo.Add(t, archive)
	return repo, Ref{Repository: repo.URL, Chart: "web", Version: "1.0.0"}, archive
}

func pull(t *testing.T, dir string, repo *charttest.Repo, refs ...Ref) (*PullReport, error) {
	t.Helper()
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return c.Pull(refs, PullOptions{CAFile: repo.CAFile})
}

// TestPullFillsTheCacheAndLock: the archive is downloaded with Helm's
// downloader, saved as <chart>-<version>.tgz, and locked with its digest,
// which Load then verifies.
func TestPullFillsTheCacheAndLock(t *testing.T) {
	repo, ref, archive := newWebRepo(t)
	dir := filepath.Join(t.TempDir(), "charts")
	report, err := pull(t, dir, repo, ref, ref) // twice in the list: once in the lock
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Downloaded) != 1 {
		t.Fatalf("report %+v: want one download", report)
	}
	got, err := os.ReadFile(filepath.Join(dir, "web-1.0.0.tgz"))
	if err != nil || !bytes.Equal(got, archive) {
		t.Fatalf("the cached archive is not the repository's: %v", err)
	}
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{{Repository: repo.URL, Chart: "web", Version: "1.0.0", File: "web-1.0.0.tgz", Digest: Digest(archive)}}
	if l := c.lock; len(l.Charts) != 1 || l.Charts[0] != want[0] {
		t.Fatalf("lock %+v, want %+v", l.Charts, want)
	}
	if data, err := c.Load(ref); err != nil || !bytes.Equal(data, archive) {
		t.Fatalf("Load: %v", err)
	}
}

// TestPullIsIdempotent: a second pull sends no request and changes no byte
// and no modification time.
func TestPullIsIdempotent(t *testing.T) {
	repo, ref, _ := newWebRepo(t)
	dir := t.TempDir()
	if _, err := pull(t, dir, repo, ref); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	requests := repo.Requests()
	report, err := pull(t, dir, repo, ref)
	if err != nil {
		t.Fatal(err)
	}
	if len(report.UpToDate) != 1 || len(report.Downloaded)+len(report.Locked) != 0 {
		t.Errorf("second pull: %+v, want the chart up to date", report)
	}
	if n := repo.Requests() - requests; n != 0 {
		t.Errorf("the second pull sent %d requests, want none", n)
	}
	if after := snapshot(t, dir); after != before {
		t.Errorf("the second pull changed the cache:\n%s\nbecame\n%s", before, after)
	}
}

// snapshot is every file of dir with its content digest and mtime.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(e.Name() + " " + Digest(data) + " " + info.ModTime().String() + "\n")
	}
	return b.String()
}

// TestPullRefusesAnIndexDigestMismatch: an archive whose digest is not the
// one the index lists is neither cached nor locked.
func TestPullRefusesAnIndexDigestMismatch(t *testing.T) {
	repo, ref, archive := newWebRepo(t)
	listed := strings.Repeat("ab", 32)
	repo.ListDigest("web-1.0.0.tgz", listed)
	dir := t.TempDir()
	_, err := pull(t, dir, repo, ref)
	var digest *DigestError
	if !errors.As(err, &digest) || digest.Expected != listed || digest.Actual != Digest(archive) || digest.Source != "the repository's index" {
		t.Fatalf("want an index digest mismatch, got %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused pull left files: %v", entries)
	}
}

// TestPullChecksTheLock: when the lock already records a chart whose
// archive is gone, the repository must still serve the locked archive; a
// chart published again under the same version is refused.
func TestPullChecksTheLock(t *testing.T) {
	repo, ref, archive := newWebRepo(t)
	dir := t.TempDir()
	if _, err := pull(t, dir, repo, ref); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "web-1.0.0.tgz")); err != nil {
		t.Fatal(err)
	}
	// Same bytes: downloaded again, lock unchanged.
	if report, err := pull(t, dir, repo, ref); err != nil || len(report.Downloaded) != 1 {
		t.Fatalf("re-download of a locked chart: %+v %v", report, err)
	}
	// Republished: another archive for the same version.
	if err := os.Remove(filepath.Join(dir, "web-1.0.0.tgz")); err != nil {
		t.Fatal(err)
	}
	republished := charttest.Build(t, "web", "1.0.0", map[string]string{"cm.yaml": webTemplate + "data: {a: b}\n"})
	repo.Add(t, republished)
	_, err := pull(t, dir, repo, ref)
	if err == nil || !strings.Contains(err.Error(), "published again") || !strings.Contains(err.Error(), Digest(archive)) {
		t.Fatalf("want the republished chart refused against the lock, got %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "web-1.0.0.tgz")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the republished archive was cached: %v", err)
	}
}

// TestPullLocksAnArchiveCopiedByHand: an archive already in the cache but
// not locked is verified against the index without downloading it.
func TestPullLocksAnArchiveCopiedByHand(t *testing.T) {
	repo, ref, archive := newWebRepo(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "web-1.0.0.tgz"), archive, 0o644); err != nil {
		t.Fatal(err)
	}
	report, err := pull(t, dir, repo, ref)
	if err != nil || len(report.Locked) != 1 {
		t.Fatalf("%+v %v: want the archive locked", report, err)
	}
	if n := repo.Requests(); n != 1 {
		t.Errorf("%d requests, want only the index", n)
	}
	// A different archive under that name is refused.
	if err := os.WriteFile(filepath.Join(dir, LockFile), []byte(`{"charts": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "web-1.0.0.tgz"), append(archive, 0), 0o644); err != nil {
		t.Fatal(err)
	}
	var digest *DigestError
	if _, err := pull(t, dir, repo, ref); !errors.As(err, &digest) {
		t.Fatalf("want a digest mismatch for a foreign archive, got %v", err)
	}
}

// TestPullUnknownVersion names the chart and version the index lacks.
func TestPullUnknownVersion(t *testing.T) {
	repo, ref, _ := newWebRepo(t)
	ref.Version = "9.9.9"
	_, err := pull(t, t.TempDir(), repo, ref)
	if err == nil || !strings.Contains(err.Error(), `no version "9.9.9" of the chart "web"`) {
		t.Fatalf("got %v", err)
	}
}

// TestLoadDiagnostics: a chart missing from the cache, or whose archive was
// changed after it was locked, is a diagnostic at the app's version.
func TestLoadDiagnostics(t *testing.T) {
	repo, ref, _ := newWebRepo(t)
	dir := t.TempDir()
	if _, err := pull(t, dir, repo, ref); err != nil {
		t.Fatal(err)
	}
	versionRange := hcl.Range{Filename: "env.hcl", Start: hcl.Pos{Line: 7, Column: 5}, End: hcl.Pos{Line: 7, Column: 12}}
	app := &inventory.App{Name: "web", Chart: "web", Version: "1.0.0", Repository: repo.URL, VersionRange: versionRange}
	other := &inventory.App{Name: "api", Chart: "api", Version: "2.0.0", Repository: repo.URL, VersionRange: versionRange}
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	archives, diags, err := c.LoadApps([]*inventory.App{app, other})
	if err != nil {
		t.Fatal(err)
	}
	if len(diags) != 1 || diags[0].Summary != "Chart not in the cache" || !strings.Contains(diags[0].Detail, "fleetgen charts pull") || *diags[0].Subject != versionRange {
		t.Fatalf("diagnostics %v: want one Chart not in the cache at the version", diags)
	}
	if archives[app] == nil {
		t.Fatal("the cached chart did not load")
	}

	// Tamper with the cached archive.
	name := filepath.Join(dir, "web-1.0.0.tgz")
	data, _ := os.ReadFile(name)
	data[len(data)-1] ^= 1
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
	_, diags, err = c.LoadApps([]*inventory.App{app})
	if err != nil {
		t.Fatal(err)
	}
	if len(diags) != 1 || diags[0].Summary != "Chart digest mismatch" || !strings.Contains(diags[0].Detail, name) || !strings.Contains(diags[0].Detail, Digest(data)) {
		t.Fatalf("diagnostics %v: want Chart digest mismatch naming the file and digests", diags)
	}
	// pull does not repair it silently either.
	var digest *DigestError
	if _, err := pull(t, dir, repo, ref); !errors.As(err, &digest) || digest.Source != "the lock" {
		t.Fatalf("pull over a tampered archive: %v", err)
	}
}

// TestOpenRefusesABadLock: a lock naming a file outside the cache, or with
// a malformed digest, is refused.
func TestOpenRefusesABadLock(t *testing.T) {
	for _, lock := range []string{
		`{"charts": [{"repository": "https://x", "chart": "a", "version": "1.0.0", "file": "../a-1.0.0.tgz", "digest": "` + strings.Repeat("0", 64) + `"}]}`,
		`{"charts": [{"repository": "https://x", "chart": "a", "version": "1.0.0", "file": "a-1.0.0.tgz", "digest": "sha256:00"}]}`,
		`{"charts": [], "extra": 1}`,
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, LockFile), []byte(lock), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(dir); err == nil {
			t.Errorf("Open accepted the lock %s", lock)
		}
	}
}

// TestPullFromAnOCIRegistry: an oci:// chart is pulled with Helm's registry
// client and locked with its chart layer's digest; a layer whose bytes are
// not the manifest's digest is refused.
func TestPullFromAnOCIRegistry(t *testing.T) {
	registry := charttest.NewRegistry(t)
	archive := charttest.Build(t, "web", "1.0.0", map[string]string{"cm.yaml": webTemplate})
	registry.Add(t, archive, "")
	ref := Ref{Repository: "oci://" + registry.Host + "/charts", Chart: "web", Version: "1.0.0"}
	dir := t.TempDir()
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	report, err := c.Pull([]Ref{ref}, PullOptions{PlainHTTP: true})
	if err != nil || len(report.Downloaded) != 1 {
		t.Fatalf("%+v %v", report, err)
	}
	if data, err := c.Load(ref); err != nil || !bytes.Equal(data, archive) {
		t.Fatalf("Load after an OCI pull: %v", err)
	}
	if l := c.lock; l.Charts[0].Digest != Digest(archive) {
		t.Errorf("locked %s, want the layer digest %s", l.Charts[0].Digest, Digest(archive))
	}

	other := charttest.Build(t, "api", "2.0.0", map[string]string{"cm.yaml": webTemplate})
	registry.Add(t, other, strings.Repeat("0", 64))
	bad := Ref{Repository: ref.Repository, Chart: "api", Version: "2.0.0"}
	if _, err := c.Pull([]Ref{bad}, PullOptions{PlainHTTP: true}); err == nil {
		t.Fatal("a layer that does not match its manifest digest was accepted")
	} else if !strings.Contains(err.Error(), "digest") {
		t.Errorf("refused for another reason than its digest: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "api-2.0.0.tgz")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the mismatched layer was cached: %v", err)
	}

	// An archive copied by hand under an oci:// chart's name is locked
	// when it is the registry's, and never replaced when it is not.
	dir = t.TempDir()
	foreign := append(bytes.Clone(archive), 0)
	if err := os.WriteFile(filepath.Join(dir, "web-1.0.0.tgz"), foreign, 0o644); err != nil {
		t.Fatal(err)
	}
	c, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var digest *DigestError
	if _, err := c.Pull([]Ref{ref}, PullOptions{PlainHTTP: true}); !errors.As(err, &digest) || digest.Source != "the repository's index" {
		t.Fatalf("want a digest mismatch for a foreign archive, got %v", err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "web-1.0.0.tgz")); !bytes.Equal(data, foreign) {
		t.Error("pull replaced an archive it did not write")
	}
	if err := os.WriteFile(filepath.Join(dir, "web-1.0.0.tgz"), archive, 0o644); err != nil {
		t.Fatal(err)
	}
	if report, err := c.Pull([]Ref{ref}, PullOptions{PlainHTTP: true}); err != nil || len(report.Locked) != 1 {
		t.Fatalf("%+v %v: want the archive copied by hand locked", report, err)
	}
}

// TestLoadRefusesASymlink: a cached archive that is a symbolic link is
// not followed, by Load or by Pull, even to a file with the locked digest.
func TestLoadRefusesASymlink(t *testing.T) {
	repo, ref, archive := newWebRepo(t)
	dir := t.TempDir()
	if _, err := pull(t, dir, repo, ref); err != nil {
		t.Fatal(err)
	}
	elsewhere := filepath.Join(t.TempDir(), "web.tgz")
	if err := os.WriteFile(elsewhere, archive, 0o644); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(dir, "web-1.0.0.tgz")
	if err := os.Remove(name); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, name); err != nil {
		t.Fatal(err)
	}
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Load(ref); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Load followed a symbolic link: %v", err)
	}
	if _, err := pull(t, dir, repo, ref); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Pull followed a symbolic link: %v", err)
	}
}
