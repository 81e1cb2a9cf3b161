//go:build unix

package outdir

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestWriteSetsExactModesDespiteUmask(t *testing.T) {
	for _, mask := range []int{0o077, 0o000} {
		old := syscall.Umask(mask)
		out := filepath.Join(t.TempDir(), "out")
		mustWrite(t, out, sampleFiles(), WriteOptions{})
		syscall.Umask(old)

		for _, f := range sampleFiles() {
			info, err := os.Stat(filepath.Join(out, f.Path))
			if err != nil {
				t.Fatal(err)
			}
			if info.Mode() != f.Mode {
				t.Errorf("umask %04o: %s has mode %v, want %v", mask, f.Path, info.Mode(), f.Mode)
			}
		}
		for _, dir := range []string{"", "prod", "prod/ha/acme/mm1"} {
			info, err := os.Stat(filepath.Join(out, dir))
			if err != nil {
				t.Fatal(err)
			}
			if info.Mode().Perm() != 0o755 {
				t.Errorf("umask %04o: folder %q has mode %v, want 0755", mask, dir, info.Mode())
			}
		}
	}
}
