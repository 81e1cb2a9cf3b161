package outdir

import (
	"bytes"
	"cmp"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	udiff "github.com/aymanbagabas/go-udiff"
	"github.com/mattermost/fleetgen/render/layout"
)

// CheckOptions control Check.
type CheckOptions struct {
	// Envs are the environments rendered; owned files of others are not
	// reported as orphaned. Nil means all.
	Envs []string
	// Prefetched, when set, is the Prefetcher opened (for a check or a
	// write) before the render: Check uses its lock and what it read. The
	// caller closes it.
	Prefetched *Prefetcher
}

// A DriftKind says how a path on disk differs from what Write would make it.
type DriftKind int

const (
	DriftChanged  DriftKind = iota + 1 // on disk, content or mode differs
	DriftMissing                       // rendered, not on disk: render would add it
	DriftOrphaned                      // owned, no longer rendered, on disk: render would remove it
)

// String is the word the text report uses.
func (k DriftKind) String() string {
	switch k {
	case DriftChanged:
		return "modified"
	case DriftMissing:
		return "missing"
	case DriftOrphaned:
		return "orphaned"
	}
	return "DriftKind(" + strconv.Itoa(int(k)) + ")"
}

// A FileDrift is one path that differs.
type FileDrift struct {
	Path  string // relative to outDir, slash-separated
	Kind  DriftKind
	Notes []string // what else a reviewer should know: "not written by fleetgen", "mode 0644 → 0755", …
	Diff  string   // unified diff from disk to rendered; empty when only the mode differs or the path is not a file
	// Old is what out/ holds at Path when it is a regular file (OldExists),
	// read under the check's lock, so a caller that explains the drift
	// never reads out/ again, perhaps in the middle of a render.
	Old       []byte
	OldExists bool
}

// An envDrift is the drift of one environment.
type envDrift struct {
	Name     string // the first element of the paths; "" for the manifest
	Changed  []FileDrift
	Missing  []FileDrift
	Orphaned []FileDrift
}

// A Drift is the difference between out/ and what a render would write.
type Drift struct {
	OutDir string // as given to Check; reports show paths under it
	// Folders are the folders directly under out/ when it was checked
	// (environments, and any other), sorted.
	Folders []string
	// Unowned are files of out/ (in the environments checked) that no
	// inventory renders and fleetgen never wrote (the manifest does not
	// list them), sorted: not drift, never deleted, but likely a mistake
	// (a file committed by hand, a leftover of another tool), so reported
	// as a warning.
	Unowned []string
	envs    []envDrift // environments with drift, sorted by name, each list sorted by path
}

// Clean reports whether out/ is exactly what a render would write.
func (d *Drift) Clean() bool { return len(d.envs) == 0 }

// Files lists every drifted path, sorted by path.
func (d *Drift) Files() []FileDrift {
	var all []FileDrift
	for _, e := range d.envs {
		all = append(all, e.Changed...)
		all = append(all, e.Missing...)
		all = append(all, e.Orphaned...)
	}
	slices.SortFunc(all, func(a, b FileDrift) int { return cmp.Compare(a.Path, b.Path) })
	return all
}

// Check compares what Write would do with files and opts.Envs against
// outDir. It only reads; it reports what Write would refuse (a hand-written
// file at a rendered path) as drift rather than an error, so CI shows all of
// it. A corrupt manifest is an error, as for Write. It holds a shared lock
// of outDir, so it never reads a render half done; a running render makes it
// fail at once, naming the holder.
func Check(outDir string, files []layout.File, opts CheckOptions) (*Drift, error) {
	validateInput(outDir, files, opts.Envs)
	root, err := opts.Prefetched.rootFor(false)
	if err != nil {
		return nil, err
	}
	if root == nil {
		root, err = openOut(outDir) // nil when out/ does not exist yet: all is missing
		if err != nil {
			return nil, err
		}
		if root != nil {
			defer root.Close()
		}
		unlock, _, err := lockOut(root, false)
		if err != nil {
			return nil, err
		}
		defer unlock()
	}
	p, err := makePlan(root, files, opts.Envs, opts.Prefetched)
	if err != nil {
		return nil, err
	}
	d := &Drift{OutDir: outDir}
	if root != nil {
		entries, err := readDir(root)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if e.IsDir() {
				d.Folders = append(d.Folders, e.Name())
			}
		}
		if d.Unowned, err = unownedFiles(root, entries, files, p, opts.Envs); err != nil {
			return nil, err
		}
	}
	var all []FileDrift
	for _, s := range p.steps {
		if fd, ok := d.driftOf(s); ok {
			all = append(all, fd)
		}
	}
	if fd, ok := d.manifestDrift(p); ok {
		all = append(all, fd)
	}
	if p.journaled {
		all = append(all, FileDrift{Path: layout.JournalName, Kind: DriftOrphaned,
			Notes: []string{"left by an interrupted render; render finishes that render and removes it"}})
	}
	d.envs = groupByEnv(all)
	return d, nil
}

// driftOf turns a planned step into the drift it corrects, if any.
func (d *Drift) driftOf(s step) (FileDrift, bool) {
	fd := FileDrift{Path: s.path}
	switch s.action {
	case keep, drop:
		return fd, false
	case chmod: // the content is the rendered one
		fd.Kind = DriftChanged
		fd.Notes = []string{modeNote(s.disk.mode, s.file.Mode)}
		fd.Old, fd.OldExists = s.file.Data, true
	case remove:
		fd.Kind = DriftOrphaned
		fd.Notes = editNotes(s)
		fd.Diff = d.diff(s.path, s.disk.data, true, nil, false)
		fd.Old, fd.OldExists = s.disk.data, s.disk.kind == onDiskFile
	case write:
		switch s.disk.kind {
		case onDiskMissing:
			fd.Kind = DriftMissing
			fd.Diff = d.diff(s.path, nil, false, s.file.Data, true)
		case onDiskFile:
			fd.Kind = DriftChanged
			fd.Notes = editNotes(s)
			if s.disk.mode != s.file.Mode {
				fd.Notes = append(fd.Notes, modeNote(s.disk.mode, s.file.Mode))
			}
			fd.Diff = d.diff(s.path, s.disk.data, true, s.file.Data, true)
			fd.Old, fd.OldExists = s.disk.data, true
			if s.disk.same {
				fd.Old = s.file.Data
			}
		default: // a folder, symlink, … where a file belongs
			fd.Kind = DriftChanged
			fd.Notes = []string{s.conflict.Reason}
		}
	}
	return fd, true
}

// editNotes says why Write would refuse a step.
func editNotes(s step) []string {
	switch {
	case s.conflict == nil:
		return nil
	case !s.owned:
		return []string{"not written by fleetgen"}
	default:
		return []string{"edited by hand since fleetgen wrote it"}
	}
}

func modeNote(got, want fs.FileMode) string {
	return "mode " + formatMode(got) + " → " + formatMode(want)
}

// manifestDrift compares the manifest on disk with the one Write would leave.
func (d *Drift) manifestDrift(p *plan) (FileDrift, bool) {
	want := p.final.encode()
	if bytes.Equal(want, p.oldRaw) {
		return FileDrift{}, false
	}
	fd := FileDrift{Path: layout.ManifestName, Kind: DriftChanged}
	if p.oldRaw == nil {
		fd.Kind = DriftMissing
	}
	fd.Diff = d.diff(layout.ManifestName, p.oldRaw, p.oldRaw != nil, want, true)
	return fd, true
}

// diff is the unified diff of rel from disk (old) to rendered (new), with
// git's a/ and b/ prefixes in front of the path under OutDir and /dev/null
// for a side that does not exist.
func (d *Drift) diff(rel string, old []byte, oldExists bool, new []byte, newExists bool) string {
	oldLabel, newLabel := "/dev/null", "/dev/null"
	if oldExists {
		oldLabel = path.Join("a", d.display(rel))
	}
	if newExists {
		newLabel = path.Join("b", d.display(rel))
	}
	return udiff.Unified(oldLabel, newLabel, string(old), string(new))
}

// display is rel as the user knows it: under the out directory they named.
func (d *Drift) display(rel string) string {
	return path.Join(filepath.ToSlash(d.OutDir), rel)
}

// groupByEnv sorts drift into environments by the first path element; the
// manifest, at the top of out/, goes under "".
func groupByEnv(all []FileDrift) []envDrift {
	slices.SortFunc(all, func(a, b FileDrift) int { return cmp.Compare(a.Path, b.Path) })
	byName := map[string]*envDrift{}
	var envs []*envDrift
	for _, fd := range all {
		name := ""
		if fd.Path != layout.ManifestName && fd.Path != layout.JournalName {
			name = envOf(fd.Path)
		}
		e := byName[name]
		if e == nil {
			e = &envDrift{Name: name}
			byName[name] = e
			envs = append(envs, e)
		}
		switch fd.Kind {
		case DriftChanged:
			e.Changed = append(e.Changed, fd)
		case DriftMissing:
			e.Missing = append(e.Missing, fd)
		case DriftOrphaned:
			e.Orphaned = append(e.Orphaned, fd)
		}
	}
	slices.SortFunc(envs, func(a, b *envDrift) int { return cmp.Compare(a.Name, b.Name) })
	out := make([]envDrift, len(envs))
	for i, e := range envs {
		out[i] = *e
	}
	return out
}

// unownedFiles lists the files of root, in envs (none: everywhere), that
// are neither rendered, nor owned (in the manifest), nor fleetgen's own
// bookkeeping, nor a killed render's temporary files. The plan's scan has
// listed every folder holding a rendered or owned path and kept what else
// they hold (p.extras); top lists out/ itself. Only folders no rendered or
// owned path goes through are walked here, and no file is read.
func unownedFiles(root *os.Root, top []fs.DirEntry, files []layout.File, p *plan, envs []string) ([]string, error) {
	var out, walk []string
	for _, e := range top {
		name := e.Name()
		switch {
		case len(envs) > 0 && !slices.Contains(envs, name):
			// Another environment's folder, or a file of out/ itself:
			// neither belongs to the environments checked.
		case e.IsDir():
			walk = append(walk, name)
		case name == layout.ManifestName || name == layout.JournalName || name == layout.LockName:
		case strings.HasPrefix(name, tmpPrefix) && e.Type().IsRegular():
		default:
			if _, owned := p.old.Files[name]; !owned && !slices.ContainsFunc(files, func(f layout.File) bool { return f.Path == name }) {
				out = append(out, name)
			}
		}
	}
	for _, x := range p.extras {
		if x.dir {
			walk = append(walk, x.rel)
		} else if _, owned := p.old.Files[x.rel]; !owned { // readManifest never returns a nil manifest
			out = append(out, x.rel)
		}
	}
	if len(walk) > 0 {
		// A folder that a rendered or owned path goes through was listed
		// by the scan, its extras among p.extras.
		listed := map[string]bool{}
		note := func(rel string) {
			for dir := path.Dir(rel); dir != "." && !listed[dir]; dir = path.Dir(dir) {
				listed[dir] = true
			}
		}
		for _, f := range files {
			note(f.Path)
		}
		for rel := range p.old.Files {
			note(rel)
		}
		for _, dir := range walk {
			if listed[dir] {
				continue
			}
			err := fs.WalkDir(root.FS(), dir, func(rel string, e fs.DirEntry, err error) error {
				if err == nil && !e.IsDir() && !(strings.HasPrefix(e.Name(), tmpPrefix) && e.Type().IsRegular()) {
					out = append(out, rel)
				}
				return err
			})
			if err != nil {
				return nil, err
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
