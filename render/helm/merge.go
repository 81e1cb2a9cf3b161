package helm

import (
	"fmt"
	"maps"
	"math/big"
	"slices"

	"github.com/zclconf/go-cty/cty"
	"helm.sh/helm/v3/pkg/chartutil"
)

// mergeValues merges the inventory's values over the generated ones with
// Helm's own coalescing, the semantics of `helm -f`: the user's values win,
// nested maps are merged key by key, lists are replaced, and a null removes
// the generated key. A null for a key fleetgen does not generate stays in
// the file, so Helm removes the chart's default for it in turn.
func mergeValues(generated map[string]any, user cty.Value) (map[string]any, error) {
	if user == cty.NilVal {
		return generated, nil
	}
	u, err := ctyToGo(user)
	if err != nil {
		return nil, err
	}
	userMap, ok := u.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("values must be an object, not %s", user.Type().FriendlyName())
	}
	if err := sameShape(userMap, generated, "values"); err != nil {
		return nil, err
	}
	return chartutil.CoalesceTables(userMap, generated), nil
}

// sameShape refuses a value that replaces a generated map with a scalar or
// list, or the other way round: Helm would keep one side and only log a
// warning, so the mistake would pass unnoticed. null is fine (it removes).
func sameShape(user, generated map[string]any, path string) error {
	for _, k := range slices.Sorted(maps.Keys(user)) {
		u, g := user[k], generated[k]
		if u == nil || g == nil {
			continue
		}
		um, uTable := u.(map[string]any)
		gm, gTable := g.(map[string]any)
		switch {
		case uTable && gTable:
			if err := sameShape(um, gm, path+"."+k); err != nil {
				return err
			}
		case uTable != gTable:
			return fmt.Errorf("%s.%s: fleetgen generates %s here, the inventory sets %s; use the same shape, or null to remove the generated value", path, k, shape(g), shape(u))
		}
	}
	return nil
}

func shape(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	}
	return "a single value"
}

// ctyToGo converts an HCL value into the types Helm's values use: maps,
// slices, strings, bools, int64 for whole numbers (so 2 is not written
// as 2.0) and float64 otherwise, and nil for null.
func ctyToGo(v cty.Value) (any, error) {
	if v.IsNull() {
		return nil, nil
	}
	if !v.IsWhollyKnown() {
		return nil, fmt.Errorf("values must be known when the inventory is loaded")
	}
	t := v.Type()
	switch {
	case t == cty.String:
		return v.AsString(), nil
	case t == cty.Bool:
		return v.True(), nil
	case t == cty.Number:
		return goNumber(v.AsBigFloat()), nil
	case t.IsObjectType() || t.IsMapType():
		m := map[string]any{}
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			g, err := ctyToGo(e)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k.AsString(), err)
			}
			m[k.AsString()] = g
		}
		return m, nil
	case t.IsTupleType() || t.IsListType() || t.IsSetType():
		l := []any{}
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			g, err := ctyToGo(e)
			if err != nil {
				return nil, err
			}
			l = append(l, g)
		}
		return l, nil
	}
	return nil, fmt.Errorf("unsupported value of type %s", t.FriendlyName())
}

func goNumber(f *big.Float) any {
	if f.IsInt() {
		if i, acc := f.Int64(); acc == big.Exact {
			return i
		}
	}
	x, _ := f.Float64()
	return x
}
