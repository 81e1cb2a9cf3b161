package render

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/mattermost/fleetgen/render/layout"
)

// A KustomizeError is a rendered kustomization that kustomize cannot build.
type KustomizeError struct {
	Path string // of the kustomization.yaml, relative to out/
	Err  error
}

func (e *KustomizeError) Error() string {
	return fmt.Sprintf("%s does not build with kustomize: %v", e.Path, e.Err)
}

func (e *KustomizeError) Unwrap() error { return e.Err }

// BuildKustomizations builds every kustomization.yaml among files with
// kustomize's own library (krusty), as Argo CD will, on an in-memory copy
// of the rendered tree: a kustomization that does not build fails the
// render instead of the sync after the merge. It returns the first
// failure, in path order.
func BuildKustomizations(files []layout.File) error {
	var dirs []string
	for _, f := range files {
		if path.Base(f.Path) == layout.Kustomization {
			dirs = append(dirs, path.Dir(f.Path))
		}
	}
	if len(dirs) == 0 {
		return nil
	}
	slices.Sort(dirs) // the first to fail is the same whatever the order of files
	fs, err := kustomizeFS(files, dirs)
	if err != nil {
		return err
	}
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	for _, dir := range dirs {
		if _, err := k.Run(fs, "/"+dir); err != nil {
			return &KustomizeError{Path: path.Join(dir, layout.Kustomization), Err: err}
		}
	}
	return nil
}

// kustomizeFS is an in-memory copy of the files under the kustomizations
// in dirs. Only those go in: kustomize's default load restrictions keep a
// build inside its folder, and the in-memory file system refuses some
// names the rest of the tree has (systemd's @).
func kustomizeFS(files []layout.File, dirs []string) (filesys.FileSystem, error) {
	fs := filesys.MakeFsInMemory()
	for _, f := range files {
		if !slices.ContainsFunc(dirs, func(d string) bool { return strings.HasPrefix(f.Path, d+"/") }) {
			continue
		}
		data, ok := f.Content()
		if !ok {
			return nil, fmt.Errorf("in-memory copy of %s: its bytes were let go before the build", f.Path)
		}
		p := "/" + f.Path
		if err := fs.MkdirAll(path.Dir(p)); err != nil {
			return nil, fmt.Errorf("in-memory copy of %s: %w", f.Path, err)
		}
		if err := fs.WriteFile(p, data); err != nil {
			return nil, fmt.Errorf("in-memory copy of %s: %w", f.Path, err)
		}
	}
	return fs, nil
}
