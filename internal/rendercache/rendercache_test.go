package rendercache

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mattermost/fleetgen/internal/tooltest"
	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/layout"
)

func testCache(t *testing.T, program string) *Cache {
	t.Helper()
	c, err := open(t.TempDir(), []byte(program))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func sumOf(s string) *[32]byte {
	sum := sha256.Sum256([]byte(s))
	return &sum
}

// TestPutGet: an entry gives back each file's path, mode and the SHA-256
// of its content, whether it was put with its bytes or its Sum.
func TestPutGet(t *testing.T) {
	c := testCache(t, "p")
	var k Key
	k[0] = 1
	if _, ok := c.Get(k); ok {
		t.Fatal("an empty cache has an entry")
	}
	put := []layout.File{
		{Path: "dev/README.md", Mode: layout.ModeFile, Data: []byte("readme\n")},
		{Path: "dev/ha/acme/mm1/apply.sh", Mode: layout.ModeScript, Sum: sumOf("#!/bin/sh\n")},
		{Path: "dev/with space/é.yaml", Mode: layout.ModeFile, Data: []byte{}},
	}
	if err := c.Put(k, put); err != nil {
		t.Fatal(err)
	}
	got, ok := c.Get(k)
	if !ok {
		t.Fatal("no entry after Put")
	}
	want := []layout.File{
		{Path: "dev/README.md", Mode: layout.ModeFile, Sum: sumOf("readme\n")},
		{Path: "dev/ha/acme/mm1/apply.sh", Mode: layout.ModeScript, Sum: sumOf("#!/bin/sh\n")},
		{Path: "dev/with space/é.yaml", Mode: layout.ModeFile, Sum: sumOf("")},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Get (-want +got):\n%s", diff)
	}
	for _, f := range got {
		if _, whole := f.Content(); whole {
			t.Errorf("%s: Get gave bytes", f.Path)
		}
	}
}

// TestDamagedEntriesAreMisses: a torn, altered, foreign or empty entry is
// never taken for a render.
func TestDamagedEntriesAreMisses(t *testing.T) {
	c := testCache(t, "p")
	var k Key
	if err := c.Put(k, []layout.File{{Path: "dev/a", Mode: layout.ModeFile, Data: []byte("a")}, {Path: "dev/b", Mode: layout.ModeFile, Data: []byte("b")}}); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(c.path(k))
	if err != nil {
		t.Fatal(err)
	}
	damage := map[string][]byte{
		"empty":            {},
		"torn":             good[:len(good)/2],
		"no last newline":  good[:len(good)-1],
		"a file line lost": bytes.Replace(good, []byte("dev/b\n"), nil, 1),
		"one bit flipped":  append([]byte{good[0]}, append([]byte{good[1] ^ 1}, good[2:]...)...),
		"another version":  bytes.Replace(good, []byte(version), []byte("fleetgen render cache v0"), 1),
	}
	for name, data := range damage {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(c.path(k), data, 0o600); err != nil {
				t.Fatal(err)
			}
			if files, ok := c.Get(k); ok {
				t.Errorf("a damaged entry was taken: %v", files)
			}
		})
	}
	// A body that is well checksummed but not an entry is refused too.
	body := []byte(version + "\nnot a file line\n")
	sum := sha256.Sum256(body)
	bad := append(body, []byte("end "+hex.EncodeToString(sum[:])+"\n")...)
	if err := os.WriteFile(c.path(k), bad, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Get(k); ok {
		t.Error("a malformed file line was taken")
	}
}

// TestKeyCoversEveryInput: the key changes with the program, the
// environment's files and the archive of each hydrated app, and with
// nothing else (another app's archive, a map rebuilt).
func TestKeyCoversEveryInput(t *testing.T) {
	c := testCache(t, "program 1")
	grafana, loki := &inventory.App{Name: "grafana"}, &inventory.App{Name: "loki"}
	env := &inventory.Environment{Name: "dev", Apps: []*inventory.App{grafana}}
	env.Digest[0] = 1
	charts := map[*inventory.App][]byte{grafana: []byte("chart 1")}
	base := c.Key(env, charts)

	if c.Key(env, map[*inventory.App][]byte{grafana: []byte("chart 1")}) != base {
		t.Error("the same inputs gave another key")
	}
	if c.Key(env, map[*inventory.App][]byte{grafana: []byte("chart 1"), loki: []byte("x")}) != base {
		t.Error("an archive of an app the environment does not have changed the key")
	}
	other := testCache(t, "program 2")
	changed := map[string]Key{
		"program":        other.Key(env, charts),
		"chart archive":  c.Key(env, map[*inventory.App][]byte{grafana: []byte("chart 2")}),
		"no archive":     c.Key(env, nil),
		"files (Digest)": c.Key(&inventory.Environment{Name: "dev", Apps: env.Apps, Digest: [32]byte{2}}, charts),
	}
	renamed := &inventory.Environment{Name: "dev", Apps: []*inventory.App{{Name: "grafana2"}}, Digest: env.Digest}
	changed["app name"] = c.Key(renamed, map[*inventory.App][]byte{renamed.Apps[0]: []byte("chart 1")})
	for what, k := range changed {
		if k == base {
			t.Errorf("a change of %s kept the key", what)
		}
	}
}

// TestProgramIDIsTheGoBuildID: the binary is named by the build ID the Go
// toolchain gave it, as `go tool buildid` prints it.
func TestProgramIDIsTheGoBuildID(t *testing.T) {
	goCmd := tooltest.Look(t, "go")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(goCmd, "tool", "buildid", exe).Output()
	if err != nil {
		t.Fatalf("go tool buildid: %v", err)
	}
	want := strings.TrimSpace(string(out))
	got := goBuildID(exe)
	if got == nil {
		t.Skipf("%s has no Go build ID note (not ELF): the cache hashes the binary instead", exe)
	}
	if string(got) != want {
		t.Errorf("goBuildID = %q, go tool buildid = %q", got, want)
	}
	id, err := programID()
	if err != nil || string(id) != "go build ID "+want {
		t.Errorf("programID = %q, %v", id, err)
	}
	if goBuildID(filepath.Join(t.TempDir(), "missing")) != nil {
		t.Error("a missing file has a build ID")
	}
}

// TestTrim removes entries unused for longer than trimAfter, keeps the
// others, and runs at most once a day.
func TestTrim(t *testing.T) {
	c := testCache(t, "p")
	old, fresh := Key{1}, Key{2}
	for _, k := range []Key{old, fresh} {
		if err := c.Put(k, []layout.File{{Path: "dev/a", Data: []byte("a")}}); err != nil {
			t.Fatal(err)
		}
	}
	long := time.Now().Add(-trimAfter - time.Hour)
	if err := os.Chtimes(c.path(old), long, long); err != nil {
		t.Fatal(err)
	}
	c.Trim()
	if _, ok := c.Get(old); ok {
		t.Error("an entry unused for longer than trimAfter survived Trim")
	}
	if _, ok := c.Get(fresh); !ok {
		t.Error("Trim removed an entry in use")
	}
	if err := c.Put(old, []layout.File{{Path: "dev/a", Data: []byte("a")}}); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(c.path(old), long, long); err != nil {
		t.Fatal(err)
	}
	c.Trim() // within a day of the last: does nothing
	if _, err := os.Stat(c.path(old)); err != nil {
		t.Errorf("a second Trim within a day removed an entry: %v", err)
	}
}

// TestGetRefreshesTheTimeOfOldEntries: an entry in use is not trimmed.
func TestGetRefreshesTheTimeOfOldEntries(t *testing.T) {
	c := testCache(t, "p")
	k := Key{3}
	if err := c.Put(k, []layout.File{{Path: "dev/a", Data: []byte("a")}}); err != nil {
		t.Fatal(err)
	}
	long := time.Now().Add(-2 * touchAfter)
	if err := os.Chtimes(c.path(k), long, long); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Get(k); !ok {
		t.Fatal("no entry")
	}
	info, err := os.Stat(c.path(k))
	if err != nil || time.Since(info.ModTime()) > time.Minute {
		t.Errorf("Get kept the old time: %v, %v", info.ModTime(), err)
	}
}

// TestFromEnv: "off" turns the cache off; a folder is made private.
func TestFromEnv(t *testing.T) {
	t.Setenv(EnvVar, "off")
	if c, err := FromEnv(); c != nil || err != nil {
		t.Errorf("FromEnv with %s=off: %v, %v", EnvVar, c, err)
	}
	dir := filepath.Join(t.TempDir(), "cache")
	t.Setenv(EnvVar, dir)
	c, err := FromEnv()
	if err != nil || c == nil {
		t.Fatalf("FromEnv: %v, %v", c, err)
	}
	info, err := os.Stat(filepath.Join(dir, "render"))
	if err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("cache folder: %v, %v", info, err)
	}
}
