package outdir

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/mattermost/fleetgen/render/layout"
)

// A Prefetcher reads out/ while the inventory renders: it holds out/ open
// and locked from before the render until the Check or Write that follows
// (given it in their options), and compares each environment's files with
// out/ as soon as that environment has rendered, while the next ones
// render. Check and Write then take what it read instead of reading those
// paths again; they read the rest (files no longer rendered) themselves.
//
// A file out/ already holds exactly as rendered, content and mode, needs
// nothing more than its manifest entry: Add lets its bytes go, keeping
// their SHA-256, so a check or no-op render of a large fleet holds the
// files that differ, not the whole fleet. For a Write, Add also stages
// each new or changed file: it writes the temporary file Write would
// write, in the file's folder, and lets the bytes go too. Write renames
// the staged files as its own; Close deletes whatever a Write did not
// take, and the folders, out/ included, that Prefetch and Add made for
// them, so a render that stops before writing leaves out/ as it was.
// Staging comes before Write's journal, like any temporary file: a run
// killed meanwhile leaves temporary files only, which the next run
// removes.
//
// It serves one Check or Write, and changes nothing of what they decide:
// it reads under the same lock they would hold, and a path whose rendered
// content is not, byte for byte, the content it compared is read again.
type Prefetcher struct {
	root   *os.Root
	unlock func()
	write  bool
	took   string // the run whose lock this one took over (lockOut)

	wg   sync.WaitGroup
	keep func(path string, data []byte) bool // Add keeps these files' bytes (Keep); nil: none

	// What this run made before its Write, undone by Close unless a
	// Write finished (written).
	madeOut bool              // Prefetch made out/ itself
	mk      mkdirs            // the folders Add made
	staged  map[string]string // path → its staged temporary file
	written bool

	// The manifest, read while the first environments render.
	old    *manifest
	oldRaw []byte
	oldErr error

	mu     sync.Mutex
	read   map[string]prefetched
	temps  map[string]bool
	extras []extra
	err    error
}

// prefetched is what a Prefetcher found at a path, and the rendered
// content it compared it with: nil when it let that go (released).
type prefetched struct {
	state    diskState
	rendered []byte
	released bool
}

// Prefetch opens and locks outDir, exclusive for a Write (write) and
// shared for a Check, as they would, and fails as they would when another
// run holds it. For a Write it makes outDir when that is missing and its
// parent is not (the first render); Close removes it again unless the
// Write finished. Otherwise it returns nil, and no error, when outDir
// does not exist: there is nothing to read ahead. The caller closes it
// after the Write or Check.
func Prefetch(outDir string, write bool) (*Prefetcher, error) {
	root, err := openOut(outDir)
	if err != nil {
		return nil, err
	}
	made := false
	if root == nil && write {
		if err := os.Mkdir(outDir, 0o755); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, nil // Write makes the parents too
			}
			return nil, err
		}
		made = true
		if err := os.Chmod(outDir, 0o755); err != nil { // exact mode: mkdir applies the umask
			os.Remove(outDir)
			return nil, err
		}
		if root, err = os.OpenRoot(outDir); err != nil {
			os.Remove(outDir)
			return nil, err
		}
	}
	if root == nil {
		return nil, nil
	}
	unlock, took, err := lockOut(root, write)
	if err != nil {
		root.Close()
		if made {
			os.Remove(outDir)
		}
		return nil, err
	}
	p := &Prefetcher{
		madeOut: made, staged: map[string]string{},
		root: root, unlock: unlock, write: write, took: took,
		read: map[string]prefetched{}, temps: map[string]bool{},
	}
	p.wg.Go(func() { p.old, p.oldRaw, p.oldErr = readManifest(root) })
	return p, nil
}

// manifest is readManifest of root, read ahead when p is set.
func (p *Prefetcher) manifest(root *os.Root) (*manifest, []byte, error) {
	if p == nil {
		return readManifest(root)
	}
	p.wg.Wait()
	return p.old, p.oldRaw, p.oldErr
}

// Keep makes Add keep the bytes of the files keep names, for a caller
// that needs them after the check (explain against a git commit needs
// those the commit does not hold as rendered), and makes Verify refuse
// every file: a cache holds no bytes. Keep on a nil Prefetcher does
// nothing.
func (p *Prefetcher) Keep(keep func(path string, data []byte) bool) {
	if p != nil {
		p.keep = keep
	}
}

// Add compares files, one environment's rendered files, with out/ and
// returns them, with the bytes let go (layout.File.Sum) of each file out/
// holds exactly as rendered and, for a Write, of each file it staged. It
// may be called from several goroutines at once; the caller passes the
// files it returns, not files, to the Check or Write. Add on a nil
// Prefetcher returns files.
func (p *Prefetcher) Add(files []layout.File) []layout.File {
	if p == nil || len(files) == 0 {
		return files
	}
	rendered := make(map[string][]byte, len(files))
	paths := make([]string, len(files))
	for i, f := range files {
		rendered[f.Path] = f.Data
		paths[i] = f.Path
	}
	s, err := scanOut(p.root, paths, rendered, nil)
	if err != nil {
		p.mu.Lock()
		p.err = cmp.Or(p.err, err)
		p.mu.Unlock()
		return files
	}
	staged, err := p.stage(files, s)
	if err != nil {
		p.mu.Lock()
		p.err = cmp.Or(p.err, err)
		p.mu.Unlock()
		return files
	}
	kept := make([]layout.File, len(files))
	read := make(map[string]prefetched, len(files))
	for i, f := range files {
		st := s.state[f.Path]
		r := prefetched{state: st, rendered: f.Data}
		_, isStaged := staged[f.Path]
		if f.Sum == nil && (isStaged || st.kind == onDiskFile && st.same && st.mode == f.Mode) && (p.keep == nil || !p.keep(f.Path, f.Data)) {
			sum := sha256.Sum256(f.Data)
			f.Data, f.Sum = nil, &sum
			r.rendered, r.released = nil, true
		}
		kept[i], read[f.Path] = f, r
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	maps.Copy(p.read, read)
	maps.Copy(p.staged, staged)
	for _, t := range s.temps {
		p.temps[t] = true
	}
	p.extras = append(p.extras, s.extras...)
	return kept
}

// Verify compares files, one environment's files as a render cache
// remembers them (a Sum each, no bytes), with out/. When out/ holds every
// one of them with that content and mode, it records them as Add records
// the files it let go, and returns true: the Check or Write takes them
// as they are, without the environment being rendered. Otherwise it
// records nothing and returns false: the caller renders the environment
// and gives its files to Add, which reads them again (a cache hit is
// nearly always a clean out/, so that costs only the rare miss). Verify
// on a nil Prefetcher (no out/ yet) returns false.
func (p *Prefetcher) Verify(files []layout.File) bool {
	if p == nil || p.keep != nil || len(files) == 0 {
		return false
	}
	paths := make([]string, len(files))
	sums := make(map[string]*[32]byte, len(files))
	for i, f := range files {
		if _, whole := f.Content(); whole {
			return false // not what a cache gives
		}
		paths[i], sums[f.Path] = f.Path, f.Sum
	}
	s, err := scanOut(p.root, paths, nil, sums)
	if err != nil {
		return false // Add reads again, and reports what went wrong
	}
	read := make(map[string]prefetched, len(files))
	for _, f := range files {
		st := s.state[f.Path]
		if st.kind != onDiskFile || !st.same || st.mode != f.Mode {
			return false
		}
		read[f.Path] = prefetched{state: st, released: true}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	maps.Copy(p.read, read)
	for _, t := range s.temps {
		p.temps[t] = true
	}
	p.extras = append(p.extras, s.extras...)
	return true
}

// stage writes, for a Write, the temporary file of each of files that
// out/ lacks or holds with other content (s), and gives their names by
// path. What is in the way (a folder, a link, a file where a folder
// belongs) is left to Write to refuse.
func (p *Prefetcher) stage(files []layout.File, s *scan) (map[string]string, error) {
	if !p.write || p.keep != nil {
		return nil, nil
	}
	byPath := map[string]layout.File{}
	for _, f := range files {
		st := s.state[f.Path]
		if f.Sum == nil && (st.kind == onDiskMissing || st.kind == onDiskFile && !st.same) {
			byPath[f.Path] = f
		}
	}
	if len(byPath) == 0 {
		return nil, nil
	}
	staged, err := writeTemps(p.root, byPath, &p.mk, stagedOne)
	if err != nil {
		p.mu.Lock()
		maps.Copy(p.staged, staged) // for Close to remove
		p.mu.Unlock()
		return nil, err
	}
	return staged, nil
}

// wrote records that a Write with p finished: what p made is its now.
func (p *Prefetcher) wrote() {
	if p != nil {
		p.written = true
	}
}

// Close undoes what p made for a Write that did not finish (the staged
// files, then the folders made for them, deepest first, when empty, and
// out/ when Prefetch made it), then releases the lock and out/. Close on
// a nil Prefetcher does nothing.
func (p *Prefetcher) Close() {
	if p == nil {
		return
	}
	p.wg.Wait()
	if !p.written {
		p.undo()
	}
	p.unlock()
	p.root.Close()
	if p.madeOut && !p.written {
		os.Remove(p.root.Name()) // only when empty: a render that stopped leaves it as it found it
	}
}

// undo deletes what p made, as far as it can: what it cannot delete is a
// temporary file the next render removes, or a folder that holds
// something.
func (p *Prefetcher) undo() {
	for rel, tmp := range p.staged {
		p.root.Remove(path.Join(path.Dir(rel), tmp))
	}
	made := p.mk.made
	slices.SortFunc(made, func(a, b string) int {
		return cmp.Or(cmp.Compare(strings.Count(b, "/"), strings.Count(a, "/")), cmp.Compare(a, b))
	})
	for _, dir := range made {
		p.root.Remove(dir) // fails unless empty
	}
	if p.madeOut {
		p.root.Remove(layout.LockName)
	}
}

// errPrefetchMode is a Prefetcher given to the operation it was not
// opened for: a Write needs the exclusive lock.
var errPrefetchMode = errors.New("outdir: a Prefetcher opened for a check cannot serve a write")

// take waits for the reads under way and gives what they found at the
// paths of rendered whose rendered content is what was compared, the
// temporary files and the extras seen, and the staged files of those
// paths; the caller reads the other paths itself. It empties p, whose
// reads are then the caller's.
func (p *Prefetcher) take(rendered map[string][]byte) (map[string]diskState, []string, []extra, map[string]string, error) {
	if p == nil {
		return nil, nil, nil, nil, nil
	}
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return nil, nil, nil, nil, p.err
	}
	found := make(map[string]diskState, len(p.read))
	for rel, r := range p.read {
		data, ok := rendered[rel]
		switch {
		case !ok:
		case r.released:
			// The caller holds the file Add gave back, bytes let go.
			if data == nil {
				found[rel] = r.state
			}
		case bytes.Equal(data, r.rendered):
			// The same slice in nearly every case: bytes.Equal then
			// returns at once.
			found[rel] = r.state
		}
	}
	p.read = nil
	staged := map[string]string{}
	for rel, tmp := range p.staged {
		if _, ok := found[rel]; ok {
			staged[rel] = tmp
		}
	}
	return found, slices.Sorted(maps.Keys(p.temps)), p.extras, staged, nil
}

// tookOver names the run that died holding the lock p took over; "" for
// a nil p or a lock released cleanly.
func (p *Prefetcher) tookOver() string {
	if p == nil {
		return ""
	}
	return p.took
}

// rootFor is the open, locked out/ of p for outDir, or nil when p is nil.
func (p *Prefetcher) rootFor(write bool) (*os.Root, error) {
	if p == nil {
		return nil, nil
	}
	if write && !p.write {
		return nil, errPrefetchMode
	}
	return p.root, nil
}
