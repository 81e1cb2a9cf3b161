package terraform

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// The helpers below are the only way the Terraform renderers produce
// expressions: every literal goes through hclwrite.TokensForValue, which
// escapes quotes, newlines, "${" and "%{", so an inventory value can never
// become an interpolation, a directive or a second attribute.

// ref is a reference such as aws_eks_cluster.this.name, built from
// fleetgen's own names (never from inventory values; use refIndex for those).
func ref(root string, attrs ...string) hcl.Traversal {
	t := hcl.Traversal{hcl.TraverseRoot{Name: root}}
	for _, a := range attrs {
		if !hclsyntax.ValidIdentifier(a) {
			panic(fmt.Sprintf("terraform: %q is not an identifier", a))
		}
		t = append(t, hcl.TraverseAttr{Name: a})
	}
	return t
}

// attr appends attribute steps to a traversal.
func attr(t hcl.Traversal, attrs ...string) hcl.Traversal {
	out := append(hcl.Traversal{}, t...)
	for _, a := range attrs {
		out = append(out, hcl.TraverseAttr{Name: a})
	}
	return out
}

// index appends an index step ([0] or ["key"]); the key is a value, so it is
// escaped like any literal.
func index(t hcl.Traversal, key cty.Value) hcl.Traversal {
	return append(append(hcl.Traversal{}, t...), hcl.TraverseIndex{Key: key})
}

// expr is the tokens of a traversal.
func expr(t hcl.Traversal) hclwrite.Tokens { return hclwrite.TokensForTraversal(t) }

// lit is the tokens of a literal value.
func lit(v cty.Value) hclwrite.Tokens { return hclwrite.TokensForValue(v) }

// call is a function call such as base64decode(…).
func call(name string, args ...hclwrite.Tokens) hclwrite.Tokens {
	return hclwrite.TokensForFunctionCall(name, args...)
}

// list is a tuple expression of arbitrary element expressions.
func list(elems ...hclwrite.Tokens) hclwrite.Tokens { return hclwrite.TokensForTuple(elems) }

// objectAttr is one name = expression pair of an object expression.
type objectAttr struct {
	Name string
	Expr hclwrite.Tokens
}

// object is an object expression whose values may be references; names that
// are not identifiers are quoted.
func object(attrs ...objectAttr) hclwrite.Tokens {
	items := make([]hclwrite.ObjectAttrTokens, len(attrs))
	for i, a := range attrs {
		items[i] = hclwrite.ObjectAttrTokens{Name: objectKey(a.Name), Value: a.Expr}
	}
	return hclwrite.TokensForObject(items)
}

func objectKey(name string) hclwrite.Tokens {
	if hclsyntax.ValidIdentifier(name) {
		return hclwrite.TokensForIdentifier(name)
	}
	return lit(cty.StringVal(name))
}

// strs is a list of strings as a cty value; an empty list stays a list.
func strs(ss []string) cty.Value {
	if len(ss) == 0 {
		return cty.ListValEmpty(cty.String)
	}
	vs := make([]cty.Value, len(ss))
	for i, s := range ss {
		vs[i] = cty.StringVal(s)
	}
	return cty.ListVal(vs)
}

// strMap is a map of strings as a cty object, so keys keep their quoting
// rules and the keys come out sorted.
func strMap(m map[string]string) cty.Value {
	vs := make(map[string]cty.Value, len(m))
	for k, v := range m {
		vs[k] = cty.StringVal(v)
	}
	return cty.ObjectVal(vs)
}

// tfBody wraps an hclwrite body with the few setters the renderers need.
type tfBody struct{ *hclwrite.Body }

func (b tfBody) str(name, v string)                 { b.SetAttributeValue(name, cty.StringVal(v)) }
func (b tfBody) num(name string, v int)             { b.SetAttributeValue(name, cty.NumberIntVal(int64(v))) }
func (b tfBody) boolean(name string, v bool)        { b.SetAttributeValue(name, cty.BoolVal(v)) }
func (b tfBody) val(name string, v cty.Value)       { b.SetAttributeValue(name, v) }
func (b tfBody) ref(name string, t hcl.Traversal)   { b.SetAttributeTraversal(name, t) }
func (b tfBody) raw(name string, t hclwrite.Tokens) { b.SetAttributeRaw(name, t) }

// block appends a nested block and returns its body.
func (b tfBody) block(typ string, labels ...string) tfBody {
	return tfBody{b.AppendNewBlock(typ, labels).Body()}
}

// dependsOn sets depends_on to the given resources.
func (b tfBody) dependsOn(ts ...hcl.Traversal) {
	elems := make([]hclwrite.Tokens, len(ts))
	for i, t := range ts {
		elems[i] = expr(t)
	}
	b.raw("depends_on", list(elems...))
}

// tfFile is one .tf file being built: top-level blocks separated by a blank
// line, as terraform fmt leaves them.
type tfFile struct {
	Name string
	f    *hclwrite.File
}

func newTFFile(name string) *tfFile { return &tfFile{Name: name, f: hclwrite.NewEmptyFile()} }

// block appends a top-level block.
func (f *tfFile) block(typ string, labels ...string) tfBody {
	body := f.f.Body()
	if len(body.Blocks()) > 0 || len(body.Attributes()) > 0 {
		body.AppendNewline()
	}
	return tfBody{body.AppendNewBlock(typ, labels).Body()}
}
