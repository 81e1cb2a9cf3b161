package inventory

import (
	"fmt"
	"io/fs"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// MaxNesting bounds how deeply brackets, braces, parentheses and template
// interpolations nest in an inventory file. The HCL parser recurses once per
// level and a Go stack overflow cannot be recovered, so a file of a few
// hundred kilobytes of "[" would kill fleetgen; a real inventory nests a
// handful of levels (Helm values a dozen at most).
const MaxNesting = 64

// screenBytes rejects, before parsing, what the HCL parser would accept
// silently or crash on: bytes that are not UTF-8 (accepted in comments,
// where an editor in another encoding leaves them), control characters other
// than tab, newline and carriage return (a NUL can hide text from a
// reviewer's terminal), and nesting deeper than MaxNesting. Each diagnostic
// points at the first offending byte.
func screenBytes(path string, src []byte) hcl.Diagnostics {
	pos := hcl.Pos{Line: 1, Column: 1}
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return byteError(path, pos, "Invalid character encoding",
				fmt.Sprintf("The byte 0x%02x is not UTF-8. Inventory files are UTF-8 text; re-save the file as UTF-8.", src[i]))
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r', r == 0x7f:
			return byteError(path, pos, "Control character in inventory file",
				fmt.Sprintf("The control character U+%04X is not allowed in an inventory file; it can hide text from a reviewer. Remove it, or write it as an escape in a string.", r))
		}
		pos.Byte += size
		if r == '\n' {
			pos.Line, pos.Column = pos.Line+1, 1
		} else {
			pos.Column++
		}
		i += size
	}
	return screenNesting(path, src)
}

// screenNesting finds the first token nested deeper than MaxNesting. The
// lexer is a state machine, so unlike the parser it is safe on any depth.
func screenNesting(path string, src []byte) hcl.Diagnostics {
	tokens, _ := hclsyntax.LexConfig(src, path, hcl.InitialPos) // lexing errors are the parser's to report
	depth := 0
	for _, tok := range tokens {
		switch tok.Type {
		case hclsyntax.TokenOBrace, hclsyntax.TokenOBrack, hclsyntax.TokenOParen,
			hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl, hclsyntax.TokenOQuote, hclsyntax.TokenOHeredoc:
			depth++
			if depth > MaxNesting {
				return byteError(path, tok.Range.Start, "Value nested too deeply",
					fmt.Sprintf("This is nesting level %d; an inventory file may nest brackets, braces and strings at most %d levels deep.", depth, MaxNesting))
			}
		case hclsyntax.TokenCBrace, hclsyntax.TokenCBrack, hclsyntax.TokenCParen,
			hclsyntax.TokenTemplateSeqEnd, hclsyntax.TokenCQuote, hclsyntax.TokenCHeredoc:
			depth = max(depth-1, 0)
		}
	}
	return nil
}

func byteError(path string, pos hcl.Pos, summary, detail string) hcl.Diagnostics {
	end := pos
	end.Byte++
	end.Column++
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   detail,
		Subject:  &hcl.Range{Filename: path, Start: pos, End: end},
	}}
}

// describeType names the kind of a file that is not regular.
func describeType(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return "special file"
}
