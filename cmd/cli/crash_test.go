package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mattermost/fleetgen/render/layout"
	"github.com/mattermost/fleetgen/render/outdir"
)

// Two shapes of a large inventory (about 1,400 files each): the second drops
// a cluster, adds one and renames the tunnel user, so a render between them
// writes, keeps and deletes hundreds of files.
var (
	bigA = bigShape{first: 0, count: 40, nodes: 5, tunnelUser: "mattermost"}
	bigB = bigShape{first: 1, count: 40, nodes: 5, tunnelUser: "tunnel"}
)

// TestRenderSurvivesSIGKILLAtAnyPoint kills fleetgen render with SIGKILL at
// many points of a large render, back and forth between two inventories:
// while it stages the new files as temporary files during the render
// (before the journal: nothing may have changed), after its Nth change to
// out/ (through the FLEETGEN_TEST_SIGNAL_AFTER hook, from the journal write
// to the journal removal) and at random times. After every kill, every
// file under out/ holds its old or its new content, and the manifest with
// the journal claims nothing that is not on disk. The next render then
// reports the interrupted run (when there was a journal), leaves out/
// exactly as an uninterrupted render would, no temporary file included,
// and check is clean.
func TestRenderSurvivesSIGKILLAtAnyPoint(t *testing.T) {
	if testing.Short() {
		t.Skip("large render")
	}
	repo := t.TempDir()
	out := filepath.Join(repo, "out")
	trees := map[bigShape]map[string]string{}
	var changes, staged int // changes and staged files of a full render from A to B
	for _, s := range []bigShape{bigB, bigA} {
		writeBigInventory(t, repo, s)
		r := mustRun(t, repo, 0, "render")
		trees[s] = readTree(t, out)
		var written, unchanged, removed int
		if _, err := fmt.Sscanf(r.stdout, "out: %d written, %d unchanged, %d removed", &written, &unchanged, &removed); err != nil {
			t.Fatalf("render report %q: %v", r.stdout, err)
		}
		changes = written + removed + 3 // the journal, the manifest, the journal's removal
		staged = written
	}
	delete(trees[bigA], layout.LockName)
	delete(trees[bigB], layout.LockName)
	t.Logf("%d files, %d changes from one shape to the other", len(trees[bigA]), changes)

	// The first change (the journal), the first renames, the middle, the
	// last deletion, the manifest, the journal's removal.
	points := []string{"staged-1", fmt.Sprint("staged-", staged/2), fmt.Sprint("staged-", staged),
		"1", "2", "10", fmt.Sprint(changes / 2), fmt.Sprint(changes - 2), fmt.Sprint(changes - 1), fmt.Sprint(changes)}
	for range 2 {
		points = append(points, "random")
	}
	from, to := bigA, bigB
	for _, point := range points {
		writeBigInventory(t, repo, to)
		killRender(t, repo, point)
		journaled := checkCrashInvariants(t, out, trees[from], trees[to])
		if strings.HasPrefix(point, "staged-") {
			if journaled {
				t.Errorf("kill at %s, while staging: a journal was left", point)
			}
			for p, data := range readTree(t, out) {
				if want, ok := trees[from][p]; ok && data != want {
					t.Errorf("kill at %s, while staging: %s changed", point, p)
				}
			}
		}

		r := mustRun(t, repo, 0, "render")
		if got := strings.Contains(r.stdout, "finished an interrupted render"); got != journaled {
			t.Errorf("kill at %s: journal left %v, but the next render's report %q says interrupted %v", point, journaled, r.stdout, got)
		}
		got := readTree(t, out)
		delete(got, layout.LockName)
		if len(got) != len(trees[to]) {
			t.Errorf("kill at %s: after the next render out/ has %d files, want %d", point, len(got), len(trees[to]))
		}
		for p, want := range trees[to] {
			if got[p] != want {
				t.Errorf("kill at %s: after the next render %s differs from an uninterrupted render", point, p)
			}
		}
		mustRun(t, repo, 0, "check")
		from, to = to, from
	}
}

// killRender runs fleetgen render and SIGKILLs it: after the given number
// of changes to out/, or at a random instant for "random".
func killRender(t *testing.T, repo, point string) {
	t.Helper()
	if point != "random" {
		r := runFleetgen(t, repo, []string{outdir.FailpointEnv + "=" + point + ":KILL"}, "render")
		if r.code != -1 {
			t.Fatalf("kill after %s changes: render exited %d, want killed\n%s%s", point, r.code, r.stdout, r.stderr)
		}
		return
	}
	cmd := exec.Command("fleetgen", "render")
	cmd.Dir = repo
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(rand.N(800 * time.Millisecond)) // when to kill, not an assertion
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait() // it may have finished first: then the invariants hold trivially
}

// testManifest is the part of the manifest and the journal the invariants
// read; decoding them here, apart from the render package, keeps the test
// independent of the code it checks.
type testManifest struct {
	Files map[string]struct {
		SHA256 string `json:"sha256"`
	} `json:"files"`
}

type testJournal struct {
	Files map[string]struct {
		From, To *struct {
			SHA256 string `json:"sha256"`
		}
	} `json:"files"`
}

// checkCrashInvariants checks out/ after a kill and reports whether the
// killed run left its journal.
func checkCrashInvariants(t *testing.T, out string, old, new map[string]string) bool {
	t.Helper()
	disk := readTree(t, out)
	for p, data := range disk {
		base := filepath.Base(p)
		switch {
		case p == layout.LockName || p == layout.JournalName || strings.HasPrefix(base, ".fleetgen-tmp-"):
		case data != old[p] && data != new[p]:
			t.Errorf("%s is neither its old nor its new content", p)
		}
	}
	var m testManifest
	if err := json.Unmarshal([]byte(disk[layout.ManifestName]), &m); err != nil {
		t.Fatalf("manifest after a kill: %v", err)
	}
	var j testJournal
	raw, journaled := disk[layout.JournalName]
	if journaled {
		if err := json.Unmarshal([]byte(raw), &j); err != nil {
			t.Fatalf("journal after a kill: %v", err)
		}
	}
	hashOnDisk := func(p string) string {
		data, ok := disk[p]
		if !ok {
			if _, err := os.Lstat(filepath.Join(out, p)); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s: not a regular file (%v)", p, err)
			}
			return ""
		}
		sum := sha256.Sum256([]byte(data))
		return hex.EncodeToString(sum[:])
	}
	for p, e := range m.Files {
		if _, ok := j.Files[p]; ok {
			continue
		}
		if got := hashOnDisk(p); got != e.SHA256 {
			t.Errorf("the manifest claims %s, but it is missing or different and no journal explains it", p)
		}
	}
	for p, e := range j.Files {
		allowed := map[string]bool{}
		for _, entry := range []*struct {
			SHA256 string `json:"sha256"`
		}{e.From, e.To} {
			if entry == nil {
				allowed[""] = true
			} else {
				allowed[entry.SHA256] = true
			}
		}
		if !allowed[hashOnDisk(p)] {
			t.Errorf("%s is neither what the journal had before nor after", p)
		}
	}
	return journaled
}

// TestFirstRenderKilledWhileStaging: the first render, killed while it
// stages its files (out/ did not exist), leaves no manifest and no file
// but temporary ones; the next render writes the whole tree, no temporary
// file left, and check is clean.
func TestFirstRenderKilledWhileStaging(t *testing.T) {
	repo := t.TempDir()
	out := filepath.Join(repo, "out")
	writeBigInventory(t, repo, bigA)
	killRender(t, repo, "staged-100")
	temps := 0
	for p := range readTree(t, out) {
		switch base := filepath.Base(p); {
		case strings.HasPrefix(base, ".fleetgen-tmp-"):
			temps++
		case p != layout.LockName:
			t.Errorf("a first render killed while staging left %s", p)
		}
	}
	if temps < 100 {
		t.Errorf("%d temporary files after a kill at the 100th staged: the kill was not while staging", temps)
	}
	mustRun(t, repo, 0, "render")
	for p := range readTree(t, out) {
		if strings.HasPrefix(filepath.Base(p), ".fleetgen-tmp-") {
			t.Errorf("temporary file %s outlived the next render", p)
		}
	}
	mustRun(t, repo, 0, "check")
}
