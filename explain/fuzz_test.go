package explain

import (
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
)

// FuzzExplain replaces one file of the hand-made tree with arbitrary
// bytes, on either side: Explain must never panic, and every changed
// file must still be in a statement's paths (the fallback's at least).
func FuzzExplain(f *testing.F) {
	paths := slices.Sorted(maps.Keys(withoutTop(base)))
	for i, p := range paths {
		f.Add(uint8(i), false, []byte(base[p]))
		f.Add(uint8(i), true, []byte(strings.ReplaceAll(base[p], "1", "2")))
	}
	f.Add(uint8(0), false, []byte("global: [\n"))
	f.Add(uint8(3), true, []byte("{\"ClusterSettings\": 3}"))
	f.Fuzz(func(t *testing.T, i uint8, oldSide bool, data []byte) {
		p := paths[int(i)%len(paths)]
		old, cur := base, with(base, p, string(data))
		if oldSide {
			old, cur = cur, old
		}
		tr := trees(old, cur)
		r := Explain(tr)
		checkCovered(t, tr, r)
		for _, w := range []func(io.Writer) error{r.WriteText, r.WriteMarkdown, r.WriteJSON} {
			if err := w(io.Discard); err != nil {
				t.Fatal(err)
			}
		}
	})
}
