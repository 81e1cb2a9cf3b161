package cli

import (
	"os"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/mattermost/fleetgen/internal/charttest"
)

// scriptChartRepo serves the charts of the hydration scripts: web 1.0.0,
// a deterministic chart; rand 1.0.0, which generates a password with
// randAlphaNum; bad 1.0.0, whose index lists a wrong digest.
func scriptChartRepo(t *testing.T) *charttest.Repo {
	repo := charttest.NewRepo(t)
	repo.Add(t, charttest.Build(t, "web", "1.0.0", map[string]string{
		"configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  message: {{ .Values.message | quote }}\n",
		"NOTES.txt":      "installed {{ .Release.Name }}\n",
	}))
	repo.Add(t, charttest.Build(t, "rand", "1.0.0", map[string]string{
		"secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  password: {{ randAlphaNum 20 | b64enc | quote }}\n",
	}))
	repo.Add(t, charttest.Build(t, "bad", "1.0.0", map[string]string{
		"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\n",
	}))
	repo.ListDigest("bad-1.0.0.tgz", strings.Repeat("0", 64))
	return repo
}

// cmdExpandEnv replaces $NAME in files with the script's environment, so
// an inventory can name the loopback repository:
//
//	expandenv environments/lab/environment.hcl
func cmdExpandEnv(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: expandenv file...")
	}
	for _, name := range args {
		data := ts.ReadFile(name)
		ts.Check(os.WriteFile(ts.MkAbs(name), []byte(os.Expand(data, ts.Getenv)), 0o644))
	}
}

// cmdTamper flips one bit of the last byte of a file:
//
//	tamper charts/web-1.0.0.tgz
func cmdTamper(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: tamper file")
	}
	data, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	data[len(data)-1] ^= 1
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), data, 0o644))
}
