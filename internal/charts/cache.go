package charts

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"

	"github.com/mattermost/fleetgen/inventory"
)

// Cache is a chart cache folder and its lock.
type Cache struct {
	Dir  string
	lock *Lock
}

// Open reads the lock of the cache in dir. The folder need not exist yet:
// an absent cache is an empty one, which Pull creates.
func Open(dir string) (*Cache, error) {
	l, err := readLock(dir)
	if err != nil {
		return nil, err
	}
	return &Cache{Dir: dir, lock: l}, nil
}

// NotCachedError says a chart the inventory needs is not in the cache.
type NotCachedError struct {
	Ref    Ref
	Locked bool   // the lock has it, the file is missing
	Path   string // where the archive should be
}

func (e *NotCachedError) Error() string {
	if e.Locked {
		return fmt.Sprintf("the chart %s is locked but its archive %s is missing", e.Ref, e.Path)
	}
	return fmt.Sprintf("the chart %s is not in the lock", e.Ref)
}

// DigestError says an archive is not the one its lock or repository lists.
type DigestError struct {
	Ref              Ref
	Path             string // the cached archive; empty for a download
	Source           string // who lists Expected: "the lock" or "the repository's index"
	Expected, Actual string
}

func (e *DigestError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("the downloaded archive of the chart %s has the sha256 digest %s, but %s lists %s", e.Ref, e.Actual, e.Source, e.Expected)
	}
	return fmt.Sprintf("the archive %s of the chart %s has the sha256 digest %s, but %s lists %s", e.Path, e.Ref, e.Actual, e.Source, e.Expected)
}

// Load reads the archive of ref from the cache and checks it against the
// lock. It never touches the network.
func (c *Cache) Load(ref Ref) ([]byte, error) {
	e, ok := c.lock.entry(ref)
	if !ok {
		return nil, &NotCachedError{Ref: ref, Path: filepath.Join(c.Dir, ref.FileName())}
	}
	name := filepath.Join(c.Dir, e.File)
	data, err := readArchive(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &NotCachedError{Ref: ref, Locked: true, Path: name}
	}
	if err != nil {
		return nil, err
	}
	if d := Digest(data); d != e.Digest {
		return nil, &DigestError{Ref: ref, Path: name, Source: "the lock", Expected: e.Digest, Actual: d}
	}
	return data, nil
}

// readArchive reads a cached archive, which must be a regular file: a
// symbolic link (a checkout can hold one) could make fleetgen read any
// file of the machine, or /dev/zero forever.
func readArchive(name string) ([]byte, error) {
	fi, err := os.Lstat(name)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("the cached archive %s is not a regular file (%s)", name, fi.Mode().Type())
	}
	return os.ReadFile(name)
}

// Digest is the sha256 of data in hexadecimal, the form of index.yaml.
func Digest(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// RefOf is the chart an app deploys.
func RefOf(app *inventory.App) Ref {
	return Ref{Repository: app.Repository, Chart: app.Chart, Version: app.Version}
}

// LoadApps loads the chart archive of each app. A chart missing from the
// cache or whose archive does not match the lock is a diagnostic at the
// app's version; other failures (an unreadable file) are errors.
func (c *Cache) LoadApps(apps []*inventory.App) (map[*inventory.App][]byte, hcl.Diagnostics, error) {
	out := map[*inventory.App][]byte{}
	var diags hcl.Diagnostics
	for _, app := range apps {
		data, err := c.Load(RefOf(app))
		var notCached *NotCachedError
		var digest *DigestError
		switch {
		case errors.As(err, &notCached):
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Chart not in the cache",
				Detail: fmt.Sprintf("The app %q is hydrated, so its chart %q version %q from %s must be in the chart cache, and %s. Run \"fleetgen charts pull\" to download it and record its digest; render never downloads.",
					app.Name, app.Chart, app.Version, app.Repository, notCachedReason(notCached)),
				Subject: at(app.VersionRange, app.DeclRange).Ptr(),
			})
		case errors.As(err, &digest):
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Chart digest mismatch",
				Detail: fmt.Sprintf("The cached archive %s of the chart %q version %q (app %q) has the sha256 digest %s, but %s records %s. The file was changed or replaced after it was locked: delete it and run \"fleetgen charts pull\" to download it again.",
					digest.Path, app.Chart, app.Version, app.Name, digest.Actual, LockFile, digest.Expected),
				Subject: at(app.VersionRange, app.DeclRange).Ptr(),
			})
		case err != nil:
			return nil, nil, err
		default:
			out[app] = data
		}
	}
	return out, diags, nil
}

func notCachedReason(e *NotCachedError) string {
	if e.Locked {
		return fmt.Sprintf("%s locks it but the archive %s is missing", LockFile, e.Path)
	}
	return fmt.Sprintf("%s has no entry for it", LockFile)
}

// at is r when the attribute was written, else the block's range.
func at(r, block hcl.Range) hcl.Range {
	if r.Filename == "" {
		return block
	}
	return r
}
