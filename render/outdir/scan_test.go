package outdir

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestScanSeesEveryKindOfEntryBothWays: the scan through descriptors
// (Linux) and through os.Root (every other system) see the same thing at
// every kind of path: a file as rendered, one that differs (kept), an
// empty one, one larger than any buffer before, a mode change, a missing
// path, a folder, a symlink and a FIFO where a file belongs, a symlink and
// a file where a folder belongs, and fleetgen's temporary files.
func TestScanSeesEveryKindOfEntryBothWays(t *testing.T) {
	out := t.TempDir()
	big := bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB
	put(t, out, "e/same", "same\n")
	put(t, out, "e/differs", "on disk\n")
	put(t, out, "e/empty", "")
	if err := os.WriteFile(filepath.Join(out, "e/big"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	put(t, out, "e/script", "#!/bin/sh\n")
	if err := os.Chmod(filepath.Join(out, "e/script"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(out, "e/dir/sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("same", filepath.Join(out, "e/link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("dir", filepath.Join(out, "e/linkdir")); err != nil {
		t.Fatal(err)
	}
	put(t, out, "e/notdir", "a file\n")
	put(t, out, "e/deep/er/file", "deep\n")
	put(t, out, "e/deep/"+tmpPrefix+"left", "left by a killed run\n")
	fifo := runtime.GOOS != "windows"
	if fifo {
		if err := syscall.Mkfifo(filepath.Join(out, "e/fifo"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rendered := map[string][]byte{
		"e/same": []byte("same\n"), "e/differs": []byte("rendered\n"), "e/empty": {},
		"e/big": big, "e/script": []byte("#!/bin/sh\n"), "e/missing": []byte("x"),
		"e/dir": []byte("x"), "e/link": []byte("same\n"), "e/linkdir/f": []byte("x"),
		"e/notdir/f": []byte("x"), "e/deep/er/file": []byte("deep\n"), "e/gone/f": []byte("x"),
	}
	want := map[string]diskState{
		"e/same":         {kind: onDiskFile, mode: 0o644, same: true},
		"e/differs":      {kind: onDiskFile, mode: 0o644, data: []byte("on disk\n")},
		"e/empty":        {kind: onDiskFile, mode: 0o644, same: true},
		"e/big":          {kind: onDiskFile, mode: 0o644, same: true},
		"e/script":       {kind: onDiskFile, mode: 0o755, same: true},
		"e/missing":      {kind: onDiskMissing},
		"e/dir":          {kind: onDiskDir},
		"e/link":         {kind: onDiskSymlink},
		"e/linkdir/f":    {kind: onDiskBadParent, parent: "e/linkdir"},
		"e/notdir/f":     {kind: onDiskBadParent, parent: "e/notdir"},
		"e/deep/er/file": {kind: onDiskFile, mode: 0o644, same: true},
		"e/gone/f":       {kind: onDiskMissing},
	}
	if fifo {
		rendered["e/fifo"] = []byte("x")
		want["e/fifo"] = diskState{kind: onDiskOther}
	}
	var paths []string
	for p := range rendered {
		paths = append(paths, p)
	}
	paths = append(paths, "e/unrendered") // an orphan: looked at, not rendered
	want["e/unrendered"] = diskState{kind: onDiskMissing}
	for _, fd := range []bool{true, false} {
		t.Run(map[bool]string{true: "descriptors", false: "os.Root"}[fd], func(t *testing.T) {
			defer func(was bool) { useFdScan = was }(useFdScan)
			useFdScan = fd
			s, err := scanOut(openRoot(t, out), paths, rendered, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, s.state, cmp.AllowUnexported(diskState{})); diff != "" {
				t.Errorf("scan (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"e/deep/" + tmpPrefix + "left"}, s.temps); diff != "" {
				t.Errorf("temporary files (-want +got):\n%s", diff)
			}
		})
	}
}
