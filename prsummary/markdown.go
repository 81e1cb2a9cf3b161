package prsummary

import (
	"fmt"
	"io"
	"strings"
)

// Marker starts every summary, so the workflow finds its own pull request
// comment to update instead of adding another.
const Marker = "<!-- fleetgen pr-summary -->"

// WriteMarkdown writes the summary: one section per environment, a line
// per Terraform layer, Application and HA cluster, details folded.
func (s *Summary) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString(Marker + "\n## What merging this pull request will do\n\n")
	if len(s.Environments) == 0 {
		b.WriteString("Nothing to apply: no rendered file of any environment changes.\n")
	}
	for _, e := range s.Environments {
		added := ""
		if e.Added {
			added = " (new environment)"
		}
		fmt.Fprintf(&b, "### %s%s\n\n", e.Name, added)
		if len(e.Terraform) > 0 {
			b.WriteString("**Terraform**, applied in this order by the apply workflow:\n\n| layer | plan |\n|---|---|\n")
			for _, l := range e.Terraform {
				note := ""
				if !l.Changed {
					note = " (unchanged; applied after an earlier layer)"
				}
				fmt.Fprintf(&b, "| `%s`%s | %s |\n", l.Name, note, l.Plan)
			}
			b.WriteString("\n")
			for _, l := range e.Terraform {
				if len(l.Plan.Actions) > 0 {
					fmt.Fprintf(&b, "<details><summary><code>%s</code>: %d resources</summary>\n\n```\n%s\n```\n</details>\n\n", l.Name, len(l.Plan.Actions), strings.Join(l.Plan.Actions, "\n"))
				}
			}
		}
		if len(e.Apps) > 0 {
			b.WriteString("**Argo CD** syncs after the merge:\n\n")
			for _, a := range e.Apps {
				fmt.Fprintf(&b, "- `%s`: %s changed", a.Name, strings.Join(a.What, ", "))
				if len(a.Objects) > 0 {
					fmt.Fprintf(&b, " <details><summary>%d objects</summary>\n\n  ```\n  %s\n  ```\n  </details>", len(a.Objects), strings.Join(a.Objects, "\n  "))
				}
				b.WriteString("\n")
			}
			b.WriteString("\n")
		}
		for _, h := range e.HA {
			var restart, reload []string
			for _, n := range h.Nodes {
				if n.Restart {
					restart = append(restart, n.Name)
				} else {
					reload = append(reload, n.Name)
				}
			}
			fmt.Fprintf(&b, "**HA %s**: apply.sh on %d node(s)", h.Cluster, len(h.Nodes))
			if h.FullStop {
				fmt.Fprintf(&b, ", **needs a full cluster stop** (%s changes): the apply workflow stops every node, applies, then starts them one at a time (the cluster README)", strings.Join(h.FullStopBecause, ", "))
			} else {
				b.WriteString(", one at a time, each waiting for the health gate")
			}
			b.WriteString("\n")
			if len(restart) > 0 {
				fmt.Fprintf(&b, "- Mattermost restarts on: %s\n", strings.Join(restart, ", "))
			}
			if len(reload) > 0 {
				fmt.Fprintf(&b, "- firewall and tunnels only, no restart: %s\n", strings.Join(reload, ", "))
			}
			b.WriteString("\n")
		}
		for _, r := range e.Removed {
			fmt.Fprintf(&b, "- removed %s %s: reported, never destroyed (docs/apply.md)\n", r.Kind, strings.TrimPrefix(r.Cluster+"/"+r.Name, "/"))
		}
		if len(e.Removed) > 0 {
			b.WriteString("\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
