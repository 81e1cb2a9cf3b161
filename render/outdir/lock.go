package outdir

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/mattermost/fleetgen/render/layout"
)

// A lockedError says that another fleetgen run holds out/.
type lockedError struct {
	OutDir string
	Holder string // what the holder wrote: pid, host, command, start time
}

func (e *lockedError) Error() string {
	holder := e.Holder
	if holder == "" {
		holder = "another fleetgen run (it has not written its name yet)"
	}
	return fmt.Sprintf("%s is locked by %s; wait for it to finish (the lock is released the moment that process exits)", e.OutDir, holder)
}

// lockOut takes the lock of outDir, exclusive to write, shared to read, and
// returns the function that releases it and, for an exclusive lock taken
// over from a run that died holding it, that run's name.
//
// The lock is a flock(2) on the file layout.LockName of out/: Write holds it
// exclusive for its whole run and Check shared, so two renders never
// interleave and a check never reads a half-done render. The kernel drops the
// lock when its holder exits, however it dies, so a stale lock recovers by
// construction; the file's content names the holder for the message, and a
// clean release empties it, so a name found there by the next render is a
// run that died holding the lock, which it reports as taken over.
// The file is neither owned (not in the manifest) nor drift, and belongs in
// .gitignore.
//
// It never waits: a second render fails at once with a *lockedError. A
// shared lock on an outDir without a lock file is no lock at all (there is
// nothing to protect, and a check must work on a read-only checkout; a nil
// root, an out/ that does not exist, is not locked either). The lock file is
// opened through openFile, which refuses a symlink, so it cannot be used to
// create or truncate another file.
func lockOut(root *os.Root, exclusive bool) (release func(), tookOver string, err error) {
	if root == nil && !exclusive {
		return func() {}, "", nil
	}
	outDir := root.Name()
	flag, how := os.O_RDONLY, syscall.LOCK_SH
	if exclusive {
		flag, how = os.O_RDWR|os.O_CREATE, syscall.LOCK_EX
	}
	f, err := openFile(root, layout.LockName, flag, 0o644)
	if !exclusive && errors.Is(err, fs.ErrNotExist) {
		return func() {}, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("cannot lock %s: %w", outDir, err)
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		written, _ := io.ReadAll(f)
		holder := liveHolder(f, strings.TrimSpace(string(written)))
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, "", &lockedError{OutDir: outDir, Holder: holder}
		}
		return nil, "", fmt.Errorf("cannot lock %s: %w", outDir, err)
	}
	if !exclusive {
		return func() { f.Close() }, "", nil // closing the last descriptor drops the flock
	}
	// A holder that released the lock emptied the file: a name left in it
	// is a run that died holding the lock (the kernel dropped the flock).
	// Take it over, and say so.
	left, _ := io.ReadAll(f)
	if err := writeHolder(f); err != nil {
		f.Close()
		return nil, "", fmt.Errorf("cannot lock %s: %w", outDir, err)
	}
	return func() {
		f.Truncate(0) // released cleanly: no name left for the next run
		f.Close()
	}, strings.TrimSpace(string(left)), nil
}

// liveHolder names the processes that hold the lock of f now, from the
// kernel's table of locks (/proc/locks), with the name the holder wrote
// when it is one of them; where the kernel's table cannot be read, the
// written name.
func liveHolder(f *os.File, written string) string {
	var st syscall.Stat_t
	table, err := os.ReadFile("/proc/locks")
	if err != nil || syscall.Fstat(int(f.Fd()), &st) != nil {
		return written
	}
	var holders []string
	for _, line := range strings.Split(string(table), "\n") {
		// "1: FLOCK  ADVISORY  WRITE 4242 fd:01:1234 0 EOF"
		fields := strings.Fields(line)
		if len(fields) < 6 || fields[1] != "FLOCK" {
			continue
		}
		id := strings.Split(fields[5], ":")
		if len(id) != 3 || id[2] != fmt.Sprint(st.Ino) {
			continue
		}
		pid := fields[4]
		if strings.HasPrefix(written, "pid "+pid+" ") {
			holders = append(holders, written)
			continue
		}
		cmd, _ := os.ReadFile("/proc/" + pid + "/cmdline")
		desc := "pid " + pid
		if c := strings.TrimSpace(strings.ReplaceAll(string(cmd), "\x00", " ")); c != "" {
			desc += " (" + c + ")"
		}
		if fields[3] == "READ" {
			desc += ", reading (a check)"
		}
		holders = append(holders, desc)
	}
	if len(holders) == 0 {
		return written
	}
	return strings.Join(holders, "; ")
}

// writeHolder records who holds the lock, for the message of the next run.
func writeHolder(f *os.File) error {
	host, _ := os.Hostname()
	holder := fmt.Sprintf("pid %d on %s (%s), since %s\n", os.Getpid(), host,
		strings.Join(os.Args, " "), time.Now().UTC().Format(time.RFC3339))
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt([]byte(holder), 0)
	return err
}
