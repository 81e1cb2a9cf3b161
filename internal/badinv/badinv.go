// Package badinv builds the broken inventories that git cannot hold: empty
// folders, a .hcl that is a directory, a named pipe, broken and looping
// symlinks, unreadable files, a 10 MB file, bytes that are not UTF-8, a NUL,
// nesting deep enough to overflow the parser's stack. The inventory tests
// check Load's diagnostics on them and the CLI tests check that rendering
// them changes nothing, so both read one list.
package badinv

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Env is a valid environment "prod" (one file, prod/main.hcl) that the
// cases break. Its last line is the environment block's closing brace.
const Env = `environment "prod" {
  account_id = "111111111111"
  region     = "eu-west-1"

  terraform {
    state_bucket = "fleet-state-prod"
    role_arn     = "arn:aws:iam::111111111111:role/fleet-deployer"
    module_ref   = "v1.6.0"
  }

  network {
    vpc_id             = "vpc-0123456789abcdef0"
    private_subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"]
  }

  dns {
    private_zone_id = "Z0123456789ABCDEFGHIJ"
    private_domain  = "prod.example.com"
  }

  cluster {
    kubernetes_version = "1.30"
    instance_type      = "t3.medium"
    min_size           = 1
    desired_size       = 1
    max_size           = 1
  }

  gitops {
    repo_url = "ssh://git@github.com/example/fleet.git"
  }
}
`

// envLines is the number of lines of Env: an extra line appended after it
// is line envLines+1.
var envLines = strings.Count(Env, "\n")

// A Diag is one expected diagnostic: its file relative to the inventory
// folder ("." for the folder itself), its line (0 when it has none) and its
// summary.
type Diag struct {
	File    string
	Line    int
	Summary string
}

func (d Diag) String() string { return fmt.Sprintf("%s:%d: %s", d.File, d.Line, d.Summary) }

// A Case is one broken inventory.
type Case struct {
	Name     string
	NeedUser bool // permission bits are the fault: meaningless as root, who bypasses them
	build    func(dir string) error
	Want     []Diag
}

// Build creates the case's inventory folder at dir, which must not exist.
func (c Case) Build(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return c.build(dir)
}

// Cases are the file-system cases, each with its expected diagnostics.
func Cases() []Case {
	extra := Diag{File: "prod/extra.hcl"}
	return []Case{
		{Name: "empty-inventory-folder", build: func(string) error { return nil },
			Want: []Diag{{".", 0, "No environments"}}},
		{Name: "empty-environment-folder", build: func(dir string) error { return os.Mkdir(filepath.Join(dir, "prod"), 0o755) },
			Want: []Diag{{"prod", 0, "Empty environment folder"}}},
		{Name: "hcl-is-a-directory", build: withEnv(func(dir string) error { return os.Mkdir(filepath.Join(dir, "prod/extra.hcl"), 0o755) }),
			Want: []Diag{with(extra, 0, "Inventory file is a directory")}},
		{Name: "hcl-is-a-named-pipe", build: withEnv(func(dir string) error { return syscall.Mkfifo(filepath.Join(dir, "prod/extra.hcl"), 0o644) }),
			Want: []Diag{with(extra, 0, "Inventory file is not a regular file")}},
		{Name: "broken-symlink", build: withEnv(func(dir string) error { return os.Symlink("missing.hcl", filepath.Join(dir, "prod/extra.hcl")) }),
			Want: []Diag{with(extra, 0, "Cannot read inventory file")}},
		{Name: "symlink-loop", build: withEnv(func(dir string) error { return os.Symlink("extra.hcl", filepath.Join(dir, "prod/extra.hcl")) }),
			Want: []Diag{with(extra, 0, "Cannot read inventory file")}},
		{Name: "unreadable-file", NeedUser: true, build: withEnv(func(dir string) error { return os.Chmod(filepath.Join(dir, "prod/main.hcl"), 0) }),
			Want: []Diag{{"prod/main.hcl", 0, "Cannot read inventory file"}}},
		{Name: "unreadable-environment-folder", NeedUser: true, build: withEnv(func(dir string) error { return os.Chmod(filepath.Join(dir, "prod"), 0o300) }),
			Want: []Diag{{"prod", 0, "Cannot read the environment folder"}}},
		{Name: "ten-megabyte-file", build: withEnv(func(dir string) error { return os.Truncate(appendTo(dir, "# big\n"), 10<<20) }),
			Want: []Diag{{"prod/main.hcl", 0, "Inventory file too large"}}},
		{Name: "not-utf8-in-a-value", build: withEnv(func(dir string) error { return replace(dir, `"eu-west-1"`, "\"eu-w\xe9st-1\"") }),
			Want: []Diag{{"prod/main.hcl", 3, "Invalid character encoding"}}},
		{Name: "not-utf8-in-a-comment", build: withEnv(func(dir string) error { appendTo(dir, "# caf\xe9\n"); return nil }),
			Want: []Diag{{"prod/main.hcl", envLines + 1, "Invalid character encoding"}}},
		{Name: "nul-byte", build: withEnv(func(dir string) error { return replace(dir, `"fleet-state-prod"`, "\"fleet-state\x00-prod\"") }),
			Want: []Diag{{"prod/main.hcl", 6, "Control character in inventory file"}}},
		{Name: "escape-sequence", build: withEnv(func(dir string) error { appendTo(dir, "# \x1b[2K hidden\n"); return nil }),
			Want: []Diag{{"prod/main.hcl", envLines + 1, "Control character in inventory file"}}},
		{Name: "deeply-nested-value", build: withEnv(func(dir string) error {
			appendTo(dir, "ha_cluster \"x\" {\n  mattermost_version = "+strings.Repeat("[", 200000)+strings.Repeat("]", 200000)+"\n}\n")
			return nil
		}),
			Want: []Diag{{"prod/main.hcl", envLines + 2, "Value nested too deeply"}}},
	}
}

func with(d Diag, line int, summary string) Diag {
	d.Line, d.Summary = line, summary
	return d
}

// withEnv writes Env as prod/main.hcl before build.
func withEnv(build func(dir string) error) func(string) error {
	return func(dir string) error {
		if err := os.MkdirAll(filepath.Join(dir, "prod"), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "prod/main.hcl"), []byte(Env), 0o644); err != nil {
			return err
		}
		return build(dir)
	}
}

// appendTo appends text to prod/main.hcl and returns its path. An error
// shows as a case that loads without the expected diagnostic.
func appendTo(dir, text string) string {
	name := filepath.Join(dir, "prod/main.hcl")
	f, err := os.OpenFile(name, os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		f.WriteString(text)
		f.Close()
	}
	return name
}

// replace replaces the first old with new in prod/main.hcl.
func replace(dir, old, new string) error {
	name := filepath.Join(dir, "prod/main.hcl")
	data, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	if !strings.Contains(string(data), old) {
		return fmt.Errorf("%s does not hold %q", name, old)
	}
	return os.WriteFile(name, []byte(strings.Replace(string(data), old, new, 1)), 0o644)
}
