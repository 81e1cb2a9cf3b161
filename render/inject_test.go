package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
	"gopkg.in/yaml.v3"

	"github.com/mattermost/fleetgen/internal/charts"
	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/internal/rendertest"
	"github.com/mattermost/fleetgen/render/layout"
)

// hostile are strings crafted to break out of the context a value lands in:
// shell (quotes, $(), backticks, ${}), HCL templates (${, %{), YAML
// (anchors, aliases, document markers, comments, flow syntax), JSON and
// every line-based format (newlines, CR, Unicode line separators, NUL).
var hostile = []string{
	`"`, `'`, "\n", "\r", "\n-A INPUT -j ACCEPT\n", `$(touch /tmp/fleetgen-pwned)`, "`id`", `${HOME}`, `%{ if true }x%{ endif }`,
	`&a`, `*a`, "\n---\n", ` # c`, `: x`, `{a: b}`, "\x00", "\u2028", "\u0085", `\`, `{{ .x }}`,
}

// injectTag surrounds the hostile strings: text no renderer writes.
const injectTag = "Zq9"

// A stringSite is a string literal of an inventory file.
type stringSite struct {
	file  string    // path of the .hcl file
	rng   hcl.Range // the literal, quotes included
	value string
}

// stringSites lists every string literal of the .hcl files of dir, values
// of lists and objects (app values) included.
func stringSites(t *testing.T, dir string) []stringSite {
	t.Helper()
	names, _ := filepath.Glob(filepath.Join(dir, "*.hcl"))
	var sites []stringSite
	for _, name := range names {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		hclsyntax.VisitAll(f.Body.(*hclsyntax.Body), func(n hclsyntax.Node) hcl.Diagnostics {
			e, ok := n.(*hclsyntax.TemplateExpr)
			if !ok || !e.IsStringLiteral() {
				return nil
			}
			v, _ := e.Value(nil)
			sites = append(sites, stringSite{file: name, rng: e.Range(), value: v.AsString()})
			return nil
		})
	}
	return sites
}

// TestInjectionRejectedOrInert puts every hostile string, tagged, in place
// of and after the original value, into every string literal of the example
// inventory. Each inventory must either fail validation with an error
// pointing at the changed line, or render files that all reparse with
// their format's parser and hold the value only as data: a decoded string
// of the JSON, YAML or HCL; a single-quoted shell word that bash reads back
// as exactly the value; and never a raw line break in a line-based format.
func TestInjectionRejectedOrInert(t *testing.T) {
	envs, _ := filepath.Glob(filepath.Join(rendertest.Examples(), "*"))
	for _, envDir := range envs {
		env := filepath.Base(envDir)
		t.Run(env, func(t *testing.T) {
			t.Parallel()
			injectEnvironment(t, envDir, env)
		})
	}
}

// injectEnvironment is TestInjectionRejectedOrInert on one environment,
// in a copy of its folder.
func injectEnvironment(t *testing.T, envDir, env string) {
	root := t.TempDir()
	if err := os.CopyFS(filepath.Join(root, env), os.DirFS(envDir)); err != nil {
		t.Fatal(err)
	}
	var rejected, accepted int
	proved := map[string]int{} // values found in a file and proved data, by file name
	for _, site := range stringSites(t, envDir) {
		name := filepath.Join(root, env, filepath.Base(site.file))
		orig, err := os.ReadFile(site.file)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hostile {
			// Both carry a tag, so finding the value in a file is never a
			// coincidence ("\n" alone is in every file).
			for _, value := range []string{injectTag + h + injectTag, site.value + h + injectTag} {
				lit := hclwrite.TokensForValue(cty.StringVal(value)).Bytes()
				if err := os.WriteFile(name, slices.Concat(orig[:site.rng.Start.Byte], lit, orig[site.rng.End.Byte:]), 0o644); err != nil {
					t.Fatal(err)
				}
				if checkInjected(t, root, name, site.rng.Start.Line, value, proved) {
					accepted++
				} else {
					rejected++
				}
			}
		}
		if err := os.WriteFile(name, orig, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d hostile inventories rejected by validation, %d accepted and rendered inert; values proved data, by file: %v", rejected, accepted, proved)
}

// checkInjected loads the inventory at root, whose file name holds value on
// line, and checks it is rejected there or rendered inert. It reports
// whether validation accepted it and counts the files the value reached.
func checkInjected(t *testing.T, root, name string, line int, value string, proved map[string]int) bool {
	t.Helper()
	where := fmt.Sprintf("%s:%d %q", name, line, value)
	inv, _, diags := inventory.Load(root)
	if inv == nil {
		if !pointsAt(diags, name, line) {
			t.Errorf("%s: rejected, but no error points at the line: %v", where, diags)
		}
		return false
	}
	cache, err := charts.Open(filepath.Join(rendertest.Root(), "charts"))
	if err != nil {
		t.Fatal(err)
	}
	archives, chartDiags, err := cache.LoadApps(inv.HydratedApps())
	if err != nil {
		t.Fatal(err)
	}
	if chartDiags.HasErrors() {
		// The value changed a hydrated app's chart, repository or version:
		// the command refuses it ("Chart not in the cache") before
		// rendering, and renders nothing.
		return false
	}
	files, rdiags := Render(inv, Options{Charts: archives})
	if rdiags.HasErrors() && pointsAt(rdiags, name, line) {
		// A chart that does not render with the value (a hydrated app's
		// values), reported at the value like a validation error.
		return false
	}
	if rdiags.HasErrors() {
		t.Errorf("%s: accepted but does not render: %s", where, rdiags.Error())
		return true
	}
	for _, f := range files {
		if err := reparse(f); err != nil {
			t.Errorf("%s: %s does not reparse: %v", where, f.Path, err)
		}
		if bytes.Contains(f.Data, []byte(value)) || containsEncoded(f, value) {
			if err := inertIn(f, value); err != nil {
				t.Errorf("%s: %s: %v", where, f.Path, err)
			}
			proved[path.Base(f.Path)]++
		}
	}
	return true
}

// pointsAt reports whether an error diagnostic points at line of file.
func pointsAt(diags hcl.Diagnostics, file string, line int) bool {
	for _, d := range diags {
		if d.Severity == hcl.DiagError && d.Subject != nil && d.Subject.Filename == file && d.Subject.Start.Line <= line && line <= max(d.Subject.End.Line, d.Subject.Start.Line) {
			return true
		}
	}
	return false
}

// containsEncoded reports whether a structured file holds value in its
// escaped form (JSON escapes a newline, so the raw bytes are absent).
func containsEncoded(f layout.File, value string) bool {
	enc, _ := json.Marshal(value)
	return bytes.Contains(f.Data, bytes.Trim(enc, `"`))
}

// inertIn proves that value, found in f, is data in f's language.
func inertIn(f layout.File, value string) error {
	name := path.Base(f.Path)
	switch {
	case strings.HasSuffix(name, ".json"):
		var v any
		if err := json.Unmarshal(f.Data, &v); err != nil {
			return err
		}
		return inStrings(value, collectJSON(v, nil))
	case strings.HasSuffix(name, ".yaml"), strings.HasSuffix(name, ".yml"):
		var n yaml.Node
		if err := yaml.Unmarshal(f.Data, &n); err != nil {
			return err
		}
		return inStrings(value, collectYAML(&n, nil))
	case strings.HasSuffix(name, ".tf"), strings.HasSuffix(name, ".hcl"), strings.HasSuffix(name, ".tfvars"), strings.HasSuffix(name, ".tfbackend"):
		return inStrings(value, collectHCL(f))
	case strings.HasSuffix(name, ".sh"):
		return inertInShell(f.Data, value)
	case strings.HasSuffix(name, ".md"):
		return nil // prose for people, parsed by nothing
	}
	if strings.ContainsAny(value, "\n\r\x00") {
		return fmt.Errorf("a line-based format holds a raw line break or NUL from the inventory")
	}
	return nil
}

func inStrings(value string, strs []string) error {
	for _, s := range strs {
		if strings.Contains(s, value) {
			return nil
		}
	}
	return fmt.Errorf("the value is in the file, but in no decoded string: it is structure, not data")
}

func collectJSON(v any, out []string) []string {
	switch v := v.(type) {
	case string:
		out = append(out, v)
	case []any:
		for _, e := range v {
			out = collectJSON(e, out)
		}
	case map[string]any:
		for k, e := range v {
			out = append(out, k)
			out = collectJSON(e, out)
		}
	}
	return out
}

func collectYAML(n *yaml.Node, out []string) []string {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
		out = append(out, n.Value)
	}
	for _, c := range n.Content {
		out = collectYAML(c, out)
	}
	return out
}

// collectHCL evaluates every attribute and string literal of an HCL file
// that needs no variables and collects its strings.
func collectHCL(f layout.File) []string {
	file, diags := hclsyntax.ParseConfig(f.Data, f.Path, hcl.InitialPos)
	if diags.HasErrors() {
		return nil
	}
	var out []string
	hclsyntax.VisitAll(file.Body.(*hclsyntax.Body), func(n hclsyntax.Node) hcl.Diagnostics {
		if a, ok := n.(*hclsyntax.Attribute); ok {
			if v, diags := a.Expr.Value(nil); !diags.HasErrors() {
				out = collectCty(v, out)
			}
		}
		if b, ok := n.(*hclsyntax.Block); ok {
			out = append(out, b.Labels...)
		}
		// A literal inside a call (yamlencode({…})) is data too, though
		// the call cannot be evaluated here.
		if e, ok := n.(*hclsyntax.TemplateExpr); ok {
			if v, diags := e.Value(nil); !diags.HasErrors() {
				out = collectCty(v, out)
			}
		}
		return nil
	})
	return out
}

func collectCty(v cty.Value, out []string) []string {
	switch {
	case v.IsNull() || !v.IsKnown():
	case v.Type() == cty.String:
		out = append(out, v.AsString())
	case v.CanIterateElements():
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			if k.Type() == cty.String {
				out = append(out, k.AsString())
			}
			out = collectCty(e, out)
		}
	}
	return out
}

// inertInShell proves value is data in a script: every occurrence is inside
// a single-quoted word (the only shell quoting in which nothing expands),
// and bash, given that word, prints exactly the value back.
func inertInShell(script []byte, value string) error {
	esc := strings.ReplaceAll(value, "'", `'\''`)
	word := "'" + esc + "'"
	quoted := bytes.Count(script, []byte(word))
	switch {
	case quoted == 0:
		return fmt.Errorf("the value is not a single-quoted word of its own")
	case bytes.Count(script, []byte(esc)) != quoted:
		return fmt.Errorf("the value also appears outside single quotes")
	case esc != value && bytes.Contains(script, []byte(value)):
		return fmt.Errorf("the value appears with its quote unescaped")
	}
	out, err := exec.Command("bash", "-c", "printf %s "+word).Output()
	if err != nil {
		return err
	}
	if string(out) != value {
		return fmt.Errorf("bash reads the quoted value back as %q", out)
	}
	return nil
}

// TestInertCheckersCatchInjection shows that inertIn fails on values that
// became structure, so TestInjectionRejectedOrInert can fail.
func TestInertCheckersCatchInjection(t *testing.T) {
	for _, tc := range []struct {
		path, data, value string
		inert             bool
	}{
		{"a.sh", "echo 'it'\\''s'\n", "it's", true},
		{"a.sh", "echo \"x$(id)\"\n", "x$(id)", false},
		{"a.sh", "echo x'y'\n", "xy", false},
		{"a.json", `{"k": "a\"b"}`, `a"b`, true},
		{"a.json", `{"k": 1, "y": 2}`, `1, "y": 2`, false},
		{"a.yaml", "k: 'a: b'\n", "a: b", true},
		{"a.yaml", "k: b\nc: d\n", "b\nc: d", false},
		{"a.tf", "k = \"a$${b}\"\n", "a${b}", true},
		{"a.tf", "k = \"a\"\nb = \"c\"\n", "a\"\nb = \"c", false},
		{"authorized_keys", "ssh-ed25519 AAAA a\nssh-ed25519 BBBB\n", "a\nssh-ed25519 BBBB", false},
	} {
		err := inertIn(layout.File{Path: "x/" + tc.path, Data: []byte(tc.data)}, tc.value)
		if (err == nil) != tc.inert {
			t.Errorf("%s %q with %q: inertIn = %v, want inert %v", tc.path, tc.data, tc.value, err, tc.inert)
		}
	}
}
