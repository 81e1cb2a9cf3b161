package bench

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/fleetgen/internal/tooltest"
)

// needScript skips (or fails, with FLEETGEN_REQUIRE_TOOLS=1) when a
// program the script runs is missing.
func needScript(t *testing.T) {
	t.Helper()
	tooltest.Look(t, "bash", "go", "cp", "diff", "sync", "git")
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		tooltest.Missing(t, "/usr/bin/time is not installed (apt-get install time)")
	}
}

// TestBenchScript runs make bench's script end to end on the two small
// fleets, one timed run each, and checks it prints the whole table: every
// operation of every fleet, without and with a render cache, with a time,
// a baseline, a ratio, a verdict on its target and a peak memory, and the
// doubling rows. The work folder, the cache included, is removed at the
// end.
func TestBenchScript(t *testing.T) {
	needScript(t)
	tmp := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "bench.sh")
	// The user's cache folder, where fleetgen's render cache would go
	// by default: the script uses a cache of its own. Go keeps its build
	// cache where it is.
	userCache := t.TempDir()
	goCache, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Env = append(os.Environ(), "BENCH_SIZES=small-half,small", "BENCH_RUNS=1", "BENCH_KEEP=", "TMPDIR="+tmp,
		"XDG_CACHE_HOME="+userCache, "GOCACHE="+strings.TrimSpace(string(goCache)), "FLEETGEN_CACHE=")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bench.sh: %v\nstdout:\n%s\nstderr:\n%s", err, out, stderr.String())
	}
	table := string(out)
	t.Logf("bench.sh printed:\n%s", table)

	num := `[0-9]+\.[0-9]+`
	verdict := `(met|\*\*not met\*\*)`
	target := func(base string) string {
		return num + " s \\| " + num + " s `" + base + "` \\| " + num + "× \\| ≤ 1×: " + verdict + " \\| [1-9][0-9]* MB"
	}
	none := num + " s \\| " + num + " s `diff -r` \\| " + num + "× \\| none \\| [1-9][0-9]* MB"
	rows := map[string]string{
		"cold render \\(empty cache\\)":   target("cp -a"),
		"no-op render, no cache \\(CI\\)": target("diff -r"),
		"no-op render, warm cache":        target("diff -r"),
		"one-line change, warm cache":     none,
		"check, no cache \\(CI\\)":        target("diff -r"),
		"check, warm cache":               target("diff -r"),
		"check of a pull request \\(one environment changed\\), no cache \\(CI\\)": target("diff -r"),
		"validate \\(no out/\\), no cache":                                         none,
		"validate \\(no out/\\), warm cache":                                       none,
	}
	memory := map[string]string{"small-half": "≤ 200 MB: " + verdict, "small": "none: see doubling"}
	for _, fleet := range []string{"small-half", "small"} {
		for op, cells := range rows {
			re := regexp.MustCompile(`(?m)^\| ` + fleet + ` \| ` + op + ` \| ` + cells + ` \|$`)
			if !re.MatchString(table) {
				t.Errorf("no complete %q row for %s", op, fleet)
			}
		}
		if !regexp.MustCompile(`(?m)^\| ` + fleet + ` \| peak memory \| \| \| \| ` + memory[fleet] + ` \| [1-9][0-9]* MB \|$`).MatchString(table) {
			t.Errorf("no complete peak memory row for %s", fleet)
		}
		if !regexp.MustCompile(`(?m)^- ` + fleet + `: [0-9]+ environments × .*; out/ holds [1-9][0-9]* files in [1-9][0-9]* folders, [0-9]+ MB of file data$`).MatchString(table) {
			t.Errorf("no description of fleet %s", fleet)
		}
		run := num + ` \[` + num + `\]`
		if !regexp.MustCompile(`(?m)^- ` + fleet + `: cold render ` + run + ", `cp -a` " + run + "; no-op render without cache " + run + ", warm " + run + ", `diff -r` " + num +
			"; one-line change " + run + "; check without cache " + run + ", warm " + run + ", of a pull request " + run + ", `diff -r` " + num + "; validate without cache " + run + ", warm " + run + "$").MatchString(table) {
			t.Errorf("no line of every run of fleet %s", fleet)
		}
	}
	for _, op := range []string{"cold render \\(empty cache\\)", "no-op render, no cache \\(CI\\)", "no-op render, warm cache", "check, no cache \\(CI\\)", "check, warm cache"} {
		re := regexp.MustCompile(`(?m)^\| small-half → small \| ` + op + ` \| ` + num + ` s \| ` + num + ` s \| ` + num + `× \| ≤ 2\.1×: ` + verdict + ` \| ` + num + `× \|$`)
		if !re.MatchString(table) {
			t.Errorf("no complete doubling row for %s", op)
		}
	}
	if !regexp.MustCompile(`(?m)^\| small-half → small \| peak memory \| [1-9][0-9]* MB \| [1-9][0-9]* MB \| ` + num + `× \| ≤ 2\.1×: ` + verdict + ` \| \|$`).MatchString(table) {
		t.Errorf("no doubling row for peak memory")
	}
	for _, want := range []string{"- machine: ", "- go version go", "- fleetgen ", "untimed first"} {
		if !strings.Contains(table, want) {
			t.Errorf("no %q line", want)
		}
	}
	if entries, _ := os.ReadDir(tmp); len(entries) > 0 {
		t.Errorf("bench.sh left %d entries in its TMPDIR, want its work folder removed", len(entries))
	}
	if _, err := os.Stat(filepath.Join(userCache, "fleetgen")); err == nil {
		t.Error("bench.sh used the user's render cache, want its own")
	}
}

// TestBenchScriptRefuses: a bad option stops the script before any work.
func TestBenchScriptRefuses(t *testing.T) {
	needScript(t)
	for _, tc := range []struct{ runs, sizes, want string }{
		{"0", "small", "BENCH_RUNS must be a positive integer"},
		{"1", ",", "BENCH_SIZES names no fleet"},
		{"1", "small,galaxy", `unknown fleet "galaxy"`},
		{"1", "small,small", "BENCH_SIZES names small twice"},
	} {
		env := "BENCH_RUNS=" + tc.runs + " BENCH_SIZES=" + tc.sizes
		want := tc.want
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "bash", "bench.sh")
		cmd.Env = append(os.Environ(), "BENCH_RUNS="+tc.runs, "BENCH_SIZES="+tc.sizes, "TMPDIR="+t.TempDir())
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), want) {
			t.Errorf("%s: %v, want a failure saying %q:\n%s", env, err, want, out)
		}
		if strings.Contains(string(out), "cold render") {
			t.Errorf("%s: timed a render before failing:\n%s", env, out)
		}
	}
}

// TestBenchScriptShellcheck keeps bench.sh free of shellcheck findings,
// style level included.
func TestBenchScriptShellcheck(t *testing.T) {
	bin := tooltest.Look(t, "shellcheck")
	if out, err := exec.Command(bin, "--severity=style", "bench.sh").CombinedOutput(); err != nil {
		t.Fatalf("shellcheck: %v\n%s", err, out)
	}
}
