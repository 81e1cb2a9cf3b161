package explain

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mattermost/fleetgen/internal/golden"
)

// orderCase is the tree of TestStatements's ordering case: a warning,
// federation, HA, an app and Terraform in one environment, dev
// unchanged.
func orderCase() *Report {
	cur := merge(with(base,
		"prod/prometheus/prometheus.yml", promConfig("30s", "c1=shared", "c2=dedicated", "c3=shared"),
		"prod/argocd/grafana.yaml", appYAML("grafana", "grafana", "8.6.0"),
		"prod/terraform/1-cluster/main.tf", tf(strings.Replace(eks, `"1.32"`, `"1.33"`, 1)),
		"prod/k8s/dashboards/federation.json", "{}"),
		acme(true, false, 8074, "app1=10.0.0.1", "app2=10.0.0.2", "app3=10.0.0.3", "app4=10.0.0.4"))
	t := trees(base, cur)
	t.Against = "origin/main"
	return Explain(t)
}

// TestWriters compares the three outputs with golden files.
func TestWriters(t *testing.T) {
	r := orderCase()
	var text, md, js bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "testdata/explain.txt", text.Bytes())
	golden.Assert(t, "testdata/explain.md", md.Bytes())
	golden.Assert(t, "testdata/explain.json", js.Bytes())
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || back.Against != "origin/main" || len(back.Environments) != 2 {
		t.Errorf("the JSON does not read back: %v %+v", err, back)
	}
}

// TestNoChange is the one-line answer when nothing changes.
func TestNoChange(t *testing.T) {
	for _, c := range []struct{ against, text, md string }{
		{"", "No change: out/ matches the inventory.\n", "### What this changes\n\nNo change: `out/` matches the inventory.\n"},
		{"main", "No change: out/ at main matches the inventory.\n", "### What this changes\n\nNo change: `out/` at `main` matches the inventory.\n"},
	} {
		tr := trees(base, base)
		tr.Against = c.against
		r := Explain(tr)
		var b bytes.Buffer
		if err := r.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		if b.String() != c.text {
			t.Errorf("text %q, want %q", b.String(), c.text)
		}
		if r.Markdown() != c.md {
			t.Errorf("markdown %q, want %q", r.Markdown(), c.md)
		}
	}
}

// TestMarkdownEscapes keeps names from the inventory literal.
func TestMarkdownEscapes(t *testing.T) {
	r := &Report{Out: "out", Changed: true, Environments: []Env{{Name: "p_r*d", Status: StatusChanged,
		Statements: []Statement{{Kind: KindOther, Text: "1 other file change: a<b>|`c`[d](e)"}}}}}
	want := "### What this changes\n\nCompared with `out/`:\n\n**p\\_r\\*d**\n\n- 1 other file change: a&lt;b&gt;\\|\\`c\\`\\[d\\](e)\n"
	if got := r.Markdown(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
