package registration

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mattermost/fleetgen/inventory/edit"
	"github.com/mattermost/fleetgen/render/layout"
)

// A Verification is what a registration branch changes, once Verify has
// shown that it changes nothing else.
type Verification struct {
	Added, Removed []string // workload cluster IDs
}

// Verify shows that the commit head changes, compared with base, only
// workload clusters of environment env, and each exactly as `fleetgen add
// workload-cluster <id>` and `fleetgen remove workload-cluster <id>`
// would: the inventory files of head must equal those of base with the
// same edits replayed, in the order Publish makes them, byte for byte.
// Besides them only out/<env>/ and out/'s ownership manifest may change;
// that out/ is what the inventory renders is for `fleetgen check` to say.
// top is the repository's top folder; inventoryDir and outDir are
// relative to it.
func Verify(ctx context.Context, top, base, head, env, inventoryDir, outDir string) (Verification, error) {
	var v Verification
	p := &Publisher{Dir: top}
	git := func(args ...string) (string, error) { return p.output(ctx, args...) }
	changed, err := git("diff-tree", "-r", "-z", "--name-only", "--no-renames", base, head)
	if err != nil {
		return v, err
	}
	envDir := path.Join(filepath.ToSlash(inventoryDir), env) + "/"
	outEnv := path.Join(filepath.ToSlash(outDir), env) + "/"
	manifest := path.Join(filepath.ToSlash(outDir), layout.ManifestName)
	var outside []string
	for _, f := range strings.Split(strings.TrimSuffix(changed, "\x00"), "\x00") {
		inEnv := strings.HasPrefix(f, envDir) && !strings.Contains(strings.TrimPrefix(f, envDir), "/")
		if f != "" && !inEnv && !strings.HasPrefix(f, outEnv) && f != manifest {
			outside = append(outside, f)
		}
	}
	if len(outside) > 0 {
		return v, fmt.Errorf("the change touches files outside %s*.hcl and %s: %s", envDir, outEnv, strings.Join(outside, ", "))
	}
	before, err := folderAt(git, base, envDir, env)
	if err != nil {
		return v, err
	}
	after, err := folderAt(git, head, envDir, env)
	if err != nil {
		return v, err
	}
	was, _ := edit.Names(before)
	is, _ := edit.Names(after)
	var decisions []Decision
	for _, id := range is {
		if !slices.Contains(was, id) {
			v.Added = append(v.Added, id)
			decisions = append(decisions, Decision{Cluster: id, Present: true})
		}
	}
	for _, id := range was {
		if !slices.Contains(is, id) {
			v.Removed = append(v.Removed, id)
			decisions = append(decisions, Decision{Cluster: id})
		}
	}
	slices.SortFunc(decisions, func(a, b Decision) int { return strings.Compare(a.Cluster, b.Cluster) })
	for _, d := range decisions {
		c, err := change(before, d)
		if err != nil {
			return v, err
		}
		before.Apply(c)
	}
	if diff := diffFiles(before.Files, after.Files); diff != "" {
		return v, fmt.Errorf("the inventory of %s changes more than workload clusters added or removed: %s", env, diff)
	}
	slices.Sort(v.Added)
	slices.Sort(v.Removed)
	return v, nil
}

// folderAt reads the inventory folder of env at a commit, with the paths
// the edits use.
func folderAt(git func(...string) (string, error), commit, envDir, env string) (*edit.Folder, error) {
	list, err := git("ls-tree", "-z", "--name-only", commit, "--", envDir)
	if err != nil {
		return nil, err
	}
	f := &edit.Folder{Dir: strings.TrimSuffix(envDir, "/"), Name: env}
	for _, p := range strings.Split(strings.TrimSuffix(list, "\x00"), "\x00") {
		if !strings.HasSuffix(p, ".hcl") || strings.HasPrefix(path.Base(p), ".") {
			continue
		}
		data, err := git("cat-file", "blob", commit+":"+p)
		if err != nil {
			return nil, err
		}
		f.Files = append(f.Files, edit.File{Path: p, Data: []byte(data), Mode: 0o644})
	}
	return f, nil
}

// diffFiles names the files that differ between two folders.
func diffFiles(want, got []edit.File) string {
	files := map[string][2][]byte{}
	for _, f := range want {
		files[f.Path] = [2][]byte{f.Data, nil}
	}
	for _, f := range got {
		pair := files[f.Path]
		pair[1] = f.Data
		files[f.Path] = pair
	}
	var differ []string
	for _, p := range slices.Sorted(maps.Keys(files)) {
		if pair := files[p]; pair[0] == nil || pair[1] == nil || !bytes.Equal(pair[0], pair[1]) {
			differ = append(differ, p)
		}
	}
	return strings.Join(differ, ", ")
}
