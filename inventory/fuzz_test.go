package inventory

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to Load as the only file of an
// environment folder: whatever the input, Load must not panic, must return
// an inventory exactly when there is no error, and screenSecrets must keep
// every newline in place.
func FuzzLoad(f *testing.F) {
	filepath.WalkDir("testdata/valid", func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".hcl") {
			if b, err := os.ReadFile(path); err == nil {
				f.Add(b)
			}
		}
		return nil
	})
	// Crashers found before fuzzing ran, kept as seeds: nesting that
	// overflowed the parser's stack (fatal, not a panic), and a NUL.
	f.Add([]byte("environment \"prod\" {\n  region = " + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "\n}\n"))
	f.Add([]byte("environment \"prod\" {\n  region = \"us-east\x00-1\"\n}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > MaxFileSize {
			return
		}
		masked, _ := screenSecrets("fuzz.hcl", src)
		if len(masked) != len(src) || bytes.Count(masked, []byte("\n")) != bytes.Count(src, []byte("\n")) {
			t.Fatalf("screenSecrets moved bytes or lines")
		}
		dir := t.TempDir()
		if err := os.Mkdir(filepath.Join(dir, "prod"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "prod", "main.hcl"), src, 0o644); err != nil {
			t.Fatal(err)
		}
		inv, _, diags := Load(dir)
		if (inv == nil) != diags.HasErrors() {
			t.Fatalf("inventory %v with errors %v", inv != nil, diags.HasErrors())
		}
	})
}
