package inventory

import (
	"bytes"
	"fmt"
	"maps"
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Placeholder is the value "fleetgen new environment" writes where the
// operator must give one of the new environment's own values (its account,
// its network, its DNS zones). Validation reports each as "Value not filled
// in", naming the attribute, instead of the format error the marker would
// otherwise earn, so the list of diagnostics is the operator's to-do list.
// The string is reserved: no attribute may hold it, even where it would be
// a valid value.
const Placeholder = "FILL-IN"

// PlaceholderSummary is the summary of a placeholder's diagnostic.
const PlaceholderSummary = "Value not filled in"

// A placeholder is an attribute whose value is, or lists, Placeholder.
type placeholder struct {
	name  string    // the attribute's path, such as "terraform.role_arn"
	value hcl.Range // the whole value expression
	attr  hcl.Range // the whole attribute, name included
}

type placeholders []placeholder

// findPlaceholders lists the placeholders of the parsed files, in file and
// source order.
func findPlaceholders(files Files) placeholders {
	var found placeholders
	for _, path := range slices.Sorted(maps.Keys(files)) {
		// Only scaffolded files hold the marker: the others skip the walk.
		if !bytes.Contains(files[path].Bytes, []byte(Placeholder)) {
			continue
		}
		if body, ok := files[path].Body.(*hclsyntax.Body); ok {
			found = bodyPlaceholders(found, "", body)
		}
	}
	return found
}

func bodyPlaceholders(found placeholders, prefix string, body *hclsyntax.Body) placeholders {
	attrs := slices.SortedFunc(maps.Values(body.Attributes), func(a, b *hclsyntax.Attribute) int {
		return a.SrcRange.Start.Byte - b.SrcRange.Start.Byte
	})
	for _, a := range attrs {
		if holdsPlaceholder(a.Expr) {
			found = append(found, placeholder{name: prefix + a.Name, value: a.Expr.Range(), attr: a.SrcRange})
		}
	}
	for _, b := range body.Blocks {
		inner := prefix
		if b.Type != "environment" {
			inner += b.Type + "."
		}
		found = bodyPlaceholders(found, inner, b.Body)
	}
	return found
}

// holdsPlaceholder reports whether an expression is the placeholder string
// or a list holding it. Only literal values count: nothing is evaluated.
func holdsPlaceholder(expr hclsyntax.Expression) bool {
	switch e := expr.(type) {
	case *hclsyntax.TemplateExpr:
		v, diags := e.Value(nil)
		return !diags.HasErrors() && v.Type() == cty.String && v.IsKnown() && !v.IsNull() && v.AsString() == Placeholder
	case *hclsyntax.TupleConsExpr:
		return slices.ContainsFunc(e.Exprs, holdsPlaceholder)
	}
	return false
}

// diagnostics reports every placeholder as an error.
func (ps placeholders) diagnostics() hcl.Diagnostics {
	diags := make(hcl.Diagnostics, len(ps))
	for i, p := range ps {
		diags[i] = &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  PlaceholderSummary,
			Detail: fmt.Sprintf("The %s is still %q: fleetgen new environment left it for this environment's own value.",
				p.name, Placeholder),
			Subject: p.value.Ptr(),
		}
	}
	return diags
}

// filter drops the diagnostics whose subject lies inside a placeholder's
// attribute: they only repeat, less clearly, that the value is not filled
// in. Rules that relate several attributes point elsewhere and stay.
func (ps placeholders) filter(diags hcl.Diagnostics) hcl.Diagnostics {
	if len(ps) == 0 {
		return diags
	}
	return slices.DeleteFunc(diags, func(d *hcl.Diagnostic) bool {
		return d.Subject != nil && slices.ContainsFunc(ps, func(p placeholder) bool {
			return d.Subject.Filename == p.value.Filename &&
				p.attr.Start.Byte <= d.Subject.Start.Byte && d.Subject.End.Byte <= p.attr.End.Byte
		})
	})
}
