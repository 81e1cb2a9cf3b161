package inventory

import (
	"bytes"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// A Formatted file is one inventory file and its canonical layout.
type Formatted struct {
	Path     string
	Original []byte
	Result   []byte // hclwrite's layout, as terraform fmt gives it
}

// Changed reports whether formatting changes the file.
func (f Formatted) Changed() bool { return !bytes.Equal(f.Original, f.Result) }

// FormatFile reads one inventory file and formats it. It applies the
// screens Load does first: a file that is too large, not a regular file,
// holds a credential or does not parse gets diagnostics and no result,
// because formatting around a syntax error would move the user's text in
// ways they did not ask for. files receives the file's bytes (masked where
// a credential was found) for printing the diagnostics.
func FormatFile(path string, files Files) (Formatted, hcl.Diagnostics) {
	src, diags := readFile(path, nil)
	if src == nil {
		return Formatted{Path: path}, diags
	}
	f, diags := parseBytes(hclparse.NewParser(), files, path, src)
	if f == nil || diags.HasErrors() {
		return Formatted{Path: path}, diags
	}
	files[path] = &hcl.File{Bytes: f.Bytes}
	return Formatted{Path: path, Original: f.Bytes, Result: hclwrite.Format(f.Bytes)}, diags
}
