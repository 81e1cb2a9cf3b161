package action

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/mattermost/fleetgen/inventory"
)

// copyExamples copies the example inventory into a folder a test may edit.
func copyExamples(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../environments")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// replaceIn replaces the one occurrence of old in the file.
func replaceIn(t *testing.T, file, old, new string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(data), old) != 1 {
		t.Fatalf("%s: want one %q", file, old)
	}
	if err := os.WriteFile(file, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRenderReportsEveryMistakeAtOnce makes three independent mistakes
// that only rendering can see (values whose shape does not fit what
// fleetgen generates for the chart), in two apps of one environment and
// one of another, and expects all three in one run, sorted by file and
// line, and no files.
func TestRenderReportsEveryMistakeAtOnce(t *testing.T) {
	inv := copyExamples(t)
	dev := filepath.Join(inv, "dev", "environment.hcl")
	replaceIn(t, dev, "      admin = {\n", "      sidecar = \"off\"\n      admin = {\n")
	replaceIn(t, dev, "  app \"prometheus\" {\n    version = \"29.27.0\"\n    host    = \"prometheus\"\n",
		"  app \"prometheus\" {\n    version = \"29.27.0\"\n    host    = \"prometheus\"\n    values  = { server = 1 }\n")
	prod := filepath.Join(inv, "prod", "environment.hcl")
	replaceIn(t, prod, "    host       = \"grafana\"\n    visibility = \"public\"\n    values = {\n",
		"    host       = \"grafana\"\n    visibility = \"public\"\n    values = {\n      sidecar = []\n")

	var got hcl.Diagnostics
	c := &Config{InventoryDir: inv, OutDir: t.TempDir(), ChartsDir: "../../charts",
		Report: func(_ inventory.Files, d hcl.Diagnostics) { got = append(got, d...) }}
	if _, _, err := (&Validate{c}).Run(); err != ErrReported {
		t.Fatalf("Validate: %v, want ErrReported", err)
	}
	if len(got) != 3 {
		t.Fatalf("%d diagnostics, want 3:\n%s", len(got), got.Error())
	}
	for i, d := range got {
		if d.Severity != hcl.DiagError || d.Summary != "Values that do not fit the chart's" || d.Subject == nil {
			t.Errorf("diagnostic %d: %s", i, d.Error())
		}
	}
	wantFiles := []string{dev, dev, prod}
	for i, d := range got {
		if d.Subject != nil && filepath.Base(filepath.Dir(d.Subject.Filename)) != filepath.Base(filepath.Dir(wantFiles[i])) {
			t.Errorf("diagnostic %d in %s, want %s (sorted by file and line)", i, d.Subject.Filename, wantFiles[i])
		}
	}
	if got[0].Subject != nil && got[1].Subject != nil && got[0].Subject.Start.Line >= got[1].Subject.Start.Line {
		t.Errorf("diagnostics of dev not sorted by line: %d then %d", got[0].Subject.Start.Line, got[1].Subject.Start.Line)
	}
	for _, d := range got {
		if !strings.Contains(d.Detail, "grafana") && !strings.Contains(d.Detail, "prometheus") {
			t.Errorf("diagnostic does not name its app: %s", d.Detail)
		}
	}
}

// TestCheckAndRenderCatchAnEditKeepingSizeAndModTime runs check and render
// as the CLI does, reading out/ while the inventory renders, without and
// with a render cache (which the first render fills): a clean tree checks
// clean and re-renders to nothing written; then one rendered file is
// edited in place, keeping its size, modification time and inode, and
// check reports exactly that file while render refuses to overwrite it.
func TestCheckAndRenderCatchAnEditKeepingSizeAndModTime(t *testing.T) {
	for _, cached := range []bool{false, true} {
		t.Run(map[bool]string{false: "no cache", true: "render cache"}[cached], func(t *testing.T) {
			c := &Config{InventoryDir: "../../environments", OutDir: filepath.Join(t.TempDir(), "out"), ChartsDir: "../../charts"}
			if cached {
				c.Cache = testCache(t)
			}
			catchAnEditKeepingSizeAndModTime(t, c)
		})
	}
}

func catchAnEditKeepingSizeAndModTime(t *testing.T, c *Config) {
	out := c.OutDir
	if _, err := (&Render{Config: c}).Run(); err != nil {
		t.Fatalf("first render: %v", err)
	}
	res, err := (&Check{Config: c}).Run()
	if err != nil || !res.Drift.Clean() {
		t.Fatalf("check of a fresh render: %v, %+v", err, res)
	}
	if r, err := (&Render{Config: c}).Run(); err != nil || len(r.Written) != 0 || len(r.Unchanged) != len(res.Files) {
		t.Fatalf("no-op render: %v, %v", err, r)
	}

	rel := res.Files[len(res.Files)/2].Path
	name := filepath.Join(out, filepath.FromSlash(rel))
	before, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	i := len(data) / 2
	edited := []byte{data[i] ^ 0x01} // one bit: same size
	f, err := os.OpenFile(name, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(edited, int64(i)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := os.Chtimes(name, before.ModTime(), before.ModTime()); err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(name)
	if err != nil || after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime()) || !os.SameFile(before, after) {
		t.Fatalf("the edit changed size, mtime or inode: %v", err)
	}

	res, err = (&Check{Config: c}).Run()
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Drift.Files(); len(got) != 1 || got[0].Path != rel {
		t.Fatalf("check after editing %s keeping size and mtime: %+v", rel, got)
	}
	if _, err := (&Render{Config: c}).Run(); err == nil || !strings.Contains(err.Error(), rel) || !strings.Contains(err.Error(), "edited by hand") {
		t.Fatalf("render after the edit: %v, want a refusal naming %s", err, rel)
	}
}
