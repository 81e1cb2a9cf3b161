package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/fleetgen/internal/badinv"
	"github.com/mattermost/fleetgen/internal/tooltest"
)

// TestInvalidCorpusChangesNothing runs fleetgen render on every broken
// inventory, the fixtures of inventory/testdata/invalid and the generated
// file-system cases of badinv, over an out/ rendered before: each exits 1
// (with --strict, for the cases that expect only warnings),
// prints every expected diagnostic with its file, line and column (file
// only, where there is no position) and leaves out/ byte for byte and mtime
// for mtime as it was.
func TestInvalidCorpusChangesNothing(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	if code := run([]string{"render", "--inventory", "../../inventory/testdata/valid/full", "--out", out}, new(bytes.Buffer), new(bytes.Buffer)); code != exitOK {
		t.Fatalf("rendering the valid inventory exited %d", code)
	}
	before := statTree(t, out)

	type corpusCase struct {
		dir  string
		want []string // regular expressions stderr must match, one line each
	}
	var cases []corpusCase
	fixtures, err := filepath.Glob("../../inventory/testdata/invalid/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range fixtures {
		cases = append(cases, corpusCase{dir, fixtureWants(t, dir)})
	}
	generated := t.TempDir()
	for _, c := range badinv.Cases() {
		if c.NeedUser && os.Geteuid() == 0 {
			continue // see TestUnreadableInventoryAsAnotherUser
		}
		dir := filepath.Join(generated, c.Name)
		if err := c.Build(dir); err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, d := range c.Want {
			want = append(want, diagPattern(filepath.Join(dir, d.File), d.Line, d.Summary))
		}
		cases = append(cases, corpusCase{dir, want})
	}
	t.Logf("%d broken inventories (%d fixtures, %d generated)", len(cases), len(fixtures), len(cases)-len(fixtures))

	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		// --strict: a case that expects only warnings would render otherwise.
		code := run([]string{"render", "--strict", "--inventory", c.dir, "--out", out}, &stdout, &stderr)
		if code != exitError {
			t.Errorf("%s: render exited %d, want 1\n%s", c.dir, code, stderr.String())
		}
		if len(c.want) == 0 {
			t.Errorf("%s: the case expects no diagnostic", c.dir)
		}
		for _, w := range c.want {
			if !regexp.MustCompile(w).MatchString(stderr.String()) {
				t.Errorf("%s: stderr has no line matching %s:\n%s", c.dir, w, stderr.String())
			}
		}
	}
	after := statTree(t, out)
	if len(before) != len(after) {
		t.Errorf("out/ had %d entries, now %d", len(before), len(after))
	}
	for p, b := range before {
		if after[p] != b {
			t.Errorf("%s changed", p)
		}
	}
}

// diagPattern matches the diagnostic line the CLI prints: file:line:col
// where there is a line, the file alone where there is none.
func diagPattern(file string, line int, summary string) string {
	loc := regexp.QuoteMeta(file) + ":"
	if line > 0 {
		loc += fmt.Sprintf(`%d:\d+:`, line)
	}
	return `(?m)^` + loc + ` (error|warning): ` + regexp.QuoteMeta(strings.TrimSpace(summary)) + `$`
}

var fixtureMarker = regexp.MustCompile(`(ERROR|WARNING): ([^#]+)`)

// fixtureWants reads a fixture's expectations as inventory/load_test.go
// documents them: markers after code expect a diagnostic on their line,
// marker-only lines on the next code line, diagnostics.txt the rest.
func fixtureWants(t *testing.T, dir string) []string {
	var want []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(p, ".hcl") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var pending []string
		for i, line := range strings.Split(string(data), "\n") {
			for _, m := range fixtureMarker.FindAllStringSubmatch(line, -1) {
				pending = append(pending, m[2])
			}
			if loc := fixtureMarker.FindStringIndex(line); loc != nil && strings.Trim(line[:loc[0]], "# \t") == "" {
				continue // a marker-only line: the diagnostic is on the next line
			}
			for _, s := range pending {
				want = append(want, diagPattern(p, i+1, s))
			}
			pending = nil
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(filepath.Join(dir, "diagnostics.txt")); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			file, rest, ok := strings.Cut(line, ":0: ")
			if !ok || strings.HasPrefix(line, "#") {
				continue
			}
			_, summary, _ := strings.Cut(rest, ": ")
			want = append(want, diagPattern(filepath.Join(dir, file), 0, summary))
		}
	}
	return want
}

// statTree records every path under dir with its mode, size, mtime and
// content, so a comparison sees any change at all.
func statTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	tree := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		var data []byte
		if info.Mode().IsRegular() {
			if data, err = os.ReadFile(p); err != nil {
				return err
			}
		}
		tree[p] = fmt.Sprintf("%v %d %s %q", info.Mode(), info.Size(), info.ModTime().Format(time.RFC3339Nano), data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// TestUnreadableInventoryAsAnotherUser runs the cases whose fault is a
// permission bit (which root, who runs CI, bypasses) as the user nobody,
// with setpriv: each exits 1 with its expected diagnostic.
func TestUnreadableInventoryAsAnotherUser(t *testing.T) {
	tooltest.NeedRoot(t)
	setpriv := tooltest.Look(t, "setpriv")
	shared, err := os.MkdirTemp("", "fleetgen-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		filepath.WalkDir(shared, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				os.Chmod(p, 0o755) // so RemoveAll can enter
			}
			return nil
		})
		os.RemoveAll(shared)
	})
	if err := os.Chmod(shared, 0o755); err != nil {
		t.Fatal(err)
	}
	// A copy of the fleetgen binary that nobody may run.
	self, err := exec.LookPath("fleetgen")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(shared, "fleetgen")
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, c := range badinv.Cases() {
		if !c.NeedUser {
			continue
		}
		ran++
		dir := filepath.Join(shared, c.Name)
		if err := c.Build(dir); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", bin, "validate", "--inventory", dir)
		out, err := cmd.CombinedOutput()
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) || exitErr.ExitCode() != exitError {
			t.Errorf("%s as nobody: %v, want exit 1\n%s", c.Name, err, out)
		}
		for _, d := range c.Want {
			if w := diagPattern(filepath.Join(dir, d.File), d.Line, d.Summary); !regexp.MustCompile(w).Match(out) {
				t.Errorf("%s as nobody: no line matching %s:\n%s", c.Name, w, out)
			}
		}
	}
	if ran == 0 {
		t.Fatal("badinv has no permission case")
	}
}
