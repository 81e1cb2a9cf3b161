package affected

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteJSON writes the report as one indented JSON document.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes the report for a person: one line per environment and
// kind of change.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	base := r.Base
	if base == "" {
		base = "(none: everything is new)"
	}
	fmt.Fprintf(&b, "base %s\nhead %s\n", base, r.Head)
	if len(r.Environments) == 0 && len(r.Unknown) == 0 {
		b.WriteString("nothing to apply\n")
	}
	for _, env := range r.Environments {
		for _, a := range r.Added {
			if a == env {
				fmt.Fprintf(&b, "%s: new environment\n", env)
			}
		}
		for _, t := range r.Terraform {
			if t.Env == env {
				fmt.Fprintf(&b, "%s: terraform changed %s; apply %s\n", env, strings.Join(t.Layers, ", "), strings.Join(t.Apply, ", "))
			}
		}
		for _, a := range r.ArgoCD {
			if a.Env == env {
				fmt.Fprintf(&b, "%s: argocd syncs %d changed file(s)\n", env, len(a.Files))
			}
		}
		for _, h := range r.HA {
			if h.Env != env {
				continue
			}
			var nodes []string
			for _, n := range h.Nodes {
				s := n.Name
				if n.Address != "" {
					s += fmt.Sprintf(" (%s:%d)", n.Address, n.Port)
				}
				if !n.Pinned {
					s += " [no pinned host key]"
				}
				if n.Restart {
					s += " [restarts Mattermost]"
				}
				nodes = append(nodes, s)
			}
			fmt.Fprintf(&b, "%s: ha %s: %s\n", env, h.Cluster, strings.Join(nodes, ", "))
			if h.FullStop {
				fmt.Fprintf(&b, "%s: ha %s: FULL STOP: %s changed; stop every node, apply each without --restart, then start them one at a time (see its README)\n",
					env, h.Cluster, strings.Join(h.FullStopBecause, ", "))
			}
		}
		for _, rm := range r.Removed {
			if rm.Env != env {
				continue
			}
			what := rm.Kind + " " + rm.Name
			if rm.Cluster != "" {
				what = rm.Kind + " " + rm.Cluster + "/" + rm.Name
			}
			fmt.Fprintf(&b, "%s: removed %s: not destroyed, an operator does it by hand\n", env, what)
		}
	}
	for _, u := range r.Unknown {
		fmt.Fprintf(&b, "unknown: %s is not a path fleetgen renders\n", u)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
