package edit

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// WorkloadCluster is a workload_cluster block to add. Empty fields are not
// written, so the inventory's defaults apply.
type WorkloadCluster struct {
	ID            string
	PrometheusURL string
	Labels        map[string]string
	NoFederate    bool // write federate = false
}

// WorkloadFile is the file a folder's first workload_cluster goes into.
const WorkloadFile = "workload-clusters.hcl"

// AddWorkloadCluster adds a workload_cluster block after the folder's last
// one, in that block's file; the first goes at the end of WorkloadFile,
// which is created when missing.
func AddWorkloadCluster(f *Folder, wc WorkloadCluster) (Change, error) {
	p, err := parse(f)
	if err != nil {
		return Change{}, err
	}
	blocks := p.blocks("workload_cluster")
	if err := exists(blocks, "workload_cluster", wc.ID); err != nil {
		return Change{}, err
	}
	text := workloadClusterText(wc)
	summary := fmt.Sprintf("added workload_cluster %q", wc.ID)
	if len(blocks) > 0 {
		last := blocks[len(blocks)-1]
		file := f.Files[last.file]
		return Change{Path: file.Path, Mode: file.Mode, Summary: summary,
			Data: insertAfter(file.Data, last.syntax, text)}, nil
	}
	path := filepath.Join(f.Dir, WorkloadFile)
	for _, file := range f.Files {
		if file.Path == path {
			return Change{Path: path, Mode: file.Mode, Summary: summary, Data: appendBlock(file.Data, text)}, nil
		}
	}
	header := fmt.Sprintf("# Workload clusters of %s, one block per cluster the provisioner made.\n\n", f.Name)
	return Change{Path: path, Mode: 0o644, Created: true, Summary: summary, Data: append([]byte(header), text...)}, nil
}

// RemoveWorkloadCluster removes the workload_cluster block id.
func RemoveWorkloadCluster(f *Folder, id string) (Change, error) {
	p, err := parse(f)
	if err != nil {
		return Change{}, err
	}
	blocks := p.blocks("workload_cluster")
	b, err := find(blocks, "workload_cluster", id, f.Dir)
	if err != nil {
		return Change{}, err
	}
	file := f.Files[b.file]
	return Change{Path: file.Path, Mode: file.Mode, Summary: fmt.Sprintf("removed workload_cluster %q", id),
		Data: remove(file.Data, b.syntax, previous(blocks, b))}, nil
}

// workloadClusterText is the formatted block: prometheus_url, labels on
// one line with their keys sorted, federate.
func workloadClusterText(wc WorkloadCluster) []byte {
	f := hclwrite.NewEmptyFile()
	body := f.Body().AppendNewBlock("workload_cluster", []string{wc.ID}).Body()
	if wc.PrometheusURL != "" {
		body.SetAttributeValue("prometheus_url", cty.StringVal(wc.PrometheusURL))
	}
	if len(wc.Labels) > 0 {
		body.SetAttributeRaw("labels", inlineObject(wc.Labels))
	}
	if wc.NoFederate {
		body.SetAttributeValue("federate", cty.False)
	}
	return hclwrite.Format(f.Bytes())
}

// inlineObject is { a = "x", b = "y" } on one line, keys sorted: the
// layout of the examples, which hclwrite's own object tokens (one key a
// line) do not give.
func inlineObject(m map[string]string) hclwrite.Tokens {
	toks := hclwrite.Tokens{{Type: hclsyntax.TokenOBrace, Bytes: []byte("{")}}
	for i, k := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenComma, Bytes: []byte(",")})
		}
		if hclsyntax.ValidIdentifier(k) {
			toks = append(toks, hclwrite.TokensForIdentifier(k)...)
		} else {
			toks = append(toks, hclwrite.TokensForValue(cty.StringVal(k))...)
		}
		toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenEqual, Bytes: []byte("=")})
		toks = append(toks, hclwrite.TokensForValue(cty.StringVal(m[k]))...)
	}
	return append(toks, &hclwrite.Token{Type: hclsyntax.TokenCBrace, Bytes: []byte("}")})
}
