// Package atomicfile writes a file so that a reader, or a crash, never sees
// half of it: the data goes to a temporary file in the same folder, is
// synced, and is renamed over the target.
//
// It serves the files fleetgen writes outside out/ (the chart lock, the
// inventory files that fmt and the edit commands rewrite); out/ has its own
// writer in package render.
package atomicfile

import (
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFile writes data to name with the given mode, atomically. The
// temporary file is removed when anything fails.
func WriteFile(name string, data []byte, mode fs.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(name), ".fleetgen-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	// CreateTemp makes 0600; the mode is set explicitly, not through umask.
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), name)
}
