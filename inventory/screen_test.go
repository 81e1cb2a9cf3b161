package inventory

import (
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlainNestingAgreesWithTheLexer holds plainNesting, the shortcut that
// spares most files a second lexing, to the lexer's count wherever it
// answers: on every fixture and on random text made of what changes the
// nesting (brackets, quotes, escapes, comments, heredoc and template
// openers). Where it gives up the lexer decides, so only its answers count.
func TestPlainNestingAgreesWithTheLexer(t *testing.T) {
	srcs := readSources(t, ".", func(path string) bool {
		return filepath.Ext(path) == ".hcl" || strings.Contains(path, "fuzz")
	})
	pieces := []string{"{", "}", "[", "]", "(", ")", "\"", "\\", "\\\"", "\n", "\r\n", "#", "//", "/*", "*/", "/", "*", "<<", "<", "${", "$", "%{", "%", "a", " ", "x = ", "é"}
	rng := rand.New(rand.NewPCG(8, 8))
	for range 100000 {
		var b strings.Builder
		for range rng.IntN(40) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		srcs = append(srcs, []byte(b.String()))
	}
	answered := 0
	for _, src := range srcs {
		got, ok := plainNesting(src)
		if !ok {
			continue
		}
		answered++
		if want, _ := lexedNesting(src, math.MaxInt); got != want {
			t.Errorf("plainNesting(%q) = %d, the lexer says %d", src, got, want)
		}
	}
	if answered < len(srcs)/5 {
		t.Errorf("plainNesting answered for %d of %d inputs: the test proves little", answered, len(srcs))
	}
	t.Logf("plainNesting answered for %d of %d inputs", answered, len(srcs))
}

// readSources reads every file under dir that keep accepts.
func readSources(t *testing.T, dir string, keep func(path string) bool) [][]byte {
	t.Helper()
	var srcs [][]byte
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !keep(path) {
			return err
		}
		src, err := os.ReadFile(path)
		srcs = append(srcs, src)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return srcs
}
