package registration

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// LockDataDir takes the service's data folder for this process alone, so
// that removing the locks a killed git left in the clone is safe. The lock
// goes with the process, however it ends.
func LockDataDir(dir string) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s is in use by another fleetgen serve: %w", dir, err)
	}
	return func() { f.Close() }, nil
}
