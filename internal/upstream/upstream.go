package upstream

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// EnvDir names the environment variable that overrides where the data set is.
const EnvDir = "FLEETGEN_UPSTREAM"

// Data is one upstream data folder.
type Data struct {
	dir string
}

// Open opens the data set at dir.
func Open(dir string) (*Data, error) {
	if _, err := os.Stat(filepath.Join(dir, "README.md")); err != nil {
		return nil, fmt.Errorf("upstream data set %s: %w (set %s to its folder)", dir, err, EnvDir)
	}
	return &Data{dir: dir}, nil
}

// Locate opens the data set named by $FLEETGEN_UPSTREAM, or else
// ../shared/upstream from the repository root, which it finds by walking
// up from the working directory to go.mod.
func Locate() (*Data, error) {
	if dir := os.Getenv(EnvDir); dir != "" {
		return Open(dir)
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return Open(filepath.Join(dir, "..", "shared", "upstream"))
		}
		if filepath.Dir(dir) == dir {
			return nil, fmt.Errorf("no go.mod above %s, so no ../shared/upstream (set %s)", wd, EnvDir)
		}
	}
}

// Dir is the data set's folder.
func (d *Data) Dir() string { return d.dir }

// NotCoveredError says the data set has nothing about something a test
// asked for: the test must fail and say so, never pass.
type NotCoveredError struct {
	What string
}

func (e *NotCoveredError) Error() string {
	return fmt.Sprintf("the upstream data set does not cover %s: add its data to ../shared/upstream (see its README.md)", e.What)
}

// IsNotCovered reports whether err is, or wraps, a *NotCoveredError.
func IsNotCovered(err error) bool {
	var nc *NotCoveredError
	return errors.As(err, &nc)
}

func (d *Data) path(elem ...string) string {
	return filepath.Join(append([]string{d.dir}, elem...)...)
}
