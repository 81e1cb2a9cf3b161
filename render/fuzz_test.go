package render

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/internal/rendertest"
)

// FuzzRender runs the whole pipeline on arbitrary inventories: an
// environment folder named env holding one file, src. Seeds are the valid
// fixtures and the example environments, each folder's files joined into
// one. Whatever the input: an inventory that validates renders without an
// error, renders the same bytes twice, and every rendered file reparses with
// its own format's parser (see reparse).
func FuzzRender(f *testing.F) {
	for _, pattern := range []string{"../inventory/testdata/valid/*/*", filepath.Join(rendertest.Examples(), "*")} {
		envDirs, _ := filepath.Glob(pattern)
		for _, dir := range envDirs {
			files, _ := filepath.Glob(dir + "/*.hcl")
			var src []byte
			for _, name := range files {
				data, err := os.ReadFile(name)
				if err != nil {
					f.Fatal(err)
				}
				src = append(src, data...)
			}
			if len(src) > 0 {
				f.Add(filepath.Base(dir), src)
			}
		}
	}
	f.Fuzz(func(t *testing.T, env string, src []byte) {
		if env == "" || strings.ContainsAny(env, "/\\\x00") || strings.HasPrefix(env, ".") || len(src) > inventory.MaxFileSize {
			return
		}
		dir := t.TempDir()
		if err := os.Mkdir(filepath.Join(dir, env), 0o755); err != nil {
			return // a name the file system refuses
		}
		if err := os.WriteFile(filepath.Join(dir, env, "main.hcl"), src, 0o644); err != nil {
			t.Fatal(err)
		}
		inv, _, diags := inventory.Load(dir)
		if inv == nil {
			return
		}
		files, rdiags := Render(inv, Options{})
		if rdiags.HasErrors() {
			for _, d := range rdiags {
				if d.Subject == nil {
					t.Fatalf("a renderer's diagnostic has no place in the inventory: %s\ndiagnostics of the load: %v", d.Error(), diags)
				}
			}
			return // found by the renderers, each reported at its line like a validation error
		}
		again, adiags := Render(inv, Options{})
		if len(adiags) > 0 || len(again) != len(files) {
			t.Fatalf("the second render differs: %v", adiags)
		}
		for i, file := range files {
			if again[i].Path != file.Path || !bytes.Equal(again[i].Data, file.Data) {
				t.Fatalf("%s: the second render differs", file.Path)
			}
			if err := reparse(file); err != nil {
				t.Errorf("%s does not reparse: %v\n%s", file.Path, err, file.Data)
			}
			if unknownFormat(file) {
				t.Errorf("%s: no parser for its format; add one to reparse", file.Path)
			}
		}
	})
}
