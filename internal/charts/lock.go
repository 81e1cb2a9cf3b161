package charts

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// LockFile is the lock's name inside the cache folder.
const LockFile = "charts.lock.json"

// A Ref names one chart archive: a chart at an exact version in a
// repository (an https:// chart repository or an oci:// registry path).
type Ref struct {
	Repository string
	Chart      string
	Version    string
}

func (r Ref) String() string {
	return fmt.Sprintf("%s %s from %s", r.Chart, r.Version, r.Repository)
}

// FileName is the archive's name in the cache: <chart>-<version>.tgz, the
// name Helm gives a packaged chart.
func (r Ref) FileName() string {
	return r.Chart + "-" + r.Version + ".tgz"
}

func compareRefs(a, b Ref) int {
	return cmp.Or(cmp.Compare(a.Repository, b.Repository), cmp.Compare(a.Chart, b.Chart), cmp.Compare(a.Version, b.Version))
}

// An Entry is one locked chart archive.
type Entry struct {
	Repository string `json:"repository"`
	Chart      string `json:"chart"`
	Version    string `json:"version"`
	// File is the archive's name in the cache folder.
	File string `json:"file"`
	// Digest is the sha256 of the archive in hexadecimal, as a Helm
	// repository's index.yaml lists it.
	Digest string `json:"digest"`
}

// Ref is the chart the entry locks.
func (e Entry) Ref() Ref { return Ref{e.Repository, e.Chart, e.Version} }

// Lock is the lock file: every chart archive of the cache, sorted by
// repository, chart and version.
type Lock struct {
	Charts []Entry `json:"charts"`
}

// readLock reads dir's lock; a missing lock is an empty one.
func readLock(dir string) (*Lock, error) {
	name := filepath.Join(dir, LockFile)
	data, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return &Lock{}, nil
	}
	if err != nil {
		return nil, err
	}
	var l Lock
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	seen := map[Ref]bool{}
	for _, e := range l.Charts {
		switch {
		case seen[e.Ref()]:
			return nil, fmt.Errorf("%s: the chart %s is locked twice", name, e.Ref())
		case e.File != filepath.Base(e.File) || !filepath.IsLocal(e.File) || !strings.HasSuffix(e.File, ".tgz"):
			return nil, fmt.Errorf("%s: the file %q of the chart %s is not a .tgz file name in the cache folder", name, e.File, e.Ref())
		case !validDigest(e.Digest):
			return nil, fmt.Errorf("%s: the digest %q of the chart %s is not a sha256 in hexadecimal", name, e.Digest, e.Ref())
		}
		seen[e.Ref()] = true
	}
	return &l, nil
}

func validDigest(d string) bool {
	if len(d) != 64 {
		return false
	}
	for _, c := range d {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// entry returns the locked entry of ref.
func (l *Lock) entry(ref Ref) (Entry, bool) {
	for _, e := range l.Charts {
		if e.Ref() == ref {
			return e, true
		}
	}
	return Entry{}, false
}

// set records e, replacing the entry of the same chart, keeping the order.
func (l *Lock) set(e Entry) {
	l.Charts = slices.DeleteFunc(l.Charts, func(x Entry) bool { return x.Ref() == e.Ref() })
	l.Charts = append(l.Charts, e)
	slices.SortFunc(l.Charts, func(a, b Entry) int { return compareRefs(a.Ref(), b.Ref()) })
}

// marshal is the lock file's content: indented JSON with a final newline.
func (l *Lock) marshal() []byte {
	if l.Charts == nil {
		l.Charts = []Entry{}
	}
	data, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		panic(err) // strings only: cannot fail
	}
	return append(data, '\n')
}
