package edit

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// Node is a node block to add to an ha_cluster. Empty fields are not
// written.
type Node struct {
	Cluster   string
	Name      string
	Address   string
	Ordinal   int // 0: the next free one, one more than the cluster's highest
	HostKey   string
	TunnelKey string
}

// AddNode adds a node block after the last node of its ha_cluster (before
// the cluster's closing brace when it has none). Its ordinal is always
// written, the next free one unless n says: a node's ordinal names its
// ports and units on every other node, and must not depend on where its
// block stands.
func AddNode(f *Folder, n Node) (Change, error) {
	p, err := parse(f)
	if err != nil {
		return Change{}, err
	}
	cluster, err := find(p.blocks("ha_cluster"), "ha_cluster", n.Cluster, f.Dir)
	if err != nil {
		return Change{}, err
	}
	nodes := nodeBlocks(cluster)
	if err := exists(nodes, "node", n.Name); err != nil {
		return Change{}, fmt.Errorf("ha_cluster %q: %w", n.Cluster, err)
	}
	if n.Ordinal == 0 {
		ordinals, err := nodeOrdinals(nodes)
		if err != nil {
			return Change{}, fmt.Errorf("ha_cluster %q: %w", n.Cluster, err)
		}
		n.Ordinal = slices.Max(append(ordinals, 0)) + 1
	}
	file := f.Files[cluster.file]
	text := nodeText(n)
	change := Change{Path: file.Path, Mode: file.Mode, Summary: fmt.Sprintf("added node %q to ha_cluster %q", n.Name, n.Cluster)}
	if len(nodes) > 0 {
		change.Data = insertAfter(file.Data, nodes[len(nodes)-1].syntax, text)
		return change, nil
	}
	// The first node: before the closing brace, one level deeper than
	// the cluster, after a blank line when the cluster has attributes.
	src := file.Data
	open, brace := cluster.syntax.OpenBraceRange.End.Byte, cluster.syntax.CloseBraceRange.Start.Byte
	indent := leadingSpace(src[lineStart(src, cluster.syntax.Range().Start.Byte):])
	inner := slices.Concat(indent, []byte("  "))
	if lineStart(src, brace) <= open {
		// A block on one line ({}, or { attr = value }) holds no nested
		// block: it is opened up, its attribute on a line of its own.
		var ins []byte
		ins = append(ins, '\n')
		if attr := bytes.TrimSpace(src[open:brace]); len(attr) > 0 {
			ins = slices.Concat(ins, inner, attr, []byte("\n\n"))
		}
		ins = slices.Concat(ins, indentLines(text, inner), indent)
		change.Data = slices.Concat(src[:open], lineEndings(src, ins), src[brace:])
		return change, nil
	}
	at := lineStart(src, brace)
	var ins []byte
	if len(cluster.syntax.Body.Attributes) > 0 && !blankBefore(src, at) {
		ins = append(ins, '\n')
	}
	ins = append(ins, indentLines(text, inner)...)
	change.Data = slices.Concat(src[:at], lineEndings(src, ins), src[at:])
	return change, nil
}

// RemoveNode removes a node block from its ha_cluster. The nodes after it
// whose ordinal is not written (their position) get it written, so no
// other node's ordinal, and so none of its ports or units, changes.
func RemoveNode(f *Folder, cluster, name string) (Change, error) {
	p, err := parse(f)
	if err != nil {
		return Change{}, err
	}
	c, err := find(p.blocks("ha_cluster"), "ha_cluster", cluster, f.Dir)
	if err != nil {
		return Change{}, err
	}
	nodes := nodeBlocks(c)
	n, err := find(nodes, "node", name, fmt.Sprintf("ha_cluster %q", cluster))
	if err != nil {
		return Change{}, err
	}
	file := f.Files[c.file]
	// The pins go after the removed block, which keeps its offsets.
	src, err := pinOrdinalsAfter(file.Data, nodes, n)
	if err != nil {
		return Change{}, fmt.Errorf("ha_cluster %q: %w", cluster, err)
	}
	return Change{Path: file.Path, Mode: file.Mode, Summary: fmt.Sprintf("removed node %q from ha_cluster %q", name, cluster),
		Data: remove(src, n.syntax, previous(nodes, n))}, nil
}

// nodeOrdinals are the ordinals of nodes as Load gives them: written, or
// the node's position in its cluster.
func nodeOrdinals(nodes []block) ([]int, error) {
	var ords []int
	for i, b := range nodes {
		attr, ok := b.syntax.Body.Attributes["ordinal"]
		if !ok {
			ords = append(ords, i+1)
			continue
		}
		v, diags := attr.Expr.Value(nil)
		if diags.HasErrors() || !v.Type().Equals(cty.Number) || v.IsNull() {
			return nil, fmt.Errorf("the ordinal of node %q is not a number", b.label())
		}
		bf := v.AsBigFloat()
		o, _ := bf.Int64()
		ords = append(ords, int(o))
	}
	return ords, nil
}

// pinOrdinalsAfter writes "ordinal = <position>" into every node after
// gone that has no ordinal attribute, below its address, its "=" under the
// address's (as fmt aligns them), leaving every other byte as it was.
func pinOrdinalsAfter(src []byte, nodes []block, gone block) ([]byte, error) {
	after := false
	type pin struct {
		at   int
		text []byte
	}
	var pins []pin
	for i, b := range nodes {
		if b.syntax == gone.syntax {
			after = true
			continue
		}
		if _, written := b.syntax.Body.Attributes["ordinal"]; !after || written {
			continue
		}
		open := b.syntax.OpenBraceRange.End.Byte
		if lineStart(src, b.syntax.CloseBraceRange.Start.Byte) <= open {
			return nil, fmt.Errorf("node %q is written on one line: write its ordinal (%d) by hand first, so it keeps it", b.label(), i+1)
		}
		at := lineEnd(src, open)
		indent, name := []byte("  "), "ordinal "
		if addr, ok := b.syntax.Body.Attributes["address"]; ok {
			at = lineEnd(src, addr.SrcRange.End.Byte)
			line := src[lineStart(src, addr.SrcRange.Start.Byte):at]
			indent = leadingSpace(line)
			if eq := bytes.IndexByte(line, '='); eq > len(indent)+len(name) {
				name += strings.Repeat(" ", eq-len(indent)-len(name))
			}
		}
		pins = append(pins, pin{at, lineEndings(src, []byte(fmt.Sprintf("%s%s= %d\n", indent, name, i+1)))})
	}
	out := src
	for _, p := range slices.Backward(pins) {
		out = slices.Concat(out[:p.at], p.text, out[p.at:])
	}
	return out, nil
}

func nodeBlocks(cluster block) []block {
	var nodes []block
	for _, b := range cluster.syntax.Body.Blocks {
		if b.Type == "node" {
			nodes = append(nodes, block{file: cluster.file, syntax: b})
		}
	}
	return nodes
}

// nodeText is the formatted node block, attributes in the order of docs/inventory.md.
func nodeText(n Node) []byte {
	f := hclwrite.NewEmptyFile()
	body := f.Body().AppendNewBlock("node", []string{n.Name}).Body()
	body.SetAttributeValue("address", cty.StringVal(n.Address))
	if n.Ordinal != 0 {
		body.SetAttributeValue("ordinal", cty.NumberIntVal(int64(n.Ordinal)))
	}
	if n.HostKey != "" {
		body.SetAttributeValue("host_key", cty.StringVal(n.HostKey))
	}
	if n.TunnelKey != "" {
		body.SetAttributeValue("tunnel_key", cty.StringVal(n.TunnelKey))
	}
	return hclwrite.Format(f.Bytes())
}
