package inventory

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDigestChangesWithTheEnvironmentsFilesAlone: an environment's Digest
// is the same on every load and from Digests, changes when one of its files changes, even
// by a comment, or is renamed, and stays when another environment
// changes.
func TestDigestChangesWithTheEnvironmentsFilesAlone(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../environments")); err != nil {
		t.Fatal(err)
	}
	digests := func() map[string][32]byte {
		t.Helper()
		inv, _, diags := Load(dir)
		if diags.HasErrors() {
			t.Fatal(diags.Error())
		}
		d := map[string][32]byte{}
		for _, e := range inv.Environments {
			var zero [32]byte
			if e.Digest == zero {
				t.Errorf("%s: no Digest", e.Name)
			}
			d[e.Name] = e.Digest
		}
		// Digests reads the same files without parsing them.
		read, diags := Digests(dir)
		if len(diags) > 0 || len(read) != len(inv.Environments) {
			t.Fatalf("Digests: %d folders, %v", len(read), diags)
		}
		for i, r := range read {
			if e := inv.Environments[i]; r.Dir != e.Dir || r.Digest != e.Digest {
				t.Errorf("Digests gives %s %x, Load %s %x", r.Dir, r.Digest, e.Dir, e.Digest)
			}
		}
		return d
	}
	before := digests()
	if len(before) < 2 {
		t.Fatalf("the examples have %d environments, want 2 or more", len(before))
	}
	if again := digests(); again["dev"] != before["dev"] || again["prod"] != before["prod"] {
		t.Fatal("two loads of the same files gave other digests")
	}
	file := filepath.Join(dir, "dev", "environment.hcl")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, append(data, "# a comment\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	edited := digests()
	if edited["dev"] == before["dev"] {
		t.Error("a comment added to dev kept its digest")
	}
	if edited["prod"] != before["prod"] {
		t.Error("an edit of dev changed prod's digest")
	}
	if err := os.Rename(file, filepath.Join(dir, "dev", "main.hcl")); err != nil {
		t.Fatal(err)
	}
	if renamed := digests(); renamed["dev"] == edited["dev"] {
		t.Error("renaming a file of dev kept its digest")
	}
}
