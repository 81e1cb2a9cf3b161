package inventory

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

const minimal = "testdata/valid/minimal"

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func summaries(diags hcl.Diagnostics) []string {
	var s []string
	for _, d := range diags {
		s = append(s, d.Summary)
	}
	return s
}

// An overlay file replaces the one on disk: its errors point into the
// overlay bytes, which Files holds for printing.
func TestLoadWithOverlayReplacesFile(t *testing.T) {
	path := filepath.Join(minimal, "dev", "dev.hcl")
	edited := bytes.Replace(mustRead(t, path), []byte(`"111111111111"`), []byte(`"1111"`), 1)
	inv, files, diags := LoadWith(minimal, LoadOptions{Only: []string{"dev"}, Overlay: map[string][]byte{path: edited}})
	if inv != nil || len(diags) != 1 || diags[0].Summary != "Invalid AWS account ID" {
		t.Fatalf("want one Invalid AWS account ID, got %v", summaries(diags))
	}
	if got := diags[0].Subject; got.Filename != path || got.Start.Line != 2 {
		t.Errorf("diagnostic at %s, want %s line 2", got, path)
	}
	if !bytes.Equal(files[path].Bytes, edited) {
		t.Error("Files does not hold the overlay bytes")
	}
	// The disk is untouched and still loads clean.
	if _, _, diags := Load(minimal, "dev"); len(diags) > 0 {
		t.Fatalf("disk inventory: %v", summaries(diags))
	}
}

// An overlay file that is not on disk yet is one more file of its folder.
func TestLoadWithOverlayAddsFile(t *testing.T) {
	path := filepath.Join(minimal, "qa", "workload-clusters.hcl")
	src := []byte("workload_cluster \"c1\" {\n  federate = false\n}\n")
	inv, _, diags := LoadWith(minimal, LoadOptions{Overlay: map[string][]byte{path: src}})
	if len(diags) > 0 {
		t.Fatalf("diagnostics: %v", summaries(diags))
	}
	qa := inv.Environments[slices.IndexFunc(inv.Environments, func(e *Environment) bool { return e.Name == "qa" })]
	if len(qa.WorkloadClusters) != 1 || qa.WorkloadClusters[0].ID != "c1" {
		t.Fatalf("qa workload clusters: %+v", qa.WorkloadClusters)
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("the overlay file was written")
	}
}

// A folder only in the overlay is an environment, by name or among all.
func TestLoadWithOverlayAddsEnvironment(t *testing.T) {
	src := bytes.ReplaceAll(mustRead(t, filepath.Join(minimal, "qa", "qa.hcl")), []byte("qa"), []byte("staging"))
	overlay := map[string][]byte{filepath.Join(minimal, "staging", "environment.hcl"): src}
	for _, only := range [][]string{{"staging"}, nil} {
		inv, _, diags := LoadWith(minimal, LoadOptions{Only: only, Overlay: overlay})
		if len(diags) > 0 {
			t.Fatalf("only %v: %v", only, summaries(diags))
		}
		var names []string
		for _, e := range inv.Environments {
			names = append(names, e.Name)
		}
		if !slices.Contains(names, "staging") || (only != nil && len(names) != 1) {
			t.Errorf("only %v: environments %v", only, names)
		}
	}
}

// Overlay bytes are screened like a file on disk: a credential is found,
// and its line is masked in Files.
func TestLoadWithOverlayIsScreened(t *testing.T) {
	path := filepath.Join(minimal, "qa", "extra.hcl")
	src := []byte("# AKIAIOSFODNN7EXAMPLE\n")
	_, files, diags := LoadWith(minimal, LoadOptions{Only: []string{"qa"}, Overlay: map[string][]byte{path: src}})
	if !slices.Contains(summaries(diags), "Credential in inventory") {
		t.Fatalf("want a credential error, got %v", summaries(diags))
	}
	if bytes.Contains(files[path].Bytes, []byte("AKIA")) {
		t.Error("Files holds the credential unmasked")
	}
	big := map[string][]byte{path: bytes.Repeat([]byte("#"), MaxFileSize+1)}
	if _, _, diags := LoadWith(minimal, LoadOptions{Only: []string{"qa"}, Overlay: big}); !slices.Contains(summaries(diags), "Inventory file too large") {
		t.Fatalf("want a size error, got %v", summaries(diags))
	}
}

// A placeholder is reported once, naming its attribute, and the format
// errors its value would earn are not.
func TestPlaceholders(t *testing.T) {
	path := filepath.Join(minimal, "qa", "qa.hcl")
	src := string(mustRead(t, path))
	for _, old := range []string{`"222222222222"`, `"arn:aws:iam::222222222222:role/fleet-deployer"`, `"subnet-0aaaaaaaaaaaaaaa2"`, `"qa.example.com"`} {
		src = strings.Replace(src, old, `"FILL-IN"`, 1)
	}
	src = strings.Replace(src, `"fleet-state-qa"`, `"fleet-state-QA"`, 1) // a real error stays
	_, _, diags := LoadWith(minimal, LoadOptions{Only: []string{"qa"}, Overlay: map[string][]byte{path: []byte(src)}})
	var got []string
	for _, d := range diags {
		got = append(got, d.Subject.Filename+":"+strconv.Itoa(d.Subject.Start.Line)+": "+d.Summary+": "+d.Detail[:strings.Index(d.Detail, " is ")])
	}
	want := []string{
		path + ":2: Value not filled in: The account_id",
		path + ":7: Value not filled in: The terraform.role_arn",
		path + ":13: Value not filled in: The network.private_subnet_ids",
		path + ":18: Value not filled in: The dns.private_domain",
		path + ":6: Invalid S3 bucket name: The state_bucket \"fleet-state-QA\"",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
