package emit

import (
	"bytes"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/mattermost/fleetgen/templates"
)

// TestYAMLMatchesTheHeaderCommentOfADocumentNode pins YAML,
// which writes the header as a comment line before the encoder's output, to
// what a yaml.v3 document node with the header as its head comment emits:
// the way it used to build the document, at the cost of encoding it twice
// (Node.Encode emits the text and parses it back).
func TestYAMLMatchesTheHeaderCommentOfADocumentNode(t *testing.T) {
	type typed struct {
		Name   string            `yaml:"name"`
		Labels map[string]string `yaml:"labels,omitempty"`
		Items  []any             `yaml:"items"`
		Empty  []string          `yaml:"empty,omitempty"`
	}
	values := []any{
		map[string]any{},
		[]any{},
		map[string]any{"a": nil, "b": []any{}, "c": map[string]any{}},
		map[string]any{
			"looks like other types": []any{"true", "1.0", "0x1F", "null", "~", "{job=\"x\"}", "- a", "# not a comment", "a: b", "", " ", "yes", "2026-11-24"},
			"multi-line":             "first\nsecond\n",
			"multi-line, no final":   "first\nsecond",
			"trailing space":         "x \ny",
			"long":                   strings.Repeat("word ", 60),
			"unicode":                "é ✓ \u2028",
			"tab":                    "a\tb",
			"numbers":                []any{1, int64(-2), 3.5, 1e21, true},
		},
		typed{Name: "n", Labels: map[string]string{"z": "1", "a": "2"}, Items: []any{map[string]any{"k": []any{"v", map[string]any{"deep": "x"}}}}},
	}
	for _, v := range values {
		got, err := YAML("prod", v)
		if err != nil {
			t.Fatal(err)
		}
		if want := yamlThroughANode(t, "prod", v); !bytes.Equal(got, want) {
			t.Errorf("YAML(%#v):\n%s\nwant:\n%s", v, got, want)
		}
	}
}

func yamlThroughANode(t *testing.T, env string, v any) []byte {
	t.Helper()
	var doc yaml.Node
	if err := doc.Encode(v); err != nil {
		t.Fatal(err)
	}
	doc.HeadComment = templates.Header(env)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		t.Fatal(err)
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
