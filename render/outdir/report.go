package outdir

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"strings"
)

// Limits that keep the GitHub step summary readable and under GitHub's 1 MiB
// cap for a step; the full diff is one `fleetgen check` away.
const (
	summaryDiffLines = 200     // lines shown of one file's diff
	summaryDiffBytes = 512_000 // bytes of diff shown in all
)

// WriteText writes one line per drifted path (modified:, missing:,
// orphaned:), then the unified diffs, for a terminal or a CI log.
func (d *Drift) WriteText(w io.Writer) error {
	var b strings.Builder
	for _, u := range d.Unowned {
		fmt.Fprintf(&b, "warning: %s\n", d.unownedNote(u))
	}
	if d.Clean() {
		fmt.Fprintf(&b, "%s: no drift\n", d.display(""))
		_, err := io.WriteString(w, b.String())
		return err
	}
	files := d.Files()
	for _, fd := range files {
		fmt.Fprintf(&b, "%-9s %s%s\n", fd.Kind.String()+":", d.display(fd.Path), notes(fd))
	}
	for _, fd := range files {
		if fd.Diff != "" {
			b.WriteString("\n")
			b.WriteString(fd.Diff)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// unownedNote says what an unowned file is and that it is left alone.
func (d *Drift) unownedNote(rel string) string {
	return d.display(rel) + " is not rendered from the inventory and fleetgen did not write it: left alone (remove it, or keep it out of out/)"
}

func notes(fd FileDrift) string {
	if len(fd.Notes) == 0 {
		return ""
	}
	return " (" + strings.Join(fd.Notes, "; ") + ")"
}

// jsonReport is the document WriteJSON writes. Its lists are never null, so
// consumers (jq, scripts) need no special case.
type jsonReport struct {
	Clean        bool               `json:"clean"`
	Environments map[string]jsonEnv `json:"environments"`
	// Unowned are files no inventory renders and fleetgen never wrote: a
	// warning, not drift.
	Unowned []string `json:"unowned"`
}

type jsonEnv struct {
	Added   []string `json:"added"`   // rendered, missing on disk
	Changed []string `json:"changed"` // content or mode differs
	Removed []string `json:"removed"` // orphaned: a render would delete them
}

// WriteJSON writes the drift as one JSON document: per environment, the
// paths (relative to out/) a render would add, change and remove.
func (d *Drift) WriteJSON(w io.Writer) error {
	r := jsonReport{Clean: d.Clean(), Environments: map[string]jsonEnv{}, Unowned: append([]string{}, d.Unowned...)}
	for _, e := range d.envs {
		r.Environments[e.Name] = jsonEnv{Added: paths(e.Missing), Changed: paths(e.Changed), Removed: paths(e.Orphaned)}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func paths(fds []FileDrift) []string {
	ps := make([]string, 0, len(fds))
	for _, fd := range fds {
		ps = append(ps, fd.Path)
	}
	return ps
}

// WriteGitHub writes one error annotation per drifted path to annotations
// (workflow commands, for stdout) and a Markdown report to summary (for
// $GITHUB_STEP_SUMMARY). A non-empty section (what the change means, from
// the CLI) goes after the verdict and before the list of files, so a
// reviewer reads the meaning first.
func (d *Drift) WriteGitHub(annotations, summary io.Writer, section string) error {
	if section != "" && !strings.HasSuffix(section, "\n") {
		section += "\n"
	}
	var warnings strings.Builder
	for _, u := range d.Unowned {
		fmt.Fprintf(&warnings, "::warning file=%s,title=%s::%s\n",
			escapeProperty(d.display(u)), escapeProperty("fleetgen: file not rendered"), escapeData(d.unownedNote(u)))
	}
	if _, err := io.WriteString(annotations, warnings.String()); err != nil {
		return err
	}
	if len(d.Unowned) > 0 {
		// Before the CLI's section, which the list of files follows.
		w := fmt.Sprintf("⚠️ %d file(s) in %s are not rendered from the inventory and fleetgen did not write them; they are left alone:\n\n", len(d.Unowned), mdCode(d.display("")))
		for _, u := range d.Unowned {
			w += "- " + mdCode(d.display(u)) + "\n"
		}
		if section != "" {
			w += "\n"
		}
		section = w + section
	}
	if d.Clean() {
		_, err := fmt.Fprintf(summary, "✅ fleetgen check: %s matches the inventory.\n", mdCode(d.display("")))
		if err == nil && section != "" {
			_, err = io.WriteString(summary, "\n"+section)
		}
		return err
	}
	var a strings.Builder
	for _, fd := range d.Files() {
		fmt.Fprintf(&a, "::error file=%s,title=%s::%s\n",
			escapeProperty(d.display(fd.Path)), escapeProperty("fleetgen drift"), escapeData(d.annotation(fd)))
	}
	if _, err := io.WriteString(annotations, a.String()); err != nil {
		return err
	}
	_, err := io.WriteString(summary, d.markdown(section))
	return err
}

// annotation is the message of one file's annotation.
func (d *Drift) annotation(fd FileDrift) string {
	var what string
	switch fd.Kind {
	case DriftChanged:
		what = "differs from what fleetgen renders"
	case DriftMissing:
		what = "is rendered by fleetgen but missing"
	case DriftOrphaned:
		what = "is no longer rendered by fleetgen and would be removed"
	}
	return d.display(fd.Path) + " " + what + notes(fd) + ". Run fleetgen render and commit the result."
}

// markdown is the step summary: counts per environment, section, the
// files, then the diffs folded away in <details>.
func (d *Drift) markdown(section string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## ❌ fleetgen check: %s differs from the inventory\n\n", mdCode(d.display("")))
	b.WriteString("Run `fleetgen render` and commit the result.\n\n")
	b.WriteString("| environment | added | changed | removed |\n| --- | ---: | ---: | ---: |\n")
	for _, e := range d.envs {
		name := strings.ReplaceAll(html.EscapeString(e.Name), "|", `\|`)
		if e.Name == "" {
			name = "*(manifest)*"
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %d |\n", name, len(e.Missing), len(e.Changed), len(e.Orphaned))
	}
	if section != "" {
		b.WriteString("\n" + section)
	}
	b.WriteString("\n### Files\n\n")
	files := d.Files()
	for _, fd := range files {
		fmt.Fprintf(&b, "- %s %s%s\n", fd.Kind, mdCode(d.display(fd.Path)), html.EscapeString(notes(fd)))
	}
	b.WriteString("\n### Diffs\n")
	budget := summaryDiffBytes
	for _, fd := range files {
		if fd.Diff == "" {
			continue
		}
		if budget <= 0 {
			b.WriteString("\nMore diffs left out to keep this summary short; run `fleetgen check` for all of them.\n")
			break
		}
		diff := truncateLines(fd.Diff, summaryDiffLines)
		budget -= len(diff)
		fence := strings.Repeat("`", max(3, longestRun(diff, '`')+1))
		fmt.Fprintf(&b, "\n<details><summary><code>%s</code> %s</summary>\n\n%sdiff\n%s%s\n",
			html.EscapeString(d.display(fd.Path)), fd.Kind, fence, diff, fence)
		if diff != fd.Diff {
			fmt.Fprintf(&b, "\nDiff truncated to %d of %d lines; run `fleetgen check` for all of it.\n",
				summaryDiffLines, strings.Count(fd.Diff, "\n"))
		}
		b.WriteString("\n</details>\n")
	}
	return b.String()
}

// truncateLines keeps the first n lines of s.
func truncateLines(s string, n int) string {
	i := 0
	for range n {
		j := strings.IndexByte(s[i:], '\n')
		if j < 0 {
			return s
		}
		i += j + 1
	}
	return s[:i]
}

// longestRun is the length of the longest run of c in s: a fence one longer
// cannot be closed by the content it fences.
func longestRun(s string, c byte) int {
	longest, run := 0, 0
	for i := range len(s) {
		if s[i] == c {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}

// mdCode is s as an inline code span, whatever backticks it holds.
func mdCode(s string) string {
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// escapeData escapes the message of a workflow command, as the runner's
// toolkit does (@actions/core command.ts).
var escapeData = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace

// escapeProperty escapes a workflow command property value, where ':' and
// ',' would end the value.
var escapeProperty = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace
