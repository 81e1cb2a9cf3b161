package outdir

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mattermost/fleetgen/internal/golden"
)

// checkGoldens is absolute: the report tests change directory.
var checkGoldens = func() string {
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	return filepath.Join(wd, "testdata", "check")
}()

// reportDrift checks the tree of driftedFiles, written to ./out so paths in
// the goldens do not depend on the temporary folder.
func reportDrift(t *testing.T) *Drift {
	t.Chdir(t.TempDir())
	return mustCheck(t, "out", driftedFiles(t, "out"), CheckOptions{})
}

func cleanDrift(t *testing.T) *Drift {
	t.Chdir(t.TempDir())
	mustWrite(t, "out", sampleFiles(), WriteOptions{})
	return mustCheck(t, "out", sampleFiles(), CheckOptions{})
}

func TestReportText(t *testing.T) {
	var buf bytes.Buffer
	if err := reportDrift(t).WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join(checkGoldens, "drift.txt"), buf.Bytes())

	buf.Reset()
	if err := cleanDrift(t).WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join(checkGoldens, "clean.txt"), buf.Bytes())
}

func TestReportJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := reportDrift(t).WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join(checkGoldens, "drift.json"), buf.Bytes())

	buf.Reset()
	if err := cleanDrift(t).WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join(checkGoldens, "clean.json"), buf.Bytes())
}

func TestReportJSONListsAreNeverNull(t *testing.T) {
	var buf bytes.Buffer
	if err := reportDrift(t).WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Clean        *bool
		Environments map[string]map[string]*[]string
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Clean == nil || *doc.Clean {
		t.Errorf("clean = %v, want false", doc.Clean)
	}
	for env, lists := range doc.Environments {
		for _, key := range []string{"added", "changed", "removed"} {
			if lists[key] == nil || *lists[key] == nil {
				t.Errorf("environments[%q].%s is null or absent", env, key)
			}
		}
	}
}

func TestReportGitHub(t *testing.T) {
	var annotations, summary bytes.Buffer
	if err := reportDrift(t).WriteGitHub(&annotations, &summary, ""); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join(checkGoldens, "drift.annotations"), annotations.Bytes())
	golden.Assert(t, filepath.Join(checkGoldens, "drift.summary.md"), summary.Bytes())

	annotations.Reset()
	summary.Reset()
	if err := cleanDrift(t).WriteGitHub(&annotations, &summary, ""); err != nil {
		t.Fatal(err)
	}
	if annotations.Len() != 0 {
		t.Errorf("clean check wrote annotations: %q", annotations.String())
	}
	golden.Assert(t, filepath.Join(checkGoldens, "clean.summary.md"), summary.Bytes())
}

func TestReportGitHubEscapesWorkflowCommands(t *testing.T) {
	for _, tc := range []struct{ in, data, property string }{
		{"plain/path.md", "plain/path.md", "plain/path.md"},
		{"100%", "100%25", "100%25"},
		{"a\r\nb", "a%0D%0Ab", "a%0D%0Ab"},
		{"k:v,w", "k:v,w", "k%3Av%2Cw"},
		{"%0A", "%250A", "%250A"}, // escaped once, not decoded into a newline
	} {
		if got := escapeData(tc.in); got != tc.data {
			t.Errorf("escapeData(%q) = %q, want %q", tc.in, got, tc.data)
		}
		if got := escapeProperty(tc.in); got != tc.property {
			t.Errorf("escapeProperty(%q) = %q, want %q", tc.in, got, tc.property)
		}
	}

	// A path with every special character stays one command on one line.
	d := &Drift{OutDir: "out", envs: []envDrift{{Name: "prod", Missing: []FileDrift{
		{Path: "prod/a:b,c%d\ne.md", Kind: DriftMissing},
	}}}}
	var annotations, summary bytes.Buffer
	if err := d.WriteGitHub(&annotations, &summary, ""); err != nil {
		t.Fatal(err)
	}
	want := "::error file=out/prod/a%3Ab%2Cc%25d%0Ae.md,title=fleetgen drift::" +
		"out/prod/a:b,c%25d%0Ae.md is rendered by fleetgen but missing. Run fleetgen render and commit the result.\n"
	if got := annotations.String(); got != want {
		t.Errorf("annotation =\n%s\nwant\n%s", got, want)
	}
}

func TestReportGitHubTruncatesLongDiffs(t *testing.T) {
	var long strings.Builder
	long.WriteString("--- a/out/prod/big.txt\n+++ b/out/prod/big.txt\n@@ -1,500 +1,500 @@\n")
	for i := range 500 {
		fmt.Fprintf(&long, "-old %d\n+new %d ```\n", i, i)
	}
	d := &Drift{OutDir: "out", envs: []envDrift{{Name: "prod", Changed: []FileDrift{
		{Path: "prod/big.txt", Kind: DriftChanged, Diff: long.String()},
	}}}}
	var annotations, summary bytes.Buffer
	if err := d.WriteGitHub(&annotations, &summary, ""); err != nil {
		t.Fatal(err)
	}
	s := summary.String()
	if !strings.Contains(s, "Diff truncated to 200 of 1003 lines") {
		t.Errorf("summary has no truncation note:\n%s", s)
	}
	if strings.Contains(s, "old 499") {
		t.Error("summary holds the end of a diff it should truncate")
	}
	// The diff holds ``` so the fence must be longer.
	if !strings.Contains(s, "\n````diff\n") {
		t.Error("diff fence is not longer than the backtick runs inside it")
	}
}

// TestReportGitHubSection places the CLI's section after the verdict and
// the counts, before the list of files; on a clean check, after the
// verdict.
func TestReportGitHubSection(t *testing.T) {
	const section = "### What this changes\n\nsomething"
	var annotations, summary bytes.Buffer
	if err := reportDrift(t).WriteGitHub(&annotations, &summary, section); err != nil {
		t.Fatal(err)
	}
	s := summary.String()
	table, sec, files := strings.Index(s, "| environment |"), strings.Index(s, section+"\n\n### Files"), strings.Index(s, "### Files")
	if table < 0 || sec < table || files < sec {
		t.Errorf("section misplaced:\n%s", s)
	}
	summary.Reset()
	if err := cleanDrift(t).WriteGitHub(&annotations, &summary, section); err != nil {
		t.Fatal(err)
	}
	if want := "✅ fleetgen check: `out` matches the inventory.\n\n" + section + "\n"; !strings.HasPrefix(summary.String(), "✅") || !strings.HasSuffix(summary.String(), "\n\n"+section+"\n") {
		t.Errorf("clean: got %q, want %q with its out dir", summary.String(), want)
	}
}
