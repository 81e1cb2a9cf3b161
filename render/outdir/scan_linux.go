package outdir

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// fdFolder is a folder of out/ read through its raw descriptor: a check
// or a no-op render reads every folder and file of out/, and os.Root
// spends more system calls on each (an open per listing, stats that check
// the open did not follow a link) than the reading itself. Here a folder
// costs an openat that refuses a symlink (O_NOFOLLOW|O_DIRECTORY), its
// getdents and a close; a file an openat that refuses a symlink, an fstat,
// one read and a close.
type fdFolder struct{ fd int }

// useFdScan says that the scan reads through descriptors. Tests turn it
// off to run the os.Root path other systems take.
var useFdScan = true

// openScanFolder is out/ itself, on a descriptor of its own.
func openScanFolder(root *os.Root) (folder, error) {
	if !useFdScan {
		top, err := root.OpenRoot(".")
		if err != nil {
			return nil, err
		}
		return rootFolder{top}, nil
	}
	f, err := root.Open(".")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	raw, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	var fd int
	var dupErr error
	if err := raw.Control(func(s uintptr) { fd, dupErr = unix.FcntlInt(s, unix.F_DUPFD_CLOEXEC, 0) }); err != nil {
		return nil, err
	}
	if dupErr != nil {
		return nil, os.NewSyscallError("fcntl", dupErr)
	}
	return fdFolder{fd}, nil
}

func (d fdFolder) close() { unix.Close(d.fd) }

// direntBuffers hold the listings of folders.
var direntBuffers = sync.Pool{New: func() any { b := make([]byte, 16<<10); return &b }}

// list reads the folder's linux_dirent64 records.
func (d fdFolder) list() ([]dirEntry, error) {
	bp := direntBuffers.Get().(*[]byte)
	defer direntBuffers.Put(bp)
	var entries []dirEntry
	for {
		n, err := ignoringEINTR(func() (int, error) { return unix.Getdents(d.fd, *bp) })
		if err != nil {
			return nil, os.NewSyscallError("getdents", err)
		}
		if n <= 0 {
			return entries, nil
		}
		for buf := (*bp)[:n]; len(buf) > 0; {
			// struct linux_dirent64: d_ino u64, d_off s64, d_reclen u16,
			// d_type u8, d_name NUL-terminated.
			reclen := int(binary.NativeEndian.Uint16(buf[16:18]))
			if reclen < 20 || reclen > len(buf) {
				return nil, fmt.Errorf("getdents: malformed record")
			}
			rec := buf[:reclen]
			buf = buf[reclen:]
			name := rec[19:]
			for i, c := range name {
				if c == 0 {
					name = name[:i]
					break
				}
			}
			if string(name) == "." || string(name) == ".." {
				continue
			}
			e := dirEntry{name: string(name)}
			switch rec[18] {
			case unix.DT_REG:
			case unix.DT_DIR:
				e.typ = fs.ModeDir
			case unix.DT_LNK:
				e.typ = fs.ModeSymlink
			case unix.DT_UNKNOWN: // filesystems that do not say: ask
				var st unix.Stat_t
				if _, err := ignoringEINTR(func() (int, error) {
					return 0, unix.Fstatat(d.fd, e.name, &st, unix.AT_SYMLINK_NOFOLLOW)
				}); err != nil {
					if errors.Is(err, unix.ENOENT) {
						continue
					}
					return nil, &fs.PathError{Op: "lstat", Path: e.name, Err: err}
				}
				e.typ = modeOf(st.Mode).Type()
			default:
				e.typ = fs.ModeIrregular
			}
			entries = append(entries, e)
		}
	}
}

// child opens the sub-folder name; O_NOFOLLOW makes a symlink put there
// since the listing fail (ELOOP) instead of being followed.
func (d fdFolder) child(name string) (folder, error) {
	fd, err := ignoringEINTR(func() (int, error) {
		return unix.Openat(d.fd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	})
	if errors.Is(err, unix.ELOOP) || errors.Is(err, unix.ENOTDIR) {
		return nil, errors.New("is no longer a folder: replaced while fleetgen was reading it")
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return fdFolder{fd}, nil
}

// inspect: a file swapped for something else since the listing is seen
// as what the open finds; the operations that act re-check (see
// outroot.go). O_NONBLOCK keeps a FIFO put there from blocking the open.
func (d fdFolder) inspect(name string, typ fs.FileMode, want expect) (diskState, error) {
	if st, ok := typeState(typ); ok {
		return st, nil
	}
	fd, err := ignoringEINTR(func() (int, error) {
		return unix.Openat(d.fd, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	})
	switch {
	case errors.Is(err, unix.ENOENT):
		return diskState{kind: onDiskMissing}, nil
	case errors.Is(err, unix.ELOOP):
		return diskState{kind: onDiskSymlink}, nil
	case err != nil:
		return diskState{}, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if _, err := ignoringEINTR(func() (int, error) { return 0, unix.Fstat(fd, &st) }); err != nil {
		return diskState{}, &fs.PathError{Op: "stat", Path: name, Err: err}
	}
	mode := modeOf(st.Mode)
	if !mode.IsRegular() {
		s, _ := typeState(mode.Type())
		return s, nil
	}
	size := int(st.Size)
	bp := readBuffer(size)
	defer readBuffers.Put(bp)
	buf := (*bp)[:size+1]
	// A read of a regular file returns less than asked only at its end,
	// so asking one byte more than the stat's size reads the whole file
	// and tells one that grew since, in a single call.
	got := 0
	for got <= size {
		want := len(buf) - got
		n, err := ignoringEINTR(func() (int, error) { return unix.Read(fd, buf[got:]) })
		if err != nil {
			return diskState{}, &fs.PathError{Op: "read", Path: name, Err: err}
		}
		got += n
		if n < want { // the end of the file
			break
		}
	}
	if got != size {
		return diskState{}, errChanged
	}
	return fileState(buf[:size], mode, want), nil
}

// modeOf is the fs.FileMode of a stat's st_mode.
func modeOf(m uint32) fs.FileMode {
	mode := fs.FileMode(m & 0o777)
	switch m & unix.S_IFMT {
	case unix.S_IFREG:
	case unix.S_IFDIR:
		mode |= fs.ModeDir
	case unix.S_IFLNK:
		mode |= fs.ModeSymlink
	default:
		mode |= fs.ModeIrregular
	}
	if m&unix.S_ISUID != 0 {
		mode |= fs.ModeSetuid
	}
	if m&unix.S_ISGID != 0 {
		mode |= fs.ModeSetgid
	}
	if m&unix.S_ISVTX != 0 {
		mode |= fs.ModeSticky
	}
	return mode
}

// ignoringEINTR retries a system call a signal interrupted.
func ignoringEINTR(call func() (int, error)) (int, error) {
	for {
		n, err := call()
		if !errors.Is(err, unix.EINTR) {
			return n, err
		}
	}
}
