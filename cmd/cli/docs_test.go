package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
)

// TestDocsAreCurrent keeps docs/cli what the command tree generates: a
// changed flag or help text without `make docs` fails here.
func TestDocsAreCurrent(t *testing.T) {
	want := t.TempDir()
	if err := writeDocs(newRootCommand(&profiles{}), want); err != nil {
		t.Fatal(err)
	}
	committed := filepath.Join("..", "..", "docs", "cli")
	wantPages, gotPages := pageNames(t, want), pageNames(t, committed)
	if diff := cmp.Diff(wantPages, gotPages); diff != "" {
		t.Fatalf("docs/cli pages differ from the command tree's (-generated +committed); run make docs:\n%s", diff)
	}
	for _, name := range wantPages {
		w, err := os.ReadFile(filepath.Join(want, name))
		if err != nil {
			t.Fatal(err)
		}
		g, err := os.ReadFile(filepath.Join(committed, name))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(w), string(g)); diff != "" {
			t.Errorf("docs/cli/%s is stale (-generated +committed); run make docs:\n%s", name, diff)
		}
	}
}

func pageNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestWriteDocsRefusesForeignFiles: docs deletes the pages of commands
// that are gone, but never a file it did not write.
func TestWriteDocsRefusesForeignFiles(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, "fleetgen_gone.md")
	foreign := filepath.Join(dir, "notes.txt")
	for _, f := range []string{stale, foreign} {
		if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	err := writeDocs(newRootCommand(&profiles{}), dir)
	if err == nil || !strings.Contains(err.Error(), "notes.txt") {
		t.Fatalf("writeDocs with a foreign file: err = %v, want one naming notes.txt", err)
	}
	if err := os.Remove(foreign); err != nil {
		t.Fatal(err)
	}
	if err := writeDocs(newRootCommand(&profiles{}), dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the page of a command that no longer exists was kept: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "fleetgen_render.md")); err != nil {
		t.Errorf("render's page was not written: %v", err)
	}
}

// TestEveryCommandHasExamples walks the command tree: every command a user
// can see has a one-line summary and examples, and every example line is a
// command line the tree accepts (the command exists, its flags exist), so
// --help never shows an example that fails.
func TestEveryCommandHasExamples(t *testing.T) {
	root := newRootCommand(&profiles{})
	var walk func(c *cobra.Command)
	seen := 0
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() {
				walk(sub)
			}
		}
		seen++
		if c.Short == "" {
			t.Errorf("%q has no Short summary", c.CommandPath())
		}
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%q has no examples", c.CommandPath())
			return
		}
		for _, line := range strings.Split(c.Example, "\n") {
			checkExample(t, c, line)
		}
	}
	walk(root)
	if seen < 10 {
		t.Fatalf("walked %d commands; the tree has more", seen)
	}
}

// checkExample parses an example line "  fleetgen sub --flag v  # comment"
// with the command tree, as Execute would. Lines of other programs (shell
// set-up in the completion examples) only have to mention fleetgen.
func checkExample(t *testing.T, c *cobra.Command, line string) {
	t.Helper()
	if !strings.HasPrefix(line, "  ") {
		t.Errorf("%q: example line %q is not indented by two spaces like the others", c.CommandPath(), line)
	}
	line, _, _ = strings.Cut(line, "#")
	var words []string
	for _, w := range strings.Fields(line) {
		if strings.ContainsAny(w[:1], "|><;&") {
			break // the rest is the shell's: a redirection or a pipe
		}
		words = append(words, w)
	}
	if len(words) == 0 || words[0] != "fleetgen" {
		if !strings.Contains(line, "fleetgen") {
			t.Errorf("%q: example %q does not run fleetgen", c.CommandPath(), line)
		}
		return
	}
	root := newRootCommand(&profiles{})
	found, args, err := root.Find(words[1:])
	if err != nil {
		t.Errorf("%q: example %q: %v", c.CommandPath(), line, err)
		return
	}
	if path := found.CommandPath(); path != c.CommandPath() && !strings.HasPrefix(path, c.CommandPath()+" ") {
		t.Errorf("%q: example %q runs %q, which is not this command or one of its own", c.CommandPath(), line, found.CommandPath())
		return
	}
	if err := found.ParseFlags(args); err != nil {
		t.Errorf("%q: example %q: %v", c.CommandPath(), line, err)
		return
	}
	if found.Args != nil {
		if err := found.Args(found, found.Flags().Args()); err != nil {
			t.Errorf("%q: example %q: %v", c.CommandPath(), line, err)
		}
	}
}
