package outdir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/mattermost/fleetgen/render/layout"
)

// A journal, the file layout.JournalName of out/, is the intent record of a
// render in progress. Write makes it durable before it renames or deletes
// anything and removes it after the final manifest is in place, so a run
// killed at any instant leaves either no journal (the manifest is exact) or a
// journal that says, for every path the run was about to touch, which two
// contents it may hold.
//
// It lists the paths a render changes, each with the manifest entry before
// (From) and after (To) the render; nil means no file.
type journal struct {
	Generator string                  `json:"generator"`
	Version   int                     `json:"version"`
	Files     map[string]journalEntry `json:"files"`
}

type journalEntry struct {
	From *manifestEntry `json:"from"`
	To   *manifestEntry `json:"to"`
}

// newJournal records the steps of p that change a path.
func newJournal(p *plan, old *manifest) *journal {
	j := &journal{Generator: manifestGenerator, Version: manifestVersion, Files: map[string]journalEntry{}}
	for _, s := range p.steps {
		if s.action == keep {
			continue
		}
		var e journalEntry
		if from, ok := old.Files[s.path]; ok {
			e.From = &from
		}
		if to, ok := p.final.Files[s.path]; ok {
			e.To = &to
		}
		j.Files[s.path] = e
	}
	return j
}

func (j *journal) encode() []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(j); err != nil {
		panic(fmt.Sprintf("encoding the journal: %v", err)) // only strings: cannot fail
	}
	return buf.Bytes()
}

// readJournal reads the journal a killed render left; nil when there is none.
func readJournal(root *os.Root) (*journal, error) {
	raw, err := readOutFile(root, layout.JournalName)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	name := filepath.Join(root.Name(), layout.JournalName)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	j, err := decodeJournal(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: corrupt journal of an interrupted render: %w; restore out/ from version control, delete the journal and render again", name, err)
	}
	return j, nil
}

func decodeJournal(raw []byte) (*journal, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var j journal
	if err := dec.Decode(&j); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON document")
	}
	if j.Generator != manifestGenerator || j.Version != manifestVersion || j.Files == nil {
		return nil, fmt.Errorf("not a version %d fleetgen journal", manifestVersion)
	}
	for p, e := range j.Files {
		if reason := badPath(p); reason != "" {
			return nil, fmt.Errorf("entry %q: %s", p, reason)
		}
		for _, entry := range []*manifestEntry{e.From, e.To} {
			if entry == nil {
				continue
			}
			if err := validateManifestEntry(p, *entry); err != nil {
				return nil, err
			}
		}
	}
	return &j, nil
}

// recoverJournal makes m, the manifest a killed render left, true to the
// disk again: every journalled path whose content is the render's new one
// takes its new entry, one the render deleted leaves the manifest. It
// returns those paths, sorted: what the interrupted render had already done.
// A path holding neither content (edited since) keeps its old entry, so the
// plan reports the edit as it would without a crash.
func recoverJournal(root *os.Root, j *journal, m *manifest) ([]string, error) {
	paths := slices.Sorted(maps.Keys(j.Files))
	found, err := scanOut(root, paths, nil, nil)
	if err != nil {
		return nil, err
	}
	var done []string
	for _, p := range paths {
		e, disk := j.Files[p], found.state[p]
		switch {
		case disk.kind == onDiskFile && e.To != nil && hashOf(disk.data) == e.To.SHA256 &&
			(e.From == nil || e.From.SHA256 != e.To.SHA256 || disk.mode == mustParseMode(e.To.Mode)):
			if e.From == nil || *e.From != *e.To {
				done = append(done, p)
			}
			m.Files[p] = *e.To
		case disk.kind != onDiskFile && e.To == nil && e.From != nil:
			delete(m.Files, p)
			done = append(done, p)
		}
	}
	return done, nil
}

func mustParseMode(s string) fs.FileMode {
	m, err := parseMode(s)
	if err != nil {
		panic(err) // validated by decodeJournal
	}
	return m
}
