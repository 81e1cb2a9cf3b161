package outdir

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"errors"
	"maps"
	"os"
	"slices"
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
// files that differ, not the whole fleet.
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
	keep bool // Add keeps every file's bytes (KeepData)

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
// run holds it. It returns nil, and no error, when outDir does not exist
// yet: there is nothing to read ahead. The caller closes it after the
// Write or Check.
func Prefetch(outDir string, write bool) (*Prefetcher, error) {
	root, err := openOut(outDir)
	if root == nil || err != nil {
		return nil, err
	}
	unlock, took, err := lockOut(root, write)
	if err != nil {
		root.Close()
		return nil, err
	}
	p := &Prefetcher{
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

// KeepData makes Add keep every file's bytes, for a caller that needs
// them all after the check (explain against a git commit hashes each).
// KeepData on a nil Prefetcher does nothing.
func (p *Prefetcher) KeepData() {
	if p != nil {
		p.keep = true
	}
}

// Add compares files, one environment's rendered files, with out/ and
// returns them, with the bytes let go (layout.File.Sum) of each file out/
// holds exactly as rendered. It may be called from several goroutines at
// once; the caller passes the files it returns, not files, to the Check or
// Write. Add on a nil Prefetcher returns files.
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
	s, err := scanOut(p.root, paths, rendered)
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
		if !p.keep && f.Sum == nil && st.kind == onDiskFile && st.same && st.mode == f.Mode {
			sum := sha256.Sum256(f.Data)
			f.Data, f.Sum = nil, &sum
			r.rendered, r.released = nil, true
		}
		kept[i], read[f.Path] = f, r
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	maps.Copy(p.read, read)
	for _, t := range s.temps {
		p.temps[t] = true
	}
	p.extras = append(p.extras, s.extras...)
	return kept
}

// Close releases the lock and out/. Close on a nil Prefetcher does nothing.
func (p *Prefetcher) Close() {
	if p == nil {
		return
	}
	p.wg.Wait()
	p.unlock()
	p.root.Close()
}

// errPrefetchMode is a Prefetcher given to the operation it was not
// opened for: a Write needs the exclusive lock.
var errPrefetchMode = errors.New("outdir: a Prefetcher opened for a check cannot serve a write")

// take waits for the reads under way and gives what they found at the
// paths of rendered whose rendered content is what was compared, the
// temporary files and the extras seen; the caller reads the other paths
// itself. It empties p, whose reads are then the caller's.
func (p *Prefetcher) take(rendered map[string][]byte) (map[string]diskState, []string, []extra, error) {
	if p == nil {
		return nil, nil, nil, nil
	}
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return nil, nil, nil, p.err
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
	return found, slices.Sorted(maps.Keys(p.temps)), p.extras, nil
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
