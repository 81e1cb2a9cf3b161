package outdir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mattermost/fleetgen/render/layout"
)

// loadManifest reads the manifest of outDir as Write and Check do.
func loadManifest(outDir string) (*manifest, error) {
	root, err := openOut(outDir)
	if err != nil {
		return nil, err
	}
	if root != nil {
		defer root.Close()
	}
	m, _, err := readManifest(root)
	return m, err
}

func TestManifestEncodingIsCanonical(t *testing.T) {
	m := newManifest()
	m.Files["prod/z.sh"] = manifestEntry{SHA256: hashOf([]byte("z")), Mode: "0755"}
	m.Files["prod/README.md"] = manifestEntry{SHA256: hashOf(nil), Mode: "0644"}
	m.Files["dev/a<b>.md"] = manifestEntry{SHA256: hashOf(nil), Mode: "0644"}
	want := `{
  "generator": "fleetgen",
  "version": 1,
  "files": {
    "dev/a<b>.md": {
      "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "mode": "0644"
    },
    "prod/README.md": {
      "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "mode": "0644"
    },
    "prod/z.sh": {
      "sha256": "594e519ae499312b29433b7dd8a97ff068defcba9755b6d5d00e84c524d67b06",
      "mode": "0755"
    }
  }
}
`
	if diff := cmp.Diff(want, string(m.encode())); diff != "" {
		t.Errorf("encode (-want +got):\n%s", diff)
	}
}

func TestManifestRoundTrip(t *testing.T) {
	out := t.TempDir()
	m := newManifest()
	m.Files["prod/README.md"] = entryFor(layout.File{Path: "prod/README.md", Mode: layout.ModeFile, Data: []byte("hi\n")})
	if err := os.WriteFile(filepath.Join(out, layout.ManifestName), m.encode(), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := loadManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m, got); diff != "" {
		t.Errorf("loadManifest (-want +got):\n%s", diff)
	}
}

func TestManifestMissingOwnsNothing(t *testing.T) {
	m, err := loadManifest(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Files) != 0 || m.Files == nil {
		t.Errorf("Files = %v, want an empty map", m.Files)
	}
}

func TestManifestCorruptIsAnError(t *testing.T) {
	sha := hashOf(nil)
	valid := func(files string) string {
		return `{"generator":"fleetgen","version":1,"files":{` + files + `}}`
	}
	for name, content := range map[string]string{
		"empty file":      "",
		"not json":        "not json",
		"truncated":       `{"generator":"fleetgen","version":1,"files":{"prod/a":`,
		"trailing data":   valid("") + "{}",
		"null":            "null",
		"other generator": `{"generator":"other","version":1,"files":{}}`,
		"newer version":   `{"generator":"fleetgen","version":2,"files":{}}`,
		"no files":        `{"generator":"fleetgen","version":1}`,
		"unknown field":   `{"generator":"fleetgen","version":1,"files":{},"extra":1}`,
		"path escapes":    valid(`"../etc/passwd":{"sha256":"` + sha + `","mode":"0644"}`),
		"absolute path":   valid(`"/etc/passwd":{"sha256":"` + sha + `","mode":"0644"}`),
		"unclean path":    valid(`"prod//a":{"sha256":"` + sha + `","mode":"0644"}`),
		"top-level path":  valid(`"README.md":{"sha256":"` + sha + `","mode":"0644"}`),
		"bad sha":         valid(`"prod/a":{"sha256":"abc","mode":"0644"}`),
		"upper-case sha":  valid(`"prod/a":{"sha256":"` + strings.ToUpper(sha) + `","mode":"0644"}`),
		"bad mode":        valid(`"prod/a":{"sha256":"` + sha + `","mode":"rw-r--r--"}`),
		"mode too big":    valid(`"prod/a":{"sha256":"` + sha + `","mode":"7777"}`),
	} {
		t.Run(name, func(t *testing.T) {
			out := t.TempDir()
			name := filepath.Join(out, layout.ManifestName)
			if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			m, err := loadManifest(out)
			if err == nil {
				t.Fatalf("loadManifest = %+v, want an error", m)
			}
			if !strings.Contains(err.Error(), name) {
				t.Errorf("error %q does not name %s", err, name)
			}
		})
	}
}

// TestManifestEncodingIsEncodingJSONs: encode writes what encoding/json
// writes, byte for byte, on the paths it meets and on every odd one:
// quotes, backslashes, control characters, HTML characters, non-ASCII,
// U+2028, invalid UTF-8, and no files at all. The manifest is committed:
// a byte of difference would be drift on every checkout.
func TestManifestEncodingIsEncodingJSONs(t *testing.T) {
	odd := []string{"prod/a\"q\".md", `prod/back\slash`, "prod/tab\there", "prod/ctl\x01\x1f", "prod/<&>.md",
		"prod/été.md", "prod/line\u2028sep", "prod/bad\xff\xfeutf8", "prod/del\x7f", "prod/" + strings.Repeat("x", 300)}
	for _, files := range [][]string{nil, {"prod/README.md"}, odd, append(odd, "dev/z", "a/b", "prod/README.md")} {
		m := newManifest()
		for i, p := range files {
			m.Files[p] = manifestEntry{SHA256: hashOf([]byte(p)), Mode: []string{"0644", "0755"}[i%2]}
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(m); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want.String(), string(m.encode())); diff != "" {
			t.Errorf("encode of %q (-encoding/json +encode):\n%s", files, diff)
		}
	}
}

// TestDecodeCanonicalReadsWhatJSONReads: a manifest as encode writes it is
// read without encoding/json, to the same manifest; and of thousands of
// damaged copies (a byte changed, dropped or added anywhere), each one
// the canonical reader takes is valid JSON that encoding/json reads to
// the same manifest, while the others fall back to it.
func TestDecodeCanonicalReadsWhatJSONReads(t *testing.T) {
	m := newManifest()
	for i := range 40 {
		m.Files[fmt.Sprintf("env%d/ha/c%d/mm%d/etc/ufw/after.rules", i%3, i, i%5)] = manifestEntry{SHA256: hashOf([]byte{byte(i)}), Mode: []string{"0644", "0755"}[i%2]}
	}
	for _, mm := range []*manifest{m, newManifest()} {
		raw := mm.encode()
		got, ok := decodeCanonical(raw)
		if !ok {
			t.Fatalf("the canonical reader refused encode's bytes:\n%s", raw)
		}
		if diff := cmp.Diff(mm, got); diff != "" {
			t.Fatalf("canonical read (-encoded +read):\n%s", diff)
		}
	}
	viaJSON := func(raw []byte) (*manifest, error) {
		var j manifest
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&j); err != nil {
			return nil, err
		}
		if _, err := dec.Token(); err != io.EOF {
			return nil, errors.New("trailing data")
		}
		return &j, nil
	}
	raw := m.encode()
	rng := rand.New(rand.NewPCG(1, 2))
	taken := 0
	for range 20000 {
		b := bytes.Clone(raw)
		i := rng.IntN(len(b))
		switch rng.IntN(3) {
		case 0:
			b[i] = byte(rng.IntN(256))
		case 1:
			b = append(b[:i], b[i+1:]...)
		default:
			b = append(b[:i], append([]byte{byte(rng.IntN(256))}, b[i:]...)...)
		}
		got, ok := decodeCanonical(b)
		if !ok {
			continue
		}
		taken++
		want, err := viaJSON(b)
		if err != nil {
			t.Fatalf("the canonical reader took bytes JSON refuses (%v):\n%s", err, b)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("the canonical reader read other than JSON (-JSON +canonical):\n%s\n%s", diff, b)
		}
	}
	if taken == 0 {
		t.Error("no damaged copy was canonical: the test proves nothing about them")
	}
}
