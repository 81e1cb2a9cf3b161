package rendercache

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/layout"
)

// EnvVar names the cache folder, or turns the cache off with "off".
// Unset, the cache is fleetgen/ in the user's cache folder
// (os.UserCacheDir: $XDG_CACHE_HOME or ~/.cache on Linux).
const EnvVar = "FLEETGEN_CACHE"

// version changes whenever an entry's meaning does; it is part of every key.
const version = "fleetgen render cache v1"

// A Cache is a folder of entries, one per environment render, each named
// by its Key.
type Cache struct {
	dir     string
	program []byte // what identifies the fleetgen binary (programID)
}

// FromEnv opens the cache EnvVar names, or the default one. It returns
// nil, and no error, when EnvVar is "off"; an error when the folder
// cannot be made or fleetgen cannot identify its own binary, in which
// case the caller runs without a cache.
func FromEnv() (*Cache, error) {
	dir := os.Getenv(EnvVar)
	switch dir {
	case "off":
		return nil, nil
	case "":
		base, err := os.UserCacheDir()
		if err != nil {
			return nil, err
		}
		dir = filepath.Join(base, "fleetgen")
	}
	return Open(dir)
}

// Open opens the cache in dir, making the folder when it is missing, for
// the renders of the running binary.
func Open(dir string) (*Cache, error) {
	program, err := programID()
	if err != nil {
		return nil, err
	}
	return open(dir, program)
}

func open(dir string, program []byte) (*Cache, error) {
	if err := os.MkdirAll(filepath.Join(dir, "render"), 0o700); err != nil {
		return nil, err
	}
	return &Cache{dir: dir, program: program}, nil
}

// A Key names the render of one environment by everything it is a
// function of.
type Key [32]byte

// Key is the key of env's render by this fleetgen binary, with charts the
// packaged chart archives of its hydrated apps (render.Options.Charts).
func (c *Cache) Key(env *inventory.Environment, charts map[*inventory.App][]byte) Key {
	h := c.renderHash(env.Digest)
	for _, app := range env.Apps {
		if archive, ok := charts[app]; ok {
			sum := sha256.Sum256(archive)
			h.field([]byte(app.Name))
			h.field(sum[:])
		}
	}
	return h.key()
}

// DigestKey is Key of an environment of that Digest with no chart
// archive to render.
func (c *Cache) DigestKey(digest [32]byte) Key {
	return c.renderHash(digest).key()
}

func (c *Cache) renderHash(digest [32]byte) keyHash {
	h := c.hash("render")
	h.field(digest[:])
	return h
}

// LoadKey names a load of the environment folders envs, as
// inventory.Digests gives them, and of only those named (only: all).
func (c *Cache) LoadKey(envs []inventory.EnvironmentDigest, only []string) Key {
	h := c.hash("load")
	h.field([]byte(strings.Join(only, "\x00")))
	for _, e := range envs {
		h.field([]byte(e.Dir))
		h.field(e.Digest[:])
	}
	return h.key()
}

// A keyHash hashes length-prefixed fields, so no two lists of fields
// share a key.
type keyHash struct{ hash.Hash }

func (c *Cache) hash(kind string) keyHash {
	h := keyHash{sha256.New()}
	h.field([]byte(version))
	h.field(c.program)
	h.field([]byte(kind))
	return h
}

func (h keyHash) field(b []byte) {
	h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(b))))
	h.Write(b)
}

func (h keyHash) key() Key {
	var k Key
	h.Sum(k[:0])
	return k
}

func (c *Cache) path(k Key) string {
	s := hex.EncodeToString(k[:])
	return filepath.Join(c.dir, "render", s[:2], s)
}

// Clean records that the load k names found nothing wrong and no
// hydrated environment: no warning to repeat, no chart archive to read.
// A failure only loses the record.
func (c *Cache) Clean(k Key) error {
	return c.Put(k, nil)
}

// WasClean reports whether Clean recorded the load k names.
func (c *Cache) WasClean(k Key) bool {
	files, ok := c.Get(k)
	return ok && len(files) == 0
}

// Get gives the files of the render k names, each with its path, mode and
// Sum and no bytes, or false when the cache holds no such render or holds
// it damaged.
func (c *Cache) Get(k Key) ([]layout.File, bool) {
	name := c.path(k)
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, false
	}
	files, err := decode(data)
	if err != nil {
		return nil, false
	}
	touch(name)
	return files, true
}

// Put records that the render k names gave files, each with its bytes
// or its Sum. A failure only loses the entry: the next run renders again.
func (c *Cache) Put(k Key, files []layout.File) error {
	name := c.path(k)
	if err := os.MkdirAll(filepath.Dir(name), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), ".tmp-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(encode(files))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), name)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// encode lays an entry out as text: the version, a line per file (mode in
// octal, SHA-256 in hex, path; paths hold no newline, validation sees to
// it), then the SHA-256 of all that, so a torn or damaged entry is never
// taken for a render.
func encode(files []layout.File) []byte {
	var b bytes.Buffer
	b.WriteString(version + "\n")
	for _, f := range files {
		sum := f.SHA256()
		fmt.Fprintf(&b, "%o %x %s\n", f.Mode, sum[:], f.Path)
	}
	check := sha256.Sum256(b.Bytes())
	fmt.Fprintf(&b, "end %x\n", check[:])
	return b.Bytes()
}

var errDamaged = errors.New("damaged cache entry")

func decode(data []byte) ([]layout.File, error) {
	body, trailer, ok := cutLastLine(data)
	if !ok || !strings.HasPrefix(trailer, "end ") {
		return nil, errDamaged
	}
	check := sha256.Sum256(body)
	if trailer != "end "+hex.EncodeToString(check[:]) {
		return nil, errDamaged
	}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, 1<<20)
	if !sc.Scan() || sc.Text() != version {
		return nil, errDamaged
	}
	var files []layout.File
	for sc.Scan() {
		mode, rest, ok1 := strings.Cut(sc.Text(), " ")
		sumHex, path, ok2 := strings.Cut(rest, " ")
		m, err := strconv.ParseUint(mode, 8, 32)
		var sum [32]byte
		if n, herr := hex.Decode(sum[:], []byte(sumHex)); !ok1 || !ok2 || err != nil || herr != nil || n != len(sum) || path == "" {
			return nil, errDamaged
		}
		files = append(files, layout.File{Path: path, Mode: fs.FileMode(m), Sum: &sum})
	}
	if sc.Err() != nil {
		return nil, errDamaged
	}
	return files, nil
}

// cutLastLine splits data before its last line, which ends in a newline.
func cutLastLine(data []byte) (body []byte, last string, ok bool) {
	if len(data) == 0 || data[len(data)-1] != '\n' {
		return nil, "", false
	}
	i := bytes.LastIndexByte(data[:len(data)-1], '\n')
	return data[:i+1], string(data[i+1 : len(data)-1]), true
}

// Entries used within touchAfter keep their time; older ones get a new
// one when used, and Trim removes those unused for trimAfter.
const (
	touchAfter = time.Hour
	trimAfter  = 5 * 24 * time.Hour
	trimEvery  = 24 * time.Hour
)

func touch(name string) {
	if info, err := os.Stat(name); err == nil && time.Since(info.ModTime()) > touchAfter {
		now := time.Now()
		os.Chtimes(name, now, now)
	}
}

// Trim removes the entries no run has used for five days, at most once a
// day (the time of the last trim is the modification time of trim.txt).
// Like Get and Put, it never fails a run: what it cannot remove stays.
func (c *Cache) Trim() {
	mark := filepath.Join(c.dir, "trim.txt")
	if info, err := os.Stat(mark); err == nil && time.Since(info.ModTime()) < trimEvery {
		return
	}
	if err := os.WriteFile(mark, []byte(time.Now().UTC().Format(time.RFC3339)+"\n"), 0o600); err != nil {
		return
	}
	root := filepath.Join(c.dir, "render")
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if info, err := d.Info(); err == nil && time.Since(info.ModTime()) > trimAfter {
			os.Remove(path)
		}
		return nil
	})
}

// programID identifies the running fleetgen binary: its Go build ID,
// which changes with every source file, embedded template, dependency,
// toolchain or build flag (its last part hashes the binary itself), or,
// where the binary has none to read, the SHA-256 of the binary.
var programID = sync.OnceValues(func() ([]byte, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	if id := goBuildID(exe); id != nil {
		return append([]byte("go build ID "), id...), nil
	}
	f, err := os.Open(exe)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	return append([]byte("sha256 "), h.Sum(nil)...), nil
})

// goBuildID reads the Go build ID note of an ELF binary: "Go\0\0", type
// 4, the ID as its description. It returns nil for anything else.
func goBuildID(exe string) []byte {
	f, err := elf.Open(exe)
	if err != nil {
		return nil
	}
	defer f.Close()
	s := f.Section(".note.go.buildid")
	if s == nil {
		return nil
	}
	note, err := s.Data()
	if err != nil || len(note) < 16 {
		return nil
	}
	order := f.ByteOrder
	nameSize, descSize, typ := order.Uint32(note[0:]), order.Uint32(note[4:]), order.Uint32(note[8:])
	if nameSize != 4 || typ != 4 || string(note[12:16]) != "Go\x00\x00" || uint64(len(note)) < 16+uint64(descSize) || descSize == 0 {
		return nil
	}
	return slices.Clone(note[16 : 16+descSize])
}
