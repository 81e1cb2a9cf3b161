package inventory

import (
	"bytes"
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
	if depth, ok := plainNesting(src); ok && depth <= MaxNesting {
		return nil
	}
	return screenNesting(path, src)
}

// plainNesting is the deepest nesting screenNesting would find in src,
// measured without HCL's lexer, which costs as much as the parse that
// follows. It knows only plain HCL: brackets, braces and parentheses, quoted
// strings on one line, and comments. On anything else (a heredoc, a
// template sequence, a string running into a newline) it gives up, ok is
// false, and the lexer decides.
func plainNesting(src []byte) (depth int, ok bool) {
	level := 0
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '{', '[', '(':
			level++
			depth = max(depth, level)
		case '}', ']', ')':
			level = max(level-1, 0)
		case '<':
			if next(src, i) == '<' {
				return 0, false // a heredoc
			}
		case '$', '%':
			if next(src, i) == '{' {
				return 0, false // a template sequence
			}
		case '#':
			i = lineEnd(src, i)
		case '/':
			switch {
			case next(src, i) == '/':
				i = lineEnd(src, i)
			case next(src, i) == '*':
				end := bytes.Index(src[i+2:], []byte("*/"))
				if end < 0 {
					return 0, false
				}
				i += 2 + end + 1
			}
		case '"':
			depth = max(depth, level+1)
			for i++; i < len(src) && src[i] != '"'; i++ {
				switch src[i] {
				case '\\':
					i++
					if i < len(src) && src[i] == '\n' {
						return 0, false
					}
				case '\n':
					return 0, false
				case '$', '%':
					if next(src, i) == '{' {
						return 0, false
					}
				}
			}
			if i == len(src) {
				return 0, false
			}
		}
	}
	return depth, true
}

// next is the byte after src[i], or 0 at the end.
func next(src []byte, i int) byte {
	if i+1 < len(src) {
		return src[i+1]
	}
	return 0
}

// lineEnd is the index of the newline ending the line that holds src[i],
// or the last index of src.
func lineEnd(src []byte, i int) int {
	if n := bytes.IndexByte(src[i:], '\n'); n >= 0 {
		return i + n
	}
	return len(src) - 1
}

// screenNesting finds the first token nested deeper than MaxNesting. The
// lexer is a state machine, so unlike the parser it is safe on any depth.
func screenNesting(path string, src []byte) hcl.Diagnostics {
	if depth, at := lexedNesting(src, MaxNesting); depth > MaxNesting {
		return byteError(path, at, "Value nested too deeply",
			fmt.Sprintf("This is nesting level %d; an inventory file may nest brackets, braces and strings at most %d levels deep.", depth, MaxNesting))
	}
	return nil
}

// lexedNesting is the deepest nesting of the tokens of src, or the level
// and place of the first token nested deeper than limit.
func lexedNesting(src []byte, limit int) (deepest int, at hcl.Pos) {
	tokens, _ := hclsyntax.LexConfig(src, "", hcl.InitialPos) // lexing errors are the parser's to report
	depth := 0
	for _, tok := range tokens {
		switch tok.Type {
		case hclsyntax.TokenOBrace, hclsyntax.TokenOBrack, hclsyntax.TokenOParen,
			hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl, hclsyntax.TokenOQuote, hclsyntax.TokenOHeredoc:
			depth++
			deepest = max(deepest, depth)
			if depth > limit {
				return depth, tok.Range.Start
			}
		case hclsyntax.TokenCBrace, hclsyntax.TokenCBrack, hclsyntax.TokenCParen,
			hclsyntax.TokenTemplateSeqEnd, hclsyntax.TokenCQuote, hclsyntax.TokenCHeredoc:
			depth = max(depth-1, 0)
		}
	}
	return deepest, hcl.Pos{}
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

// Screen applies to src every check Load makes before parsing a file (its
// encoding, control characters, nesting, credentials) and returns src with
// credentials masked, for printing its lines. The edit commands parse the
// inventory files themselves and screen them first: the nesting limit is
// what keeps the parser from overflowing the stack.
func Screen(path string, src []byte) ([]byte, hcl.Diagnostics) {
	if diags := screenBytes(path, src); diags.HasErrors() {
		return src, diags
	}
	return screenSecrets(path, src)
}
