package cli

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/mitchellh/go-wordwrap"

	"github.com/mattermost/fleetgen/inventory"
)

// writeDiagnostics prints each diagnostic as the README promises:
// "file:line:col: severity: summary", then the detail and the source line
// with the offending range underlined. Sources come from files, in which
// Load has already masked anything that looked like a credential.
func writeDiagnostics(w io.Writer, files inventory.Files, diags hcl.Diagnostics) {
	for _, d := range diags {
		fmt.Fprintf(w, "%s%s: %s\n", location(d.Subject), severity(d.Severity), d.Summary)
		if d.Detail != "" {
			for _, line := range strings.Split(wordwrap.WrapString(d.Detail, 78), "\n") {
				fmt.Fprintf(w, "  %s\n", line)
			}
		}
		// A credential may sit on the line of its diagnostic: never quote it.
		if !inventory.HidesSource(d) {
			fmt.Fprint(w, sourceSnippet(files, d.Subject))
		}
		fmt.Fprintln(w)
	}
}

func location(r *hcl.Range) string {
	switch {
	case r == nil || r.Filename == "":
		return ""
	case r.Start.Line == 0:
		return r.Filename + ": "
	default:
		return fmt.Sprintf("%s:%d:%d: ", r.Filename, r.Start.Line, r.Start.Column)
	}
}

func severity(s hcl.DiagnosticSeverity) string {
	if s == hcl.DiagWarning {
		return "warning"
	}
	return "error"
}

// sourceSnippet renders the first line of r with its range underlined.
func sourceSnippet(files inventory.Files, r *hcl.Range) string {
	if r == nil || r.Start.Line == 0 {
		return ""
	}
	f := files[r.Filename]
	if f == nil {
		return ""
	}
	src := f.Bytes
	if r.Start.Byte > len(src) {
		return ""
	}
	// Columns count characters, not bytes: find the line by byte offset.
	lineStart := bytes.LastIndexByte(src[:r.Start.Byte], '\n') + 1
	lineEnd := bytes.IndexByte(src[lineStart:], '\n')
	if lineEnd < 0 {
		lineEnd = len(src) - lineStart
	}
	line := string(src[lineStart : lineStart+lineEnd])
	if !utf8.ValidString(line) {
		return ""
	}
	startCol := r.Start.Byte - lineStart
	endCol := len(line)
	if r.End.Line == r.Start.Line && r.End.Byte-lineStart <= len(line) {
		endCol = r.End.Byte - lineStart
	}
	var under strings.Builder
	for _, c := range line[:startCol] {
		if c == '\t' {
			under.WriteRune('\t')
		} else {
			under.WriteRune(' ')
		}
	}
	under.WriteString(strings.Repeat("^", max(1, utf8.RuneCountInString(line[startCol:max(startCol, endCol)]))))
	num := fmt.Sprint(r.Start.Line)
	pad := strings.Repeat(" ", len(num))
	return fmt.Sprintf("  %s | %s\n  %s | %s\n", num, line, pad, under.String())
}
