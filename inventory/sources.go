package inventory

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// A Source is one environment folder and the inventory files Load reads
// from it, in name order.
type Source struct {
	Env   string // the folder's name
	Dir   string
	Files []string // dir joined with each file's name
}

// Sources lists the environment folders under dir (or only the named ones)
// and their inventory files, as Load would read them, without reading the
// files. fmt and shell completion use it.
func Sources(dir string, only ...string) ([]Source, hcl.Diagnostics) {
	dirs, diags := environmentDirs(dir, only, nil)
	sources := make([]Source, 0, len(dirs))
	for _, d := range dirs {
		entries, err := os.ReadDir(d)
		if err != nil {
			diags = append(diags, pathError(d, "Cannot read the environment folder", err))
			continue
		}
		s := Source{Env: filepath.Base(d), Dir: d}
		for _, e := range entries {
			if isInventoryFile(e.Name()) {
				s.Files = append(s.Files, filepath.Join(d, e.Name()))
			}
		}
		sources = append(sources, s)
	}
	return sources, diags
}

// isInventoryFile reports whether a name in an environment folder is an
// inventory file: .hcl, and not hidden (editors' and fleetgen's own
// temporary files start with a dot).
func isInventoryFile(name string) bool {
	return strings.HasSuffix(name, ".hcl") && !strings.HasPrefix(name, ".")
}
