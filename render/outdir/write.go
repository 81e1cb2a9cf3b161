package outdir

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/mattermost/fleetgen/render/layout"
)

// tmpPrefix starts the name of every temporary file Write creates. A killed
// run can leave one behind; the next run removes it.
const tmpPrefix = ".fleetgen-tmp-"

// WriteOptions control Write.
type WriteOptions struct {
	// Envs are the environments this run rendered. Owned files of other
	// environments are neither pruned nor forgotten. Nil means all.
	Envs []string
	// Force overwrites or deletes owned files that were edited by hand.
	// It never lets Write touch a file fleetgen did not write.
	Force bool
	// Prefetched, when set, is the Prefetcher opened (for a write) before
	// the render: Write uses its lock and what it read. The caller closes it.
	Prefetched *Prefetcher
}

// A WriteReport says what Write did, as paths relative to outDir, sorted.
type WriteReport struct {
	Written   []string // created, changed, or given a new mode
	Unchanged []string // already as rendered: not touched, mtime kept
	Removed   []string // written by an earlier run, no longer rendered
	Forced    []string // hand edits that Force overwrote or deleted (also in Written or Removed)
	// Interrupted is set when a killed render had left its journal; this
	// run finished that render's work. Recovered lists the changes the
	// killed run had already made.
	Interrupted bool
	Recovered   []string
	// TookOver names the run that had died holding out/'s lock, whose lock
	// this run took over; "" when the last holder released it.
	TookOver string
}

// String is the one-line summary the CLI prints after a render.
func (r *WriteReport) String() string {
	s := fmt.Sprintf("%d written, %d unchanged, %d removed", len(r.Written), len(r.Unchanged), len(r.Removed))
	if len(r.Forced) > 0 {
		s += fmt.Sprintf(" (%d hand %s overwritten)", len(r.Forced), plural(len(r.Forced), "edit", "edits"))
	}
	if r.Interrupted {
		s += fmt.Sprintf("; finished an interrupted render that had changed %d %s", len(r.Recovered), plural(len(r.Recovered), "file", "files"))
	}
	if r.TookOver != "" {
		s += "; took over the lock of a run that died holding it: " + r.TookOver
	}
	return s
}

// A conflict is a path Write refuses to change.
type conflict struct {
	Path     string // relative to outDir
	Reason   string // "exists but was not written by fleetgen", …
	Forcible bool   // WriteOptions.Force would override it (a hand-edited owned file)
}

// A conflictError is returned by Write, before it changes anything, when
// rendering would overwrite or delete files fleetgen does not own, or owned
// files someone edited by hand. It lists every such path, not just the first,
// so one run tells the user everything to clean up.
type conflictError struct {
	OutDir    string
	Conflicts []conflict // sorted by path
}

func (e *conflictError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: refusing to write: %d %s fleetgen must not overwrite or delete; nothing was written",
		e.OutDir, len(e.Conflicts), plural(len(e.Conflicts), "path", "paths"))
	for _, c := range e.Conflicts {
		fmt.Fprintf(&b, "\n\t%s: %s", c.Path, c.Reason)
		if c.Forcible {
			b.WriteString(" (force discards the edit)")
		}
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Write makes outDir hold exactly the rendered files of the environments in
// opts.Envs, and records them in the manifest. It plans every change first
// and, when the plan would touch a file fleetgen does not own (or, without
// opts.Force, one edited by hand), returns an error listing every such path,
// with nothing written. Files in outDir that fleetgen never writes are left
// alone.
//
// Invalid input (unclean, absolute or duplicate paths, a file outside
// opts.Envs, a mode with type bits) is a bug in the renderers and panics.
//
// Write holds the lock of outDir, an exclusive flock(2) on its file
// layout.LockName, for its whole run and fails at once, naming the holder,
// when another run holds it.
func Write(outDir string, files []layout.File, opts WriteOptions) (*WriteReport, error) {
	validateInput(outDir, files, opts.Envs)
	root, err := opts.Prefetched.rootFor(true)
	if err != nil {
		return nil, err
	}
	took := opts.Prefetched.tookOver()
	if root == nil {
		if err := ensureOutDir(outDir); err != nil {
			return nil, err
		}
		if root, err = os.OpenRoot(outDir); err != nil { // see outroot.go
			return nil, err
		}
		defer root.Close()
		unlock, tookOver, err := lockOut(root, true)
		if err != nil {
			return nil, err
		}
		defer unlock()
		took = tookOver
	}
	p, err := makePlan(root, files, opts.Envs, opts.Prefetched)
	if err != nil {
		return nil, err
	}
	if err := p.refuse(outDir, opts.Force); err != nil {
		return nil, err
	}
	if afterPlan != nil {
		afterPlan()
	}
	rep, err := p.apply(root)
	if rep != nil {
		rep.TookOver = took
	}
	if err == nil {
		opts.Prefetched.wrote()
	}
	return rep, err
}

// validateInput panics on input only a bug in the renderers can produce.
func validateInput(outDir string, files []layout.File, envs []string) {
	if outDir == "" {
		panic("outdir: empty output directory")
	}
	for _, env := range envs {
		if env == "" || env == "." || env == ".." || strings.ContainsAny(env, `/\`) {
			panic(fmt.Sprintf("outdir: invalid environment name %q", env))
		}
	}
	seen := make(map[string]bool, len(files))
	for _, f := range files {
		if reason := badPath(f.Path); reason != "" {
			panic(fmt.Sprintf("outdir: file path %q %s", f.Path, reason))
		}
		if f.Mode == 0 || f.Mode&^fs.ModePerm != 0 {
			panic(fmt.Sprintf("outdir: file %q has mode %v, want permission bits only (layout.ModeFile or layout.ModeScript)", f.Path, f.Mode))
		}
		if seen[f.Path] {
			panic(fmt.Sprintf("outdir: file %q rendered twice", f.Path))
		}
		seen[f.Path] = true
		if envs != nil && !slices.Contains(envs, envOf(f.Path)) {
			panic(fmt.Sprintf("outdir: file %q is outside the rendered environments %q", f.Path, envs))
		}
	}
	// A path cannot be both a file and the folder of another file.
	for _, f := range files {
		for dir := path.Dir(f.Path); dir != "."; dir = path.Dir(dir) {
			if seen[dir] {
				panic(fmt.Sprintf("outdir: file %q is inside rendered file %q", f.Path, dir))
			}
		}
	}
}

// badPath says why p cannot name a file fleetgen writes under out/, or "".
func badPath(p string) string {
	switch {
	case p == "." || !fs.ValidPath(p):
		return "is not a clean, relative, slash-separated path"
	case strings.Contains(p, `\`):
		return "contains a backslash"
	case !strings.Contains(p, "/"):
		return "is not inside an environment folder"
	case strings.HasPrefix(path.Base(p), tmpPrefix):
		return "uses the name of fleetgen's temporary files"
	}
	return ""
}

// envOf is the environment a path belongs to: its first element.
func envOf(p string) string {
	env, _, _ := strings.Cut(p, "/")
	return env
}

func inScope(p string, envs []string) bool {
	return envs == nil || slices.Contains(envs, envOf(p))
}

// What is at a path on disk.
type diskKind int

const (
	onDiskMissing   diskKind = iota
	onDiskFile               // a regular file
	onDiskDir                // a directory
	onDiskSymlink            // a symbolic link, whatever it points to
	onDiskOther              // a device, pipe or socket
	onDiskBadParent          // a folder on the way is a file or symlink
)

type diskState struct {
	kind   diskKind
	data   []byte      // for onDiskFile, unless same
	same   bool        // for onDiskFile: holds exactly the rendered content (data is not kept)
	mode   fs.FileMode // for onDiskFile: permission, setuid, setgid and sticky bits
	parent string      // for onDiskBadParent: the offending folder, relative to outDir
}

// modeBits are the bits of a file's mode that Write sets with chmod.
const modeBits = fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky

// What Write does with one path.
type action int

const (
	keep   action = iota // content and mode as rendered: leave the file alone
	chmod                // content as rendered, mode differs
	write                // new or different content
	remove               // owned, no longer rendered: delete it
	drop                 // owned, no longer rendered, no longer a file fleetgen wrote: forget it
)

type step struct {
	path     string      // relative to outDir
	file     layout.File // the rendered file; zero for remove and drop
	disk     diskState
	owned    bool
	action   action
	conflict *conflict // why Write must not take this step; nil when it may
}

// A plan is everything Write would do, computed before it changes anything.
// Check reads the same plan, so the two can never disagree.
type plan struct {
	steps     []step    // sorted by path
	old       *manifest // the manifest on disk, corrected by the journal
	oldRaw    []byte    // the manifest on disk; nil when there is none
	final     *manifest // the manifest after a complete run
	journaled bool      // a killed run left its journal
	recovered []string  // what that run had already changed
	temps     []string  // temporary files a killed run left in the folders looked at
	extras    []extra   // what else the folders below out/ looked at hold (see scan)
	// staged are the temporary files a Prefetcher wrote, by path, with
	// the rendered content: writeFiles renames them instead of writing.
	staged map[string]string
}

// makePlan compares the rendered files and the manifest with the disk. It
// reads out/ once, folder by folder (see scanOut), but for the paths pre
// (nil: none) has read already.
func makePlan(root *os.Root, files []layout.File, envs []string, pre *Prefetcher) (*plan, error) {
	old, oldRaw, err := pre.manifest(root)
	if err != nil {
		return nil, err
	}
	p := &plan{old: old, oldRaw: oldRaw, final: newManifest()}
	j, err := readJournal(root)
	if err != nil {
		return nil, err
	}
	if j != nil {
		p.journaled = true
		if p.recovered, err = recoverJournal(root, j, old); err != nil {
			return nil, err
		}
	}
	rendered := make(map[string][]byte, len(files))
	sums := map[string]*[32]byte{} // of the files whose bytes were let go
	paths := make([]string, 0, len(files))
	for _, f := range files {
		rendered[f.Path] = f.Data
		if _, whole := f.Content(); !whole {
			sums[f.Path] = f.Sum
		}
		paths = append(paths, f.Path)
	}
	var orphans []string
	for _, rel := range slices.Sorted(maps.Keys(old.Files)) {
		switch _, ok := rendered[rel]; {
		case ok:
		case !inScope(rel, envs):
			// Another environment's file: this run knows nothing about it.
			p.final.Files[rel] = old.Files[rel]
		default:
			orphans = append(orphans, rel)
		}
	}
	known, temps, extras, staged, err := pre.take(rendered)
	if err != nil {
		return nil, err
	}
	if len(known) > 0 {
		paths = slices.DeleteFunc(paths, func(rel string) bool { _, ok := known[rel]; return ok })
	}
	disk, err := scanOut(root, append(paths, orphans...), rendered, sums)
	if err != nil {
		return nil, err
	}
	if known != nil {
		maps.Copy(known, disk.state)
		disk.state = known
	}
	p.temps = slices.Compact(slices.Sorted(slices.Values(append(disk.temps, temps...))))
	p.extras = append(disk.extras, extras...)
	if len(staged) > 0 {
		// This run's own temporary files are no leftovers.
		p.staged = staged
		mine := make(map[string]bool, len(staged))
		for rel, tmp := range staged {
			mine[path.Join(path.Dir(rel), tmp)] = true
		}
		p.temps = slices.DeleteFunc(p.temps, func(t string) bool { return mine[t] })
	}
	for _, f := range files {
		p.steps = append(p.steps, planRendered(f, disk.state[f.Path], old))
	}
	for _, e := range entriesOf(files) {
		p.final.Files[e.path] = e.entry
	}
	for _, rel := range orphans {
		p.steps = append(p.steps, planOrphan(rel, disk.state[rel], old.Files[rel]))
	}
	slices.SortFunc(p.steps, func(a, b step) int { return cmp.Compare(a.path, b.path) })
	return p, nil
}

// planRendered decides what to do with a rendered file, given what disk
// holds at its path. The action is what Write would do were there no
// conflict; Check reports it either way.
func planRendered(f layout.File, disk diskState, old *manifest) step {
	entry, owned := old.Files[f.Path]
	s := step{path: f.Path, file: f, disk: disk, owned: owned, action: write}
	switch disk.kind {
	case onDiskMissing:
	case onDiskBadParent:
		s.conflict = &conflict{Path: f.Path, Reason: fmt.Sprintf("its folder %s is not a directory", disk.parent)}
	case onDiskDir:
		s.conflict = &conflict{Path: f.Path, Reason: "is a directory"}
	case onDiskSymlink:
		s.conflict = &conflict{Path: f.Path, Reason: "is a symbolic link"}
	case onDiskOther:
		s.conflict = &conflict{Path: f.Path, Reason: "is not a regular file"}
	case onDiskFile:
		switch {
		case disk.same:
			// Also adopts an unowned file with the rendered content: that is
			// what a run killed before it wrote the manifest leaves behind.
			s.action = keep
			if disk.mode != f.Mode {
				s.action = chmod
			}
		case !owned:
			s.conflict = &conflict{Path: f.Path, Reason: "exists but was not written by fleetgen"}
		case hashOf(disk.data) != entry.SHA256:
			s.conflict = &conflict{Path: f.Path, Reason: "was edited by hand since fleetgen wrote it", Forcible: true}
		}
	}
	return s
}

// planOrphan decides what to do with an owned file of the run's environments
// that is no longer rendered, given what disk holds at its path.
func planOrphan(rel string, disk diskState, entry manifestEntry) step {
	s := step{path: rel, disk: disk, owned: true, action: remove}
	switch {
	case disk.kind != onDiskFile:
		// Gone, or replaced by something fleetgen did not write (a folder,
		// a symlink): nothing of ours to delete, so forget the path.
		s.action = drop
	case hashOf(disk.data) != entry.SHA256:
		s.conflict = &conflict{Path: rel, Reason: "was edited by hand since fleetgen wrote it, and is no longer rendered", Forcible: true}
	}
	return s
}

// refuse returns a *conflictError listing every step Write must not take.
func (p *plan) refuse(outDir string, force bool) error {
	var conflicts []conflict
	for _, s := range p.steps {
		if s.conflict != nil && !(force && s.conflict.Forcible) {
			conflicts = append(conflicts, *s.conflict)
		}
	}
	if len(conflicts) > 0 {
		return &conflictError{OutDir: outDir, Conflicts: conflicts}
	}
	return nil
}

// apply carries out a plan without conflicts. Killed at any instant, it
// leaves every file with its old or its new content, and the manifest plus
// the journal say which:
//
//  1. Remove temporary files a killed run left behind.
//  2. Write the journal: for every path this run changes, its manifest entry
//     before and after. Durable before anything else changes.
//  3. Write every changed file (temporary files, made durable, then renamed
//     over their files: see writeFiles) and delete
//     the pruned ones. Killed here, the next run reads the journal and takes
//     each path's entry from the content it finds.
//  4. Write the final manifest, then remove the journal.
//
// A run with nothing to change writes nothing, not even the journal.
func (p *plan) apply(root *os.Root) (*WriteReport, error) {
	r := &WriteReport{Interrupted: p.journaled, Recovered: p.recovered}
	for _, s := range p.steps {
		if s.conflict != nil { // only forcible ones reach apply, with Force
			r.Forced = append(r.Forced, s.path)
		}
	}
	if err := p.removeLeftovers(root); err != nil {
		return nil, err
	}
	j := newJournal(p, p.old)
	final := p.final.encode()
	if len(j.Files) == 0 && !p.journaled && bytes.Equal(final, p.oldRaw) {
		r.Unchanged = p.pathsOf(keep)
		return r, nil
	}
	if err := p.changeFiles(root, j, final, r); err != nil {
		return nil, fmt.Errorf("%s: render stopped part way: %w; every file holds its old or its new content and %s says which, so render again once the cause is fixed", root.Name(), err, layout.JournalName)
	}
	return r, nil
}

// changeFiles is steps 2 to 4 of apply.
func (p *plan) changeFiles(root *os.Root, j *journal, final []byte, r *WriteReport) error {
	if len(j.Files) > 0 {
		if err := writeDurably(root, layout.JournalName, j.encode()); err != nil {
			return err
		}
	}
	if err := p.writeFiles(root, r); err != nil {
		return err
	}
	if err := p.prune(root, r); err != nil {
		return err
	}
	if !bytes.Equal(final, p.oldRaw) {
		if err := writeDurably(root, layout.ManifestName, final); err != nil {
			return err
		}
	}
	if err := root.Remove(layout.JournalName); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	changed()
	return syncDir(root)
}

// pathsOf lists the paths of the steps with action a, sorted.
func (p *plan) pathsOf(a action) []string {
	var paths []string
	for _, s := range p.steps {
		if s.action == a {
			paths = append(paths, s.path)
		}
	}
	return paths
}

// ensureOutDir creates outDir on the first render.
func ensureOutDir(outDir string) error {
	if _, err := os.Stat(outDir); !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	return os.Chmod(outDir, 0o755)
}

// removeLeftovers deletes the .fleetgen-tmp-* files a killed run left in
// the folders the plan looked at.
func (p *plan) removeLeftovers(root *os.Root) error {
	for _, rel := range p.temps {
		err := inDir(root, path.Dir(rel), false, func(d *os.Root) error { return d.Remove(path.Base(rel)) })
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// writeFiles writes new and changed files and fixes modes, folder by folder
// on several cores (see walkDirs), in two passes so a crash at any instant
// leaves each file old or new: first every new content goes to a temporary
// file, then, once those are durable, each is renamed over its file.
// Renames and chmods count as changes (see change).
//
// On Linux one syncfs(2) after each pass makes the whole pass durable;
// elsewhere each temporary file and each folder with a rename is synced.
func (p *plan) writeFiles(root *os.Root, r *WriteReport) error {
	byPath := map[string]step{}
	for _, s := range p.steps {
		switch s.action {
		case keep:
			r.Unchanged = append(r.Unchanged, s.path)
		case chmod, write:
			byPath[s.path] = s
			r.Written = append(r.Written, s.path)
		}
	}
	if len(byPath) == 0 {
		return nil
	}
	chmods, unstaged, staged := map[string]fs.FileMode{}, map[string]layout.File{}, map[string]string{}
	for rel, s := range byPath {
		tmp, ok := p.staged[rel]
		switch {
		case s.action == chmod:
			chmods[rel] = s.file.Mode
		case ok:
			staged[rel] = tmp
		default:
			unstaged[rel] = s.file
		}
	}
	err := walkDirs(root, newDirTree(slices.Collect(maps.Keys(chmods))), nil, func(d *os.Root, t *dirTree) ([]*dirTree, error) {
		for _, name := range t.files {
			if err := change(func() error { return chmodOpened(d, name, chmods[path.Join(t.rel, name)]) }); err != nil {
				return nil, err
			}
		}
		return slices.Collect(maps.Values(t.dirs)), nil
	})
	if err != nil {
		return err
	}
	temps, err := writeTemps(root, unstaged, &mkdirs{}, nil) // path → its temporary file
	if err != nil {
		return err
	}
	maps.Copy(temps, staged)
	if useSyncfs {
		if err := syncFilesystem(root); err != nil {
			return err
		}
	}
	err = walkDirs(root, newDirTree(slices.Collect(maps.Keys(temps))), nil, func(d *os.Root, t *dirTree) ([]*dirTree, error) {
		for _, name := range t.files {
			if err := change(func() error { return d.Rename(temps[path.Join(t.rel, name)], name) }); err != nil {
				return nil, err
			}
		}
		if !useSyncfs && len(t.files) > 0 {
			if err := syncDir(d); err != nil {
				return nil, err
			}
		}
		return slices.Collect(maps.Values(t.dirs)), nil
	})
	if err != nil {
		return err
	}
	if useSyncfs {
		return syncFilesystem(root)
	}
	return nil
}

// writeTemps writes the temporary file of each of files, by path, in its
// folder, making missing folders through mk, and gives their names by
// path; on an error, those written so far too. count, when set, counts
// each file written (the staged-N failpoint).
func writeTemps(root *os.Root, files map[string]layout.File, mk *mkdirs, count func()) (map[string]string, error) {
	var mu sync.Mutex
	temps := make(map[string]string, len(files))
	err := walkDirs(root, newDirTree(slices.Collect(maps.Keys(files))), mk, func(d *os.Root, t *dirTree) ([]*dirTree, error) {
		for _, name := range t.files {
			f := files[path.Join(t.rel, name)]
			data, whole := f.Content()
			if !whole {
				return nil, fmt.Errorf("%s: its bytes were let go before they were written", f.Path)
			}
			var tmp string
			write := func() (err error) {
				tmp, err = writeTemp(d, data, f.Mode, !useSyncfs)
				return err
			}
			var err error
			if count != nil {
				err = counted(write, count)
			} else {
				err = write()
			}
			if err != nil {
				return nil, err
			}
			mu.Lock()
			temps[f.Path] = tmp
			mu.Unlock()
		}
		return slices.Collect(maps.Values(t.dirs)), nil
	})
	return temps, err
}

// inDir runs do on the folder rel of root, opened by openDir.
func inDir(root *os.Root, rel string, create bool, do func(*os.Root) error) error {
	d, err := openDir(root, rel, create)
	if err != nil {
		return err
	}
	defer d.Close()
	return do(d)
}

// writeFileAtomic replaces the file name of dir with data so that a reader,
// or a run killed at any instant, sees either the old file or the new one,
// never a part. The rename replaces whatever name holds, a symlink
// included, and never follows it.
func writeFileAtomic(dir *os.Root, name string, data []byte, mode fs.FileMode) error {
	tmp, err := writeTemp(dir, data, mode, true)
	if err != nil {
		return err
	}
	if err := dir.Rename(tmp, name); err != nil {
		dir.Remove(tmp)
		return err
	}
	return nil
}

// writeTemp writes data to a new temporary file of dir and returns its
// name. The chmod comes before any fsync so the mode is as durable as the
// content.
func writeTemp(dir *os.Root, data []byte, mode fs.FileMode, fsync bool) (_ string, err error) {
	tmp, name, err := createTemp(dir)
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil { // a full disk, say: leave no empty temporary file
			tmp.Close()
			dir.Remove(name)
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return "", err
	}
	if err := tmp.Chmod(mode); err != nil { // exact mode: chmod ignores the umask
		return "", err
	}
	if fsync {
		if err := tmp.Sync(); err != nil {
			return "", err
		}
	}
	return name, tmp.Close()
}

// writeDurably replaces the file name at the top of out/ and syncs the
// folder, so the rename survives a machine crash too.
func writeDurably(root *os.Root, name string, data []byte) error {
	if err := writeFileAtomic(root, name, data, layout.ModeFile); err != nil {
		return err
	}
	changed()
	return syncDir(root)
}

// prune deletes owned files that are no longer rendered, then the folders
// those deletions left empty, deepest first. Folders that still hold
// anything, and out/ itself, stay.
func (p *plan) prune(root *os.Root, r *WriteReport) error {
	emptied := map[string]bool{}
	for _, s := range p.steps {
		if s.action != remove {
			continue
		}
		err := inDir(root, path.Dir(s.path), false, func(d *os.Root) error {
			return d.Remove(path.Base(s.path))
		})
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		changed()
		r.Removed = append(r.Removed, s.path)
		for dir := path.Dir(s.path); dir != "."; dir = path.Dir(dir) {
			emptied[dir] = true
		}
	}
	dirs := slices.Collect(maps.Keys(emptied))
	// Deepest first, so a folder emptied by removing its last subfolder goes too.
	slices.SortFunc(dirs, func(a, b string) int {
		return cmp.Or(cmp.Compare(strings.Count(b, "/"), strings.Count(a, "/")), cmp.Compare(a, b))
	})
	for _, dir := range dirs {
		err := inDir(root, path.Dir(dir), false, func(parent *os.Root) error {
			return removeIfEmpty(parent, path.Base(dir))
		})
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// removeIfEmpty deletes the folder name of parent when it holds nothing.
func removeIfEmpty(parent *os.Root, name string) error {
	d, err := openChildDir(parent, name, false)
	if err != nil {
		return err
	}
	entries, err := readDir(d)
	d.Close()
	if err != nil || len(entries) > 0 {
		return err
	}
	return parent.Remove(name)
}
