package outdir

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"
)

// A dirTree is the folders of out/ a run looks at or writes to, each with
// the names of the files it holds there. Walking it visits every folder once:
// each is opened from its parent, by one path element, and listed once,
// however many files it holds, instead of resolving every file's path from
// the top of out/.
type dirTree struct {
	rel   string // relative to out/, "." for out/ itself
	files []string
	dirs  map[string]*dirTree
}

// newDirTree holds the folders of paths, which are relative to out/.
func newDirTree(paths []string) *dirTree {
	top := &dirTree{rel: ".", dirs: map[string]*dirTree{}}
	for _, p := range paths {
		d := top
		elems := strings.Split(p, "/")
		for _, name := range elems[:len(elems)-1] {
			child := d.dirs[name]
			if child == nil {
				child = &dirTree{rel: path.Join(d.rel, name), dirs: map[string]*dirTree{}}
				d.dirs[name] = child
			}
			d = child
		}
		d.files = append(d.files, elems[len(elems)-1])
	}
	return top
}

// all calls f on every file path under d.
func (d *dirTree) all(f func(rel string)) {
	for _, name := range d.files {
		f(path.Join(d.rel, name))
	}
	for _, child := range d.dirs {
		child.all(f)
	}
}

// workers bounds the goroutines that read or write out/ at once. The work
// is mostly system calls on cached folders and files, which a core runs
// one at a time, so a few per core keep every core busy.
func workers() int { return 4 * runtime.GOMAXPROCS(0) }

// mkdirs makes the missing folders of a walk and remembers which it made.
type mkdirs struct {
	mu   sync.Mutex
	made []string // relative to out/
}

// walkDirs calls visit on every folder of tree, each with its folder opened,
// parents before children, up to workers() folders at once. A child opens
// while its parent is open, by one element, refusing anything that is not a
// folder now (see openChildDir); with mk set, missing folders are made.
// visit returns the children to descend into. Folders are open only while
// visited, so the descriptors in use are bounded by the workers times the
// depth of out/, not by its number of folders.
func walkDirs(root *os.Root, tree *dirTree, mk *mkdirs, visit func(d *os.Root, t *dirTree) ([]*dirTree, error)) error {
	var g errgroup.Group
	g.SetLimit(workers())
	var walk func(d *os.Root, t *dirTree) error
	walk = func(d *os.Root, t *dirTree) error {
		defer d.Close()
		children, err := visit(d, t)
		if err != nil {
			return err
		}
		for _, child := range children {
			cd, made, err := openOrMakeChildDir(d, path.Base(child.rel), mk != nil)
			if err != nil {
				return fmt.Errorf("%s: %w", filepath.Join(root.Name(), filepath.FromSlash(child.rel)), err)
			}
			if made {
				mk.mu.Lock()
				mk.made = append(mk.made, child.rel)
				mk.mu.Unlock()
			}
			// A free worker takes the child; without one, this goroutine
			// walks it itself, so the walk never waits on itself.
			if !g.TryGo(func() error { return walk(cd, child) }) {
				if err := walk(cd, child); err != nil {
					return err
				}
			}
		}
		return nil
	}
	top, err := root.OpenRoot(".")
	if err != nil {
		return err
	}
	g.Go(func() error { return walk(top, tree) })
	return g.Wait()
}

// A scan is what out/ holds at the paths a plan looks at.
type scan struct {
	mu    sync.Mutex
	state map[string]diskState
	temps []string // fleetgen's temporary files in the folders listed, sorted
	// extras are what the folders listed below out/ hold beside the paths
	// looked at and the temporary files: what check reports as unowned
	// when the manifest does not own it either.
	extras []extra
}

// An extra is a name in a folder of out/ that a scan listed but was not
// asked about.
type extra struct {
	rel string
	dir bool
}

// A folder is one folder of out/, open while the scan looks at it. Its
// children open from it by one name, refusing a symlink, so the scan never
// leaves out/ nor follows a link inside it. openScanFolder gives out/
// itself: on Linux through raw descriptors (scan_linux.go), the fewest
// system calls per folder and per file; elsewhere through os.Root.
type folder interface {
	// list gives the names in the folder and their types.
	list() ([]dirEntry, error)
	// child opens the sub-folder name; an error when it is not a folder now.
	child(name string) (folder, error)
	// inspect is what name holds; typ is its type as list gave it.
	inspect(name string, typ fs.FileMode, want expect) (diskState, error)
	close()
}

// A dirEntry is a name of a folder and the type of what it names.
type dirEntry struct {
	name string
	typ  fs.FileMode
}

// scanOut looks at every path of paths under root without following
// symlinks, reading each folder on the way once, up to workers() folders
// at once. rendered maps paths to their rendered content, and sums paths
// to the SHA-256 of content no longer held: a file that holds exactly
// that is marked same and its content is not kept, so a plan holds one
// copy of the unchanged files, not two. A nil root is an empty out/.
func scanOut(root *os.Root, paths []string, rendered map[string][]byte, sums map[string]*[32]byte) (*scan, error) {
	s := &scan{state: make(map[string]diskState, len(paths))}
	if root == nil {
		return s, nil
	}
	top, err := openScanFolder(root)
	if err != nil {
		return nil, err
	}
	var g errgroup.Group
	g.SetLimit(workers())
	var walk func(d folder, t *dirTree) error
	walk = func(d folder, t *dirTree) error {
		defer d.close()
		children, err := s.scanFolder(root, d, t, rendered, sums)
		if err != nil {
			return err
		}
		for _, child := range children {
			cd, err := d.child(path.Base(child.rel))
			if err != nil {
				return fmt.Errorf("%s: %w", filepath.Join(root.Name(), filepath.FromSlash(child.rel)), err)
			}
			// A free worker takes the child; without one, this goroutine
			// scans it itself, so the walk never waits on itself.
			if !g.TryGo(func() error { return walk(cd, child) }) {
				if err := walk(cd, child); err != nil {
					return err
				}
			}
		}
		return nil
	}
	g.Go(func() error { return walk(top, newDirTree(paths)) })
	if err := g.Wait(); err != nil {
		return nil, err
	}
	slices.Sort(s.temps)
	return s, nil
}

// scanFolder records what folder d, the folder t of the tree, holds at
// t's files, and returns the children to descend into.
func (s *scan) scanFolder(root *os.Root, d folder, t *dirTree, rendered map[string][]byte, sums map[string]*[32]byte) ([]*dirTree, error) {
	entries, err := d.list()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(root.Name(), filepath.FromSlash(t.rel)), err)
	}
	types := make(map[string]fs.FileMode, len(entries))
	var temps []string
	for _, e := range entries {
		types[e.name] = e.typ
		if strings.HasPrefix(e.name, tmpPrefix) && e.typ.IsRegular() {
			temps = append(temps, path.Join(t.rel, e.name))
		}
	}
	found := make(map[string]diskState, len(t.files))
	for _, name := range t.files {
		rel := path.Join(t.rel, name)
		typ, ok := types[name]
		if !ok {
			found[rel] = diskState{kind: onDiskMissing}
			continue
		}
		delete(types, name) // what is left is extra
		st, err := d.inspect(name, typ, expect{rendered[rel], sums[rel]})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(root.Name(), filepath.FromSlash(rel)), err)
		}
		found[rel] = st
	}
	var descend []*dirTree
	for _, name := range slices.Sorted(maps.Keys(t.dirs)) {
		child := t.dirs[name]
		typ, ok := types[name]
		switch {
		case !ok:
			child.all(func(rel string) { found[rel] = diskState{kind: onDiskMissing} })
		case typ.IsDir():
			descend = append(descend, child)
		default: // a file or symlink where a folder belongs
			child.all(func(rel string) { found[rel] = diskState{kind: onDiskBadParent, parent: child.rel} })
		}
		delete(types, name)
	}
	// out/ itself holds every environment's folder and fleetgen's own
	// files: Check lists it apart.
	var extras []extra
	if t.rel != "." {
		for name, typ := range types {
			if !strings.HasPrefix(name, tmpPrefix) || !typ.IsRegular() {
				extras = append(extras, extra{path.Join(t.rel, name), typ.IsDir()})
			}
		}
	}
	s.mu.Lock()
	maps.Copy(s.state, found)
	s.temps = append(s.temps, temps...)
	s.extras = append(s.extras, extras...)
	s.mu.Unlock()
	return descend, nil
}

// typeState is the state of what is not a regular file, by its type.
func typeState(typ fs.FileMode) (diskState, bool) {
	switch {
	case typ.IsDir():
		return diskState{kind: onDiskDir}, true
	case typ&fs.ModeSymlink != 0:
		return diskState{kind: onDiskSymlink}, true
	case !typ.IsRegular():
		return diskState{kind: onDiskOther}, true
	}
	return diskState{}, false
}

// expect is what a scan compares a file with: its rendered content or,
// once that was let go, the content's SHA-256; neither when there is
// nothing to compare with.
type expect struct {
	data []byte
	sum  *[32]byte
}

func (e expect) matches(data []byte) bool {
	if e.sum != nil {
		return sha256.Sum256(data) == *e.sum
	}
	return e.data != nil && bytes.Equal(data, e.data)
}

// fileState is the state of a regular file of mode m holding data, which
// is a reused buffer: only content that differs from what is expected is
// copied.
func fileState(data []byte, m fs.FileMode, want expect) diskState {
	st := diskState{kind: onDiskFile, mode: m & modeBits}
	if want.matches(data) {
		st.same = true
	} else {
		st.data = bytes.Clone(data)
	}
	return st
}

// errChanged is a file whose size changed between its stat and its read.
var errChanged = errors.New("changed while fleetgen read it")

// readBuffer gives a buffer of at least size+1 bytes from readBuffers; the
// byte past size tells a file that grew since its stat.
func readBuffer(size int) *[]byte {
	bp := readBuffers.Get().(*[]byte)
	if cap(*bp) < size+1 {
		*bp = make([]byte, size+1)
	}
	return bp
}

// rootFolder is a folder read through os.Root, on systems without
// scan_linux.go's descriptors.
type rootFolder struct{ *os.Root }

func (d rootFolder) list() ([]dirEntry, error) {
	entries, err := readDir(d.Root)
	if err != nil {
		return nil, err
	}
	out := make([]dirEntry, len(entries))
	for i, e := range entries {
		out[i] = dirEntry{e.Name(), e.Type()}
	}
	return out, nil
}

func (d rootFolder) child(name string) (folder, error) {
	cd, err := openChildDir(d.Root, name, false)
	if err != nil {
		return nil, err
	}
	return rootFolder{cd}, nil
}

func (d rootFolder) close() { d.Close() }

// inspect: a file swapped for something else since the listing is seen
// as what the open finds; the operations that act re-check (see
// outroot.go).
func (d rootFolder) inspect(name string, typ fs.FileMode, want expect) (diskState, error) {
	if st, ok := typeState(typ); ok {
		return st, nil
	}
	f, err := d.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return diskState{kind: onDiskMissing}, nil
	}
	if err != nil {
		return diskState{}, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return diskState{}, err
	}
	if !info.Mode().IsRegular() {
		return d.inspect(name, info.Mode().Type(), want)
	}
	size := int(info.Size())
	bp := readBuffer(size)
	defer readBuffers.Put(bp)
	buf := (*bp)[:size+1]
	if _, err := io.ReadFull(f, buf[:size]); err != nil {
		return diskState{}, err
	}
	if extra, _ := f.Read(buf[size:]); extra > 0 {
		return diskState{}, errChanged
	}
	return fileState(buf[:size], info.Mode(), want), nil
}

// readBuffers hold the files the scan reads. Nearly every file of a no-op
// render or a check equals its rendered content and is dropped once
// compared, so reading into a reused buffer saves allocating, and
// collecting, a second copy of the whole tree.
var readBuffers = sync.Pool{New: func() any { return new([]byte) }}
