package outdir

import (
	"os"

	"golang.org/x/sys/unix"
)

// useSyncfs says that syncFilesystem makes a whole render durable at once.
// Tests turn it off to run the per-file path other systems take.
var useSyncfs = true

// syncFilesystem flushes every file and folder of the filesystem holding
// root to disk with one syncfs(2). For a render of thousands of files it
// replaces an fsync per file and per folder, which cost more than all the
// rest of a cold render.
func syncFilesystem(root *os.Root) error {
	f, err := root.Open(".")
	if err != nil {
		return err
	}
	defer f.Close()
	return unix.Syncfs(int(f.Fd()))
}
