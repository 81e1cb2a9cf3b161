package explain

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// old names the tree the inventory was compared with; code quotes its
// parts (for Markdown).
func (r *Report) old(code func(string) string) string {
	out := code(filepath.ToSlash(r.Out) + "/")
	if r.Against != "" {
		return out + " at " + code(r.Against)
	}
	return out
}

func plain(s string) string { return s }

// codeSpan is s as a Markdown code span, whatever backticks it holds.
func codeSpan(s string) string {
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if len(fence) > 1 {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// WriteText writes the explanation for a terminal: each changed
// environment, then its statements indented, warnings marked ⚠; then the
// unchanged environments on one line (a fleet has many).
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	if !r.Changed {
		fmt.Fprintf(&b, "No change: %s matches the inventory.\n", r.old(plain))
	}
	for _, e := range r.Environments {
		if len(e.Statements) > 0 {
			fmt.Fprintf(&b, "%s:\n", e.Name)
			for _, s := range e.Statements {
				fmt.Fprintf(&b, "  %s%s\n", mark(s), s.Text)
			}
		}
	}
	var unchanged []string
	for _, e := range r.Environments {
		if len(e.Statements) == 0 && r.Changed {
			unchanged = append(unchanged, e.Name)
		}
	}
	if len(unchanged) > 0 {
		fmt.Fprintf(&b, "No change: %s.\n", strings.Join(unchanged, ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mark(s Statement) string {
	if s.Warning {
		return "⚠ "
	}
	return ""
}

// Markdown is the explanation as a Markdown section, for a pull request's
// step summary: a heading, then a list per changed environment.
func (r *Report) Markdown() string {
	var b strings.Builder
	b.WriteString("### What this changes\n\n")
	if !r.Changed {
		fmt.Fprintf(&b, "No change: %s matches the inventory.\n", r.old(codeSpan))
		return b.String()
	}
	fmt.Fprintf(&b, "Compared with %s:\n", r.old(codeSpan))
	var unchanged []string
	for _, e := range r.Environments {
		if len(e.Statements) == 0 {
			unchanged = append(unchanged, mdEscape(e.Name))
			continue
		}
		fmt.Fprintf(&b, "\n**%s**\n\n", mdEscape(e.Name))
		for _, s := range e.Statements {
			m := ""
			if s.Warning {
				m = "⚠️ "
			}
			fmt.Fprintf(&b, "- %s%s\n", m, mdEscape(s.Text))
		}
	}
	if len(unchanged) > 0 {
		fmt.Fprintf(&b, "\nNo change: %s.\n", strings.Join(unchanged, ", "))
	}
	return b.String()
}

// WriteMarkdown writes Markdown.
func (r *Report) WriteMarkdown(w io.Writer) error {
	_, err := io.WriteString(w, r.Markdown())
	return err
}

// WriteJSON writes the report as one JSON document (docs/explain.md).
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// mdEscape keeps text literal in Markdown: no emphasis, links, HTML,
// table cells or nested list ("- + 2 federation targets") from the
// statements and the names the inventory chose.
var mdEscape = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", "&lt;", ">", "&gt;", "|", `\|`, "#", `\#`, "~", `\~`, "+", `\+`,
).Replace
