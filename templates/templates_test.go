package templates

import "testing"

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{"": "''", "a b": "'a b'", "it's": `'it'\''s'`, "$(x)": "'$(x)'"} {
		if got := ShellQuote(in); got != want {
			t.Errorf("ShellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestSystemdQuote(t *testing.T) {
	for in, want := range map[string]string{"/opt/mm/bin/pre_start.sh": "/opt/mm/bin/pre_start.sh", "/a b/%i$x": `"/a b/%%i$$x"`, `a"b`: `"a\"b"`} {
		if got, err := SystemdQuote(in); err != nil || got != want {
			t.Errorf("SystemdQuote(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	if _, err := SystemdQuote("a\nb"); err == nil {
		t.Error("SystemdQuote accepted a newline")
	}
}

func TestOptionQuote(t *testing.T) {
	if got, err := OptionQuote("10.0.0.1:8074"); err != nil || got != `"10.0.0.1:8074"` {
		t.Errorf("OptionQuote = %s, %v", got, err)
	}
	if _, err := OptionQuote(`x",command="sh`); err == nil {
		t.Error(`OptionQuote accepted a '"'`)
	}
}

// TestParseAll parses every embedded template, so a broken one fails here
// rather than in the renderer that uses it.
func TestParseAll(t *testing.T) {
	names, err := files.ReadDir("ha")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range names {
		Parse("ha/" + e.Name())
	}
}
