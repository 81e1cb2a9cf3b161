package outdir

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/mattermost/fleetgen/render/internal/parallel"
	"github.com/mattermost/fleetgen/render/layout"
)

const (
	manifestGenerator = "fleetgen"
	manifestVersion   = 1
)

// A manifest, the file layout.ManifestName of out/, lists every file
// fleetgen wrote under out/, keyed by its path relative to out/. It is how a
// render tells its own files, which it may overwrite and delete, from files
// somebody else put there, which it must never touch. Field order is the order of the JSON document; the files
// map is encoded with sorted keys, so the same set of files always gives the
// same bytes.
type manifest struct {
	Generator string                   `json:"generator"`
	Version   int                      `json:"version"`
	Files     map[string]manifestEntry `json:"files"`
}

// A manifestEntry remembers the content hash and mode fleetgen gave a file,
// so a later run can tell whether someone edited it since.
type manifestEntry struct {
	SHA256 string `json:"sha256"` // lowercase hex of the file's content
	Mode   string `json:"mode"`   // octal permission bits, "0644" or "0755"
}

func newManifest() *manifest {
	return &manifest{Generator: manifestGenerator, Version: manifestVersion, Files: map[string]manifestEntry{}}
}

// entryFor is the manifest entry of a rendered file.
func entryFor(f layout.File) manifestEntry {
	sum := f.SHA256()
	return manifestEntry{SHA256: hex.EncodeToString(sum[:]), Mode: formatMode(f.Mode)}
}

// A pathEntry is the manifest entry of one rendered path.
type pathEntry struct {
	path  string
	entry manifestEntry
}

// entriesOf gives the manifest entry of every file, in order. Hashing is
// most of a no-op render's own work, so the files are shared out among
// the cores.
func entriesOf(files []layout.File) []pathEntry {
	entries := make([]pathEntry, len(files))
	parallel.Do(len(files), func(i int) { entries[i] = pathEntry{files[i].Path, entryFor(files[i])} })
	return entries
}

func hashOf(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func formatMode(m fs.FileMode) string { return fmt.Sprintf("%04o", uint32(m)) }

// readManifest reads the manifest of out/ (root, nil when out/ does not
// exist), and its bytes (nil when there is none), so callers can tell whether
// the manifest on disk needs rewriting. A missing manifest means fleetgen
// owns nothing yet and gives an empty manifest. A manifest that cannot be
// read or fails validation is an error naming the file: treating it as empty
// would disown every file and make the next render refuse (or worse, forget
// to prune) them. A manifest that is a symlink out of out/ is an error too: a
// manifest kept elsewhere could make fleetgen claim, overwrite and prune any
// file of out/.
func readManifest(root *os.Root) (*manifest, []byte, error) {
	raw, err := readOutFile(root, layout.ManifestName)
	if errors.Is(err, fs.ErrNotExist) {
		return newManifest(), nil, nil
	}
	name := filepath.Join(root.Name(), layout.ManifestName)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	m, err := decodeManifest(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: corrupt fleetgen manifest: %w; restore it from version control (fleetgen will not guess which files it owns)", name, err)
	}
	return m, raw, nil
}

// ManifestChanges compares two manifests (the bytes of layout.ManifestName)
// and gives the environments (first elements of the paths) whose entries
// differ: a file added, removed, or with another hash or mode. An error
// says one of them is not a manifest.
func ManifestChanges(old, new []byte) ([]string, error) {
	a, err := decodeManifest(old)
	if err != nil {
		return nil, err
	}
	b, err := decodeManifest(new)
	if err != nil {
		return nil, err
	}
	changed := map[string]bool{}
	for p, e := range a.Files {
		if b.Files[p] != e {
			changed[layout.Locate(p).Env] = true
		}
	}
	for p := range b.Files {
		if _, ok := a.Files[p]; !ok {
			changed[layout.Locate(p).Env] = true
		}
	}
	return slices.Sorted(maps.Keys(changed)), nil
}

func decodeManifest(raw []byte) (*manifest, error) {
	m, ok := decodeCanonical(raw)
	if !ok {
		m = &manifest{}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(m); err != nil {
			return nil, err
		}
		if _, err := dec.Token(); err != io.EOF {
			return nil, errors.New("unexpected data after the JSON document")
		}
	}
	if m.Generator != manifestGenerator {
		return nil, fmt.Errorf("generator is %q, want %q", m.Generator, manifestGenerator)
	}
	if m.Version != manifestVersion {
		return nil, fmt.Errorf("version %d is not supported (this fleetgen understands version %d)", m.Version, manifestVersion)
	}
	if m.Files == nil {
		return nil, errors.New(`no "files" object`)
	}
	for p, e := range m.Files {
		if err := validateManifestEntry(p, e); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// decodeCanonical reads a manifest laid out exactly as encode writes it,
// the layout of every manifest fleetgen wrote, without encoding/json (the
// reference fleet's, 25,340 entries: 24 ms instead of 71, validation
// included). Any other bytes, valid JSON or not (an escape, another
// spacing, a key repeated), give false, and decodeManifest reads them as
// JSON: what this accepts, JSON reads the same.
func decodeCanonical(raw []byte) (*manifest, bool) {
	rest := raw
	expect := func(lit string) bool {
		var ok bool
		rest, ok = bytes.CutPrefix(rest, []byte(lit))
		return ok
	}
	// str reads a JSON string that encode writes as it is: printable
	// ASCII but the quote and the backslash, then its closing quote.
	str := func() (string, bool) {
		for i, c := range rest {
			switch {
			case c == '"':
				s := string(rest[:i])
				rest = rest[i+1:]
				return s, true
			case c < 0x20 || c > 0x7e || c == '\\':
				return "", false
			}
		}
		return "", false
	}
	if !expect("{\n  \"generator\": \"") {
		return nil, false
	}
	gen, ok := str()
	if !ok || !expect(",\n  \"version\": ") {
		return nil, false
	}
	end := bytes.IndexByte(rest, ',')
	version, err := strconv.Atoi(string(rest[:max(end, 0)]))
	if end < 0 || err != nil || strconv.Itoa(version) != string(rest[:end]) {
		return nil, false
	}
	rest = rest[end:]
	if !expect(",\n  \"files\": {") {
		return nil, false
	}
	m := &manifest{Generator: gen, Version: version, Files: make(map[string]manifestEntry, bytes.Count(rest, []byte("\n    }")))}
	if expect("}\n}\n") {
		return m, len(rest) == 0
	}
	for {
		if !expect("\n    \"") {
			return nil, false
		}
		p, ok := str()
		if !ok || !expect(": {\n      \"sha256\": \"") {
			return nil, false
		}
		sum, ok := str()
		if !ok || !expect(",\n      \"mode\": \"") {
			return nil, false
		}
		mode, ok := str()
		if !ok || !expect("\n    }") {
			return nil, false
		}
		if _, dup := m.Files[p]; dup {
			return nil, false
		}
		m.Files[p] = manifestEntry{SHA256: sum, Mode: mode}
		if !expect(",") {
			break
		}
	}
	return m, expect("\n  }\n}\n") && len(rest) == 0
}

// validateManifestEntry guards Write against a manifest edited into naming
// paths outside out/: pruning deletes what the manifest lists.
func validateManifestEntry(p string, e manifestEntry) error {
	if reason := badPath(p); reason != "" {
		return fmt.Errorf("entry %q: %s", p, reason)
	}
	if len(e.SHA256) != sha256.Size*2 || strings.ToLower(e.SHA256) != e.SHA256 {
		return fmt.Errorf("entry %q: sha256 %q is not a lowercase hex SHA-256", p, e.SHA256)
	}
	if _, err := hex.DecodeString(e.SHA256); err != nil {
		return fmt.Errorf("entry %q: sha256 %q is not a lowercase hex SHA-256", p, e.SHA256)
	}
	if _, err := parseMode(e.Mode); err != nil {
		return fmt.Errorf("entry %q: %w", p, err)
	}
	return nil
}

func parseMode(s string) (fs.FileMode, error) {
	n, err := strconv.ParseUint(s, 8, 32)
	if err != nil || len(s) != 4 || n > uint64(fs.ModePerm) {
		return 0, fmt.Errorf("mode %q is not four octal digits like \"0644\"", s)
	}
	return fs.FileMode(n), nil
}

// encode gives the manifest's canonical bytes: 2-space indent and a final
// newline, keys sorted, no HTML escaping so paths stay readable in review;
// byte for byte what encoding/json's Encoder with SetIndent("", "  ") and
// SetEscapeHTML(false) writes (manifest_test.go holds them to it), without
// its reflection and second, indenting pass, which cost more than the rest
// of a check once out/ is read.
func (m *manifest) encode() []byte {
	paths := slices.Sorted(maps.Keys(m.Files))
	b := make([]byte, 0, 64+len(paths)*(len(`
    "": {
      "sha256": "",
      "mode": "0644"
    },`)+64+64))
	b = append(b, "{\n  \"generator\": "...)
	b = appendJSONString(b, m.Generator)
	b = append(b, ",\n  \"version\": "...)
	b = strconv.AppendInt(b, int64(m.Version), 10)
	b = append(b, ",\n  \"files\": {"...)
	for i, p := range paths {
		if i > 0 {
			b = append(b, ',')
		}
		e := m.Files[p]
		b = append(b, "\n    "...)
		b = appendJSONString(b, p)
		b = append(b, ": {\n      \"sha256\": "...)
		b = appendJSONString(b, e.SHA256)
		b = append(b, ",\n      \"mode\": "...)
		b = appendJSONString(b, e.Mode)
		b = append(b, "\n    }"...)
	}
	if len(paths) > 0 {
		b = append(b, "\n  "...)
	}
	return append(b, "}\n}\n"...)
}

// appendJSONString appends s as a JSON string. Printable ASCII other than
// quote and backslash, all a path of out/ ever holds, goes as it is;
// anything else is left to encoding/json, so the bytes stay its own.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(s); err != nil {
				panic(fmt.Sprintf("encoding %q: %v", s, err)) // a string: cannot fail
			}
			return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
