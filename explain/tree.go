package explain

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"

	"gopkg.in/yaml.v3"
)

// parseYAML decodes one YAML document into maps, lists and scalars; ok is
// false when data is not YAML (then the file is left to the fallback).
func parseYAML(data []byte) (any, bool) {
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		return nil, false
	}
	return v, true
}

// parseJSON is parseYAML for JSON.
func parseJSON(data []byte) (any, bool) {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, false
	}
	return v, true
}

// A leaf is one value that differs between two documents.
type leaf struct {
	path     string // a.b["c.d"].list[2]
	old, new any    // nil when absent
}

// diffLeaves lists the leaves that differ between a and b, by path. Lists
// of the same length are compared element by element; lists whose length
// changed differ as a whole.
func diffLeaves(a, b any, prefix string) []leaf {
	if al, ok := a.([]any); ok {
		if bl, ok := b.([]any); ok && len(al) == len(bl) {
			var leaves []leaf
			for i := range al {
				leaves = append(leaves, diffLeaves(al[i], bl[i], fmt.Sprintf("%s[%d]", prefix, i))...)
			}
			return leaves
		}
	}
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if !aok || !bok {
		if reflect.DeepEqual(a, b) {
			return nil
		}
		return []leaf{{path: prefix, old: a, new: b}}
	}
	var leaves []leaf
	keys := maps.Clone(am)
	maps.Copy(keys, bm)
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		leaves = append(leaves, diffLeaves(am[k], bm[k], joinKey(prefix, k))...)
	}
	return leaves
}

// diffPaths is the paths of diffLeaves.
func diffPaths(a, b any, prefix string) []string {
	var paths []string
	for _, l := range diffLeaves(a, b, prefix) {
		paths = append(paths, l.path)
	}
	return paths
}

var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// joinKey appends key k to the path prefix.
func joinKey(prefix, k string) string {
	if !plainKey.MatchString(k) {
		return prefix + "[" + strconv.Quote(k) + "]"
	}
	if prefix == "" {
		return k
	}
	return prefix + "." + k
}

// dig returns the value at keys in v, or nil.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// str is v as text, "" for nil.
func str(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
}
