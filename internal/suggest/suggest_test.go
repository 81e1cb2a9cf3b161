package suggest

import "testing"

func TestClosest(t *testing.T) {
	for _, tc := range []struct {
		given      string
		candidates []string
		want       string
	}{
		{"pubic", []string{"private", "public"}, "public"},
		{"PUBLIC", []string{"private", "public"}, "public"},                       // case alone is no distance
		{"ubuntu-2204", []string{"ubuntu-20.04", "ubuntu-22.04"}, "ubuntu-22.04"}, // the nearest, not the first
		{"1.0.1", []string{"1.0.2", "1.0.0"}, "1.0.2"},                            // a tie goes to the earlier
		{"oncall", []string{"team", "cloud-ops"}, ""},                             // three edits or more: nothing
		{"", []string{"a", "ab"}, ""},                                             // an empty value suggests nothing
		{"prod", nil, ""},
	} {
		if got := Closest(tc.given, tc.candidates); got != tc.want {
			t.Errorf("Closest(%q, %q) = %q, want %q", tc.given, tc.candidates, got, tc.want)
		}
	}
}

func TestPhrasing(t *testing.T) {
	envs := []string{"dev", "prod"}
	if got, want := DidYouMean("prd", envs), ` Did you mean "prod"?`; got != want {
		t.Errorf("DidYouMean = %q, want %q", got, want)
	}
	if got, want := Clause("prd", envs), `; did you mean "prod"?`; got != want {
		t.Errorf("Clause = %q, want %q", got, want)
	}
	if DidYouMean("staging", envs) != "" || Clause("staging", envs) != "" {
		t.Error("a value close to no candidate got a suggestion")
	}
}
