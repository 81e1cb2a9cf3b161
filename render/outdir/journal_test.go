package outdir

import (
	"os"
	"path"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mattermost/fleetgen/render/layout"
)

// interrupted leaves out/ as a run of Write killed after its journal and the
// given changes would: the journal of the render of next over prev, and only
// the listed paths changed on disk.
func interrupted(t *testing.T, out string, prev, next []layout.File, done ...string) {
	t.Helper()
	mustWrite(t, out, prev, WriteOptions{})
	root := openRoot(t, out)
	p, err := makePlan(root, next, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, layout.JournalName), newJournal(p, p.old).encode(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, rel := range done {
		i := slices.IndexFunc(next, func(f layout.File) bool { return f.Path == rel })
		if i < 0 {
			if err := os.Remove(filepath.Join(out, rel)); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := inDir(root, path.Dir(rel), true, func(d *os.Root) error {
			return writeFileAtomic(d, path.Base(rel), next[i].Data, next[i].Mode)
		}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestJournalListsEveryChangeWithItsBeforeAndAfter(t *testing.T) {
	out := t.TempDir()
	mustWrite(t, out, sampleFiles(), WriteOptions{})
	next := append(replaced(without(sampleFiles(), "prod/README.md"), "prod/helm/app.values.yaml", "replicas: 3\n"),
		layout.File{Path: "prod/new.txt", Mode: layout.ModeFile, Data: []byte("new\n")})
	root := openRoot(t, out)
	p, err := makePlan(root, next, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	j := newJournal(p, p.old)
	got := map[string][2]bool{}
	for rel, e := range j.Files {
		got[rel] = [2]bool{e.From != nil, e.To != nil}
	}
	want := map[string][2]bool{
		"prod/README.md":            {true, false},
		"prod/helm/app.values.yaml": {true, true},
		"prod/new.txt":              {false, true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("journal (-want +got):\n%s", diff)
	}
	if j2, err := decodeJournal(j.encode()); err != nil || !cmp.Equal(j, j2) {
		t.Errorf("journal does not round-trip: %v", err)
	}
}

// A render killed after some of its changes is finished by the next one:
// no conflict, every change made, the journal gone, and the report names
// exactly what the killed run had done.
func TestWriteFinishesAnInterruptedRender(t *testing.T) {
	out := t.TempDir()
	next := append(replaced(without(sampleFiles(), "prod/README.md"), "prod/helm/app.values.yaml", "replicas: 3\n"),
		layout.File{Path: "prod/new.txt", Mode: layout.ModeFile, Data: []byte("new\n")})
	interrupted(t, out, sampleFiles(), next, "prod/README.md", "prod/helm/app.values.yaml")

	r := mustWrite(t, out, next, WriteOptions{})
	if diff := cmp.Diff([]string{"prod/README.md", "prod/helm/app.values.yaml"}, r.Recovered); diff != "" {
		t.Errorf("Recovered (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"prod/new.txt"}, r.Written); diff != "" {
		t.Errorf("Written (-want +got):\n%s", diff)
	}
	if exists(t, out, layout.JournalName) {
		t.Error("journal left behind")
	}
	if d := mustCheck(t, out, next, CheckOptions{}); !d.Clean() {
		t.Errorf("not clean after recovery: %+v", d.Files())
	}
}

// A file edited by hand after the crash is neither content the journal
// allows: it stays a conflict, as it would be without a crash.
func TestWriteAfterCrashStillRefusesHandEdits(t *testing.T) {
	out := t.TempDir()
	next := replaced(sampleFiles(), "prod/helm/app.values.yaml", "replicas: 3\n")
	interrupted(t, out, sampleFiles(), next)
	put(t, out, "prod/helm/app.values.yaml", "replicas: 9 # by hand\n")
	_, err := Write(out, next, WriteOptions{})
	if got := conflictsOf(t, err); len(got) != 1 || got[0].Path != "prod/helm/app.values.yaml" || !got[0].Forcible {
		t.Errorf("conflicts = %+v, want the hand-edited file, forcible", got)
	}
}

func TestCheckReportsTheJournalOfAnInterruptedRender(t *testing.T) {
	out := t.TempDir()
	next := replaced(sampleFiles(), "prod/helm/app.values.yaml", "replicas: 3\n")
	interrupted(t, out, sampleFiles(), next, "prod/helm/app.values.yaml")
	var paths []string
	for _, fd := range mustCheck(t, out, next, CheckOptions{}).Files() {
		paths = append(paths, fd.Path)
	}
	if diff := cmp.Diff([]string{layout.JournalName, layout.ManifestName}, paths); diff != "" {
		t.Errorf("drift (-want +got):\n%s", diff)
	}
}

func TestCorruptJournalIsAnError(t *testing.T) {
	out := t.TempDir()
	mustWrite(t, out, sampleFiles(), WriteOptions{})
	for _, bad := range []string{"{", `{"generator":"fleetgen","version":1,"files":{"../x":{"from":null,"to":null}}}`, `{"generator":"x","version":1,"files":{}}`} {
		put(t, out, layout.JournalName, bad)
		if _, err := Write(out, sampleFiles(), WriteOptions{}); err == nil {
			t.Errorf("journal %s: Write succeeded", bad)
		}
	}
}
