//go:build !linux

package outdir

import "os"

// openScanFolder is out/ itself, read through os.Root (see rootFolder).
func openScanFolder(root *os.Root) (folder, error) {
	top, err := root.OpenRoot(".")
	if err != nil {
		return nil, err
	}
	return rootFolder{top}, nil
}
