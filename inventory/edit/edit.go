package edit

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/mattermost/fleetgen/internal/suggest"
	"github.com/mattermost/fleetgen/inventory"
)

// A File is one inventory file of a folder.
type File struct {
	Path string
	Data []byte
	Mode fs.FileMode
}

// A Folder is an environment folder: its .hcl files in name order.
type Folder struct {
	Dir   string
	Name  string // the environment's name: the folder's
	Files []File
}

// ReadFolder reads the inventory files of an environment folder, named as
// the loader names them (dir joined with the file name).
func ReadFolder(dir string) (*Folder, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	f := &Folder{Dir: dir, Name: filepath.Base(dir)}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".hcl") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		// Stat follows a symbolic link, as the loader does.
		info, err := os.Stat(path)
		switch {
		case err != nil:
			return nil, err
		case !info.Mode().IsRegular():
			return nil, fmt.Errorf("%s is not a regular file", path)
		case info.Size() > inventory.MaxFileSize:
			return nil, fmt.Errorf("%s has %d bytes; an inventory file may have at most %d", path, info.Size(), inventory.MaxFileSize)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		f.Files = append(f.Files, File{Path: path, Data: data, Mode: info.Mode().Perm()})
	}
	return f, nil
}

// A Change is the new content of one file of the folder.
type Change struct {
	Path    string
	Data    []byte
	Mode    fs.FileMode // the file's own mode; 0644 for a new file
	Created bool        // the file does not exist yet
	Summary string      // what was done, such as `added workload_cluster "c1"`
}

// SyntaxError is a file the edit must search but cannot read: it does not
// parse, or fails the loader's screens (a credential, deep nesting). Its
// diagnostics point into Sources, the folder's files by path with any
// credential masked, for printing.
type SyntaxError struct {
	Diags   hcl.Diagnostics
	Sources map[string][]byte
}

func (e *SyntaxError) Error() string { return e.Diags.Error() }

// block is one block found in a folder, with where it lies.
type block struct {
	file   int // index in Folder.Files
	syntax *hclsyntax.Block
}

func (b block) label() string {
	if len(b.syntax.Labels) == 0 {
		return ""
	}
	return b.syntax.Labels[0]
}

// parsed is a folder's files parsed, with their top-level blocks.
type parsed struct {
	folder *Folder
	bodies []*hclsyntax.Body
}

func parse(f *Folder) (*parsed, error) {
	p := &parsed{folder: f}
	var diags hcl.Diagnostics
	sources := map[string][]byte{}
	for _, file := range f.Files {
		masked, ds := inventory.Screen(file.Path, file.Data)
		sources[file.Path] = masked
		if ds.HasErrors() {
			diags = append(diags, ds...)
			p.bodies = append(p.bodies, nil)
			continue
		}
		syn, ds := hclsyntax.ParseConfig(file.Data, file.Path, hcl.InitialPos)
		diags = append(diags, ds...)
		body, _ := syn.Body.(*hclsyntax.Body)
		p.bodies = append(p.bodies, body)
	}
	if diags.HasErrors() {
		return nil, &SyntaxError{Diags: diags, Sources: sources}
	}
	return p, nil
}

// blocks lists the top-level blocks of type typ, in file and source order.
func (p *parsed) blocks(typ string) []block {
	var found []block
	for i, body := range p.bodies {
		for _, b := range body.Blocks {
			if b.Type == typ {
				found = append(found, block{file: i, syntax: b})
			}
		}
	}
	return found
}

// find returns the block of type typ labelled name, or an error naming the
// closest label when there is none.
func find(blocks []block, typ, name, where string) (block, error) {
	var labels []string
	for _, b := range blocks {
		if b.label() == name {
			return b, nil
		}
		labels = append(labels, b.label())
	}
	return block{}, fmt.Errorf("there is no %s %q in %s.%s", typ, name, where, suggest.DidYouMean(name, labels))
}

// exists refuses a name that is already declared, saying where.
func exists(blocks []block, typ, name string) error {
	for _, b := range blocks {
		if b.label() == name {
			r := b.syntax.DefRange()
			return fmt.Errorf("%s %q already exists at %s:%d", typ, name, r.Filename, r.Start.Line)
		}
	}
	return nil
}

// span is the byte range a block owns in its file: its whole lines, the
// comment lines directly above it and a comment after its closing brace.
// When the block shares a line with other code, only its own bytes.
func span(src []byte, b *hclsyntax.Block) (start, end int) {
	start, end = b.Range().Start.Byte, b.Range().End.Byte
	if ls := lineStart(src, start); isBlank(src[ls:start]) {
		start = ls
		for start > 0 {
			prev := lineStart(src, start-1)
			line := bytes.TrimSpace(src[prev:start])
			if !bytes.HasPrefix(line, []byte("#")) && !bytes.HasPrefix(line, []byte("//")) {
				break
			}
			start = prev
		}
	}
	if le := lineEnd(src, end); isBlank(src[end:le]) || isComment(src[end:le]) {
		end = le
	}
	return start, end
}

// lineStart is the offset of the first byte of the line holding off.
func lineStart(src []byte, off int) int {
	return bytes.LastIndexByte(src[:off], '\n') + 1
}

// lineEnd is the offset just after the newline ending the line holding
// off, or len(src) on the last line.
func lineEnd(src []byte, off int) int {
	if i := bytes.IndexByte(src[off:], '\n'); i >= 0 {
		return off + i + 1
	}
	return len(src)
}

func isBlank(b []byte) bool { return len(bytes.TrimSpace(b)) == 0 }

func isComment(b []byte) bool {
	t := bytes.TrimSpace(b)
	return bytes.HasPrefix(t, []byte("#")) || bytes.HasPrefix(t, []byte("//"))
}

// blankBefore reports whether the line before offset start is blank.
func blankBefore(src []byte, start int) bool {
	return start > 0 && isBlank(src[lineStart(src, start-1):start])
}

// remove cuts a block out of src with one blank line of its separators:
// the one above when the block follows prev (its sibling of the same type,
// nil for none) across a blank line, or is last in its body, or is followed
// by a blank line; else the one below when the block opens its body (first
// in the file, or right after a "{" line). Adding a block after its last
// sibling (which writes a blank line above it when that sibling had one)
// then removing it gives back src.
func remove(src []byte, b, prev *hclsyntax.Block) []byte {
	start, end := span(src, b)
	atEnd := end == len(src) || bytes.HasPrefix(bytes.TrimSpace(src[end:lineEnd(src, end)]), []byte("}"))
	nextBlank := end < len(src) && isBlank(src[end:lineEnd(src, end)])
	afterPrev := false
	if prev != nil && blankBefore(src, start) {
		_, prevEnd := span(src, prev)
		afterPrev = prevEnd == lineStart(src, start-1)
	}
	switch {
	case blankBefore(src, start) && (afterPrev || nextBlank || atEnd):
		start = lineStart(src, start-1)
	case nextBlank && firstInBody(src, start):
		end = lineEnd(src, end)
	}
	return slices.Concat(src[:start], src[end:])
}

// firstInBody reports whether the line before offset start opens the body
// that holds it: there is none, or it ends with "{".
func firstInBody(src []byte, start int) bool {
	if start == 0 {
		return true
	}
	return bytes.HasSuffix(bytes.TrimSpace(src[lineStart(src, start-1):start]), []byte("{"))
}

// previous is the block before b among blocks of its file, or nil.
func previous(blocks []block, b block) *hclsyntax.Block {
	var prev *hclsyntax.Block
	for _, o := range blocks {
		if o.syntax == b.syntax {
			return prev
		}
		if o.file == b.file {
			prev = o.syntax
		}
	}
	return nil
}

// insertAfter puts text (a formatted block, indented at column 1) after
// the block sibling, indented like it, with a blank line between them
// when sibling has one above it.
func insertAfter(src []byte, sibling *hclsyntax.Block, text []byte) []byte {
	start, end := span(src, sibling)
	indent := leadingSpace(src[lineStart(src, sibling.Range().Start.Byte):])
	var ins []byte
	if end == 0 || src[end-1] != '\n' {
		ins = append(ins, '\n')
	}
	if blankBefore(src, start) {
		ins = append(ins, '\n')
	}
	ins = append(ins, indentLines(text, indent)...)
	return slices.Concat(src[:end], lineEndings(src, ins), src[end:])
}

// appendBlock puts text at the end of a file, after a blank line when the
// file has content.
func appendBlock(src, text []byte) []byte {
	var ins []byte
	if len(bytes.TrimSpace(src)) > 0 {
		if src[len(src)-1] != '\n' {
			ins = append(ins, '\n')
		}
		if !blankBefore(src, len(src)) || len(ins) > 0 {
			ins = append(ins, '\n')
		}
	}
	ins = append(ins, text...)
	return slices.Concat(src, lineEndings(src, ins))
}

// lineEndings gives inserted text the line endings of the file it goes
// into: CRLF when the file has any, else LF.
func lineEndings(src, text []byte) []byte {
	if !bytes.Contains(src, []byte("\r\n")) {
		return text
	}
	return bytes.ReplaceAll(text, []byte("\n"), []byte("\r\n"))
}

func leadingSpace(line []byte) []byte {
	return line[:len(line)-len(bytes.TrimLeft(line, " \t"))]
}

func indentLines(text, indent []byte) []byte {
	if len(indent) == 0 {
		return text
	}
	var out []byte
	for line := range bytes.Lines(text) {
		if !isBlank(line) {
			out = append(out, indent...)
		}
		out = append(out, line...)
	}
	return out
}

// Names lists, for shell completion, the workload cluster IDs of a folder
// and its nodes as "cluster/node", in source order. A file that does not
// parse adds nothing.
func Names(f *Folder) (workloadClusters, nodes []string) {
	for _, file := range f.Files {
		if _, diags := inventory.Screen(file.Path, file.Data); diags.HasErrors() {
			continue
		}
		syn, diags := hclsyntax.ParseConfig(file.Data, file.Path, hcl.InitialPos)
		body, ok := syn.Body.(*hclsyntax.Body)
		if diags.HasErrors() || !ok {
			continue
		}
		for _, b := range body.Blocks {
			switch {
			case b.Type == "workload_cluster" && len(b.Labels) == 1:
				workloadClusters = append(workloadClusters, b.Labels[0])
			case b.Type == "ha_cluster" && len(b.Labels) == 1:
				for _, n := range b.Body.Blocks {
					if n.Type == "node" && len(n.Labels) == 1 {
						nodes = append(nodes, b.Labels[0]+"/"+n.Labels[0])
					}
				}
			}
		}
	}
	return workloadClusters, nodes
}

// Apply puts a change into the folder in memory, so that several edits can
// follow one another before anything is written.
func (f *Folder) Apply(c Change) {
	for i := range f.Files {
		if f.Files[i].Path == c.Path {
			f.Files[i].Data = c.Data
			return
		}
	}
	f.Files = append(f.Files, File{Path: c.Path, Data: c.Data, Mode: c.Mode})
	slices.SortFunc(f.Files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
}
