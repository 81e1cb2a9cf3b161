package outdir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A folder of out/ swapped for a symlink while Write runs: the
// time-of-check/time-of-use race that the plan's Lstat checks alone cannot
// close. The swap happens after the plan (before Write's first look at the
// folders it writes to) or after the journal (before the first rename), and
// the link leads out of out/ or, relative, to another folder of out/ that
// holds files fleetgen does not own. The render changes one file and prunes
// another under the swapped folder, so a writer that followed the link would
// both write and delete behind it. Write must fail naming the folder, leave
// everything behind the link as it was (names, contents, modes, mtimes), and
// the next render, with the folder back, must finish the job.
func TestWriteCannotBeRedirectedByAFolderSwappedForASymlink(t *testing.T) {
	next := without(replaced(sampleFiles(), "prod/ha/acme/mm1/apply.sh", "#!/bin/sh\necho mm1 v2\n"), "prod/ha/acme/mm2/apply.sh")
	targets := map[string]func(t *testing.T, out string) (behind, link string){
		"out of out/": func(t *testing.T, out string) (string, string) {
			behind := filepath.Join(t.TempDir(), "ha")
			return behind, behind
		},
		// A sibling: the one kind of link os.Root follows from inside the
		// parent folder, which openDir walks one element at a time.
		"to another folder of out/": func(t *testing.T, out string) (string, string) {
			return filepath.Join(out, "prod/elsewhere"), "elsewhere"
		},
	}
	hooks := map[string]*func(){"after the plan": &afterPlan, "after the journal": &afterChange}
	for targetName, target := range targets {
		for when, hook := range hooks {
			t.Run(targetName+" "+when, func(t *testing.T) {
				out := t.TempDir()
				mustWrite(t, out, sampleFiles(), WriteOptions{})
				swapped := filepath.Join(out, "prod/ha")
				behind, link := target(t, out)
				var before map[string]node
				*hook = func() {
					if before != nil {
						return // swap once
					}
					if err := os.Rename(swapped, behind); err != nil {
						t.Fatal(err)
					}
					if err := os.Symlink(link, swapped); err != nil {
						t.Fatal(err)
					}
					before = snapshot(t, behind)
				}
				t.Cleanup(func() { *hook = nil })

				_, err := Write(out, next, WriteOptions{})
				if err == nil || !strings.Contains(err.Error(), swapped) {
					t.Errorf("Write through a swapped folder: %v, want an error naming %s", err, swapped)
				}
				if before == nil {
					t.Fatal("the hook did not run")
				}
				if diff := cmp.Diff(before, snapshot(t, behind)); diff != "" {
					t.Errorf("Write changed the folder behind the symlink (-before +after):\n%s", diff)
				}

				*hook = nil
				if err := os.Remove(swapped); err != nil {
					t.Fatal(err)
				}
				if err := os.Rename(behind, swapped); err != nil {
					t.Fatal(err)
				}
				mustWrite(t, out, next, WriteOptions{})
				if d := mustCheck(t, out, next, CheckOptions{}); !d.Clean() {
					t.Errorf("drift after the folder came back and a render ran: %+v", d.Files())
				}
				if read(t, out, "prod/ha/acme/mm1/apply.sh") != "#!/bin/sh\necho mm1 v2\n" || exists(t, out, "prod/ha/acme/mm2") {
					t.Error("the render after the race did not finish the job")
				}
			})
		}
	}
}
