package inventory

import "testing"

// TestParseMatcher: the matchers Alertmanager takes, bare or quoted, come
// back in its quoted form; the rest are refused.
func TestParseMatcher(t *testing.T) {
	for in, want := range map[string]string{
		`severity=critical`:                `severity="critical"`,
		` severity = "critical" `:          `severity="critical"`,
		`alertname=~"Federat.*|Central.*"`: `alertname=~"Federat.*|Central.*"`,
		`clusterID!=""`:                    `clusterID!=""`,
		`team!~"a\\.b"`:                    `team!~"a\\.b"`,
		`summary="say \"hi\""`:             `summary="say \"hi\""`,
		`instance=10.0.0.1:9090`:           `instance="10.0.0.1:9090"`,
		`environment=prod-1`:               `environment="prod-1"`,
		`label_with_digits_9="x y"`:        `label_with_digits_9="x y"`,
		`service=~"api|web" `:              `service=~"api|web"`,
		`path="/federate"`:                 `path="/federate"`,
		`unicode="héllo"`:                  `unicode="héllo"`,
	} {
		m, err := ParseMatcher(in)
		if err != nil {
			t.Errorf("ParseMatcher(%q): %v", in, err)
			continue
		}
		if got := m.String(); got != want {
			t.Errorf("ParseMatcher(%q) = %s, want %s", in, got, want)
		}
	}
	for _, in := range []string{
		``, `severity`, `=critical`, `9lives=x`, `severity==critical`, `team=cloud ops`,
		`alertname=~"("`, `summary="unterminated`, `summary="a"b"`, "summary=\"tab\there\"",
		`a=b,c=d`, `{severity="critical"}`,
	} {
		if m, err := ParseMatcher(in); err == nil {
			t.Errorf("ParseMatcher(%q) = %s, want an error", in, m)
		}
	}
}
