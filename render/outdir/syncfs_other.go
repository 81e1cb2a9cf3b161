//go:build !linux

package outdir

import (
	"errors"
	"os"
)

// useSyncfs is false where there is no syncfs(2): Write then syncs each
// file and folder it changes.
var useSyncfs = false

func syncFilesystem(*os.Root) error {
	return errors.New("syncfs is only available on Linux")
}
