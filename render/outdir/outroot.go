package outdir

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
)

// Every operation of Write and Check on out/ goes through one *os.Root
// opened on it. The kernel resolves each path relative to that directory
// (openat), one element at a time, and refuses a symlink or ".." that leads
// out of it, atomically per operation: swapping a folder of out/ for a
// symlink to /etc between the plan and the write makes the write fail, it
// cannot land in /etc.
//
// os.Root still follows symlinks that stay inside the root. Write refuses
// those too, as its plan does: openDir and openFile below check, after
// opening, that what they opened is what the name holds without following
// links, so a folder or file swapped for an in-tree symlink fails the render
// instead of redirecting it to another file of out/.

// openOut opens outDir for Check, which must not create it: nil, and no
// error, when it does not exist. A nil root reads as an empty out/.
func openOut(outDir string) (*os.Root, error) {
	root, err := os.OpenRoot(outDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return root, err
}

// readOutFile reads name, relative to root, following no link out of it.
func readOutFile(root *os.Root, name string) ([]byte, error) {
	if root == nil {
		return nil, fs.ErrNotExist
	}
	return root.ReadFile(name)
}

// openDir opens the folder rel of root as a root of its own, one element at
// a time, refusing an element that is not a directory (a symlink, even one
// that stays inside out/). With create, it makes missing folders, 0755
// whatever the umask. The caller closes the result.
func openDir(root *os.Root, rel string, create bool) (*os.Root, error) {
	d, err := root.OpenRoot(".")
	if err != nil || rel == "." {
		return d, err
	}
	for _, elem := range strings.Split(rel, "/") {
		next, err := openChildDir(d, elem, create)
		d.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(root.Name(), filepath.FromSlash(rel)), err)
		}
		d = next
	}
	return d, nil
}

// openChildDir opens the folder name of parent, a single path element.
func openChildDir(parent *os.Root, name string, create bool) (*os.Root, error) {
	dir, _, err := openOrMakeChildDir(parent, name, create)
	return dir, err
}

// openOrMakeChildDir is openChildDir, saying whether it made the folder.
func openOrMakeChildDir(parent *os.Root, name string, create bool) (_ *os.Root, created bool, _ error) {
	if create {
		err := parent.Mkdir(name, 0o755)
		if err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, false, err
		}
		created = err == nil
	}
	dir, err := parent.OpenRoot(name)
	if err != nil {
		return nil, false, err
	}
	err = openedUnlinked(parent, name, func() (fs.FileInfo, error) { return dir.Stat(".") })
	if err == nil && created {
		err = chmodOpened(dir, ".", 0o755) // exact mode: mkdir applies the umask
	}
	if err != nil {
		dir.Close()
		return nil, false, err
	}
	return dir, created, nil
}

// openFile opens the regular file name of dir, a single path element,
// refusing a symlink, even one that stays inside out/. The Lstat before
// keeps O_CREATE from creating the target of a dangling link; the check
// after catches a link put there in between.
func openFile(dir *os.Root, name string, flag int, perm fs.FileMode) (*os.File, error) {
	if info, err := dir.Lstat(name); err == nil && !info.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "open", Path: path.Join(dir.Name(), name), Err: errors.New("not a regular file")}
	}
	f, err := dir.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	if err := openedUnlinked(dir, name, f.Stat); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// openedUnlinked checks that what was opened at name in parent, described
// by stat, is what name holds itself, not the target of a symlink put there
// between a check and the open.
func openedUnlinked(parent *os.Root, name string, stat func() (fs.FileInfo, error)) error {
	opened, err := stat()
	if err != nil {
		return err
	}
	here, err := parent.Lstat(name)
	if err != nil {
		return err
	}
	if !os.SameFile(opened, here) {
		return &fs.PathError{Op: "open", Path: path.Join(parent.Name(), name), Err: errors.New("replaced by a symbolic link while fleetgen was using it")}
	}
	return nil
}

// chmodOpened sets the mode of the regular file or folder name of dir
// through a descriptor (fchmod), which cannot be redirected by a symlink.
func chmodOpened(dir *os.Root, name string, mode fs.FileMode) error {
	var f *os.File
	var err error
	if name == "." {
		// The folder itself, which no link can replace: fchmodat on the
		// root's own descriptor, one system call where opening "." for an
		// fchmod makes eight (a cold render makes tens of thousands of
		// folders). Kernels before fchmodat2 (Linux 6.6) without /proc
		// refuse it: then through a descriptor as for a file.
		if err := dir.Chmod(".", mode); !errors.Is(err, errors.ErrUnsupported) && !errors.Is(err, syscall.EOPNOTSUPP) {
			return err
		}
		f, err = dir.Open(".")
	} else {
		f, err = openFile(dir, name, os.O_RDONLY, 0)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Chmod(mode)
}

// readDir lists the folder dir.
func readDir(dir *os.Root) ([]fs.DirEntry, error) {
	f, err := dir.Open(".")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.ReadDir(-1)
}

// syncDir makes the renames and deletions in dir durable.
func syncDir(dir *os.Root) error {
	f, err := dir.Open(".")
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) { // some filesystems cannot sync folders
		return err
	}
	return nil
}

// createTemp creates a new temporary file in dir, mode 0600 until the
// caller sets its own. O_EXCL never follows a symlink, even inside dir.
func createTemp(dir *os.Root) (*os.File, string, error) {
	for range 10 {
		name := tmpPrefix + rand.Text()
		f, err := dir.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if !errors.Is(err, fs.ErrExist) {
			return f, name, err
		}
	}
	return nil, "", fmt.Errorf("%s: cannot find a free temporary file name", dir.Name())
}
