package edit

import (
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/templates"
)

// EnvironmentFile is the file a new environment's block is written to.
const EnvironmentFile = "environment.hcl"

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// identity lists the attributes of an environment block that belong to
// one environment only (its AWS account, network, zones and the C&C's own
// cluster ID): copied from another environment they would be wrong, so
// NewEnvironment replaces them with inventory.Placeholder. The rest (region,
// versions, sizes, apps, this repository's URL) is what a copy is for.
var identity = []string{
	"account_id",
	"terraform.state_bucket",
	"terraform.role_arn",
	"terraform.plan_role_arn",
	"network.vpc_id",
	"network.private_subnet_ids",
	"network.public_subnet_ids",
	"dns.private_zone_id",
	"dns.private_domain",
	"dns.public_zone_id",
	"dns.public_domain",
	"federation.hub_cluster_id",
}

// NewEnvironment is the file of a new environment folder dir/name: the
// commented template when from is nil, else a copy of from's environment
// block (with its comments, without its workload and HA clusters),
// relabelled, its identity values replaced by placeholders.
func NewEnvironment(dir, name string, from *Folder) (Change, error) {
	if !dnsLabel.MatchString(name) {
		return Change{}, fmt.Errorf("the environment name %q is not valid: it must be a DNS label: 1 to 63 lower-case letters, digits and hyphens, starting and ending with a letter or digit", name)
	}
	change := Change{Path: filepath.Join(dir, name, EnvironmentFile), Mode: 0o644, Created: true}
	if from == nil {
		data, err := templates.Execute("inventory/environment.hcl.tmpl", struct{ Name string }{name})
		if err != nil {
			return Change{}, err
		}
		change.Data, change.Summary = data, "scaffolded from the template"
		return change, nil
	}
	p, err := parse(from)
	if err != nil {
		return Change{}, err
	}
	envs := p.blocks("environment")
	if len(envs) != 1 {
		return Change{}, fmt.Errorf("%s has %d environment blocks, not one: run fleetgen validate --env %s", from.Dir, len(envs), from.Name)
	}
	env := envs[0].syntax
	if len(env.Labels) != 1 {
		return Change{}, fmt.Errorf("the environment block of %s has %d labels, not one: run fleetgen validate --env %s", from.Dir, len(env.Labels), from.Name)
	}
	src := from.Files[envs[0].file].Data
	// The block's own lines: the comment above it speaks of the other
	// environment.
	start := lineStart(src, env.Range().Start.Byte)
	end := env.Range().End.Byte

	type edit struct {
		start, end int
		text       string
	}
	edits := []edit{{env.LabelRanges[0].Start.Byte, env.LabelRanges[0].End.Byte, strconv.Quote(name)}}
	for _, path := range identity {
		a := attribute(env.Body, path)
		if a == nil || isEmptyValue(a.Expr) {
			continue
		}
		text := strconv.Quote(inventory.Placeholder)
		if _, ok := a.Expr.(*hclsyntax.TupleConsExpr); ok {
			text = "[" + text + ", " + text + "]"
		}
		edits = append(edits, edit{a.Expr.Range().Start.Byte, a.Expr.Range().End.Byte, text})
	}
	slices.SortFunc(edits, func(a, b edit) int { return b.start - a.start })
	block := slices.Clone(src[start:end])
	for _, e := range edits {
		block = slices.Concat(block[:e.start-start], []byte(e.text), block[e.end-start:])
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, "# The %s environment, scaffolded by \"fleetgen new environment\" from %s.\n", name, from.Name)
	fmt.Fprintf(&out, "# Every %q is a value of this environment only: replace each;\n", inventory.Placeholder)
	fmt.Fprintf(&out, "# \"fleetgen validate --env %s\" lists those left.\n", name)
	out.Write(block)
	out.WriteByte('\n')
	change.Data = out.Bytes()
	change.Summary = "scaffolded from " + from.Name
	return change, nil
}

// attribute finds "block.attr" (or a top-level "attr") in an environment
// block's body.
func attribute(body *hclsyntax.Body, path string) *hclsyntax.Attribute {
	blockType, name, nested := strings.Cut(path, ".")
	if !nested {
		return body.Attributes[path]
	}
	for _, b := range body.Blocks {
		if b.Type == blockType {
			return b.Body.Attributes[name]
		}
	}
	return nil
}

// isEmptyValue reports an empty string or list: nothing to replace.
func isEmptyValue(expr hclsyntax.Expression) bool {
	switch e := expr.(type) {
	case *hclsyntax.TupleConsExpr:
		return len(e.Exprs) == 0
	case *hclsyntax.TemplateExpr:
		v, diags := e.Value(nil)
		return !diags.HasErrors() && v.IsKnown() && !v.IsNull() && v.Type().FriendlyName() == "string" && v.AsString() == ""
	}
	return false
}
