package workflows

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mattermost/fleetgen/internal/tooltest"
)

const dir = "../../.github/workflows"

func workflowFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{"*.yml", "*.yaml"} {
		m, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 2 {
		t.Fatalf("want ci.yml and apply.yml under %s, got %v", dir, files)
	}
	return files
}

// TestWorkflowsSecure runs the checks on every workflow of the repository.
func TestWorkflowsSecure(t *testing.T) {
	for _, f := range workflowFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		problems, err := Check(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, p := range problems {
			t.Errorf("%s: %s", f, p)
		}
	}
}

// good is a workflow that passes; each case of TestCheckCatches breaks
// one property of it.
const good = `name: x
on:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - uses: ./local-action
      - env:
          BEFORE: ${{ github.event.before }}
        run: echo "$BEFORE"
  deploy:
    runs-on: ubuntu-24.04
    permissions:
      contents: read
      id-token: write
    steps:
      - uses: aws-actions/configure-aws-credentials@v4.0.2
        with:
          role-to-assume: arn:aws:iam::111122223333:role/x
          aws-region: us-east-1
`

// TestCheckCatches shows that each check can fail: one bad snippet each.
func TestCheckCatches(t *testing.T) {
	if p, err := Check([]byte(good)); err != nil || len(p) != 0 {
		t.Fatalf("the good workflow: %v %v", p, err)
	}
	for _, tc := range []struct{ name, old, new, want string }{
		{"no top-level permissions", "permissions:\n  contents: read\njobs:", "jobs:", "no top-level permissions"},
		{"top-level write", "permissions:\n  contents: read\njobs:", "permissions:\n  contents: write\njobs:", "top-level permission contents: write"},
		{"top-level write-all", "permissions:\n  contents: read\njobs:", "permissions: write-all\njobs:", `top-level permissions "write-all"`},
		{"job write-all", "    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout", "    runs-on: ubuntu-24.04\n    permissions: write-all\n    steps:\n      - uses: actions/checkout", `job build: permissions "write-all"`},
		{"id-token without OIDC", "    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout", "    runs-on: ubuntu-24.04\n    permissions:\n      id-token: write\n    steps:\n      - uses: actions/checkout", "job build: id-token: write without"},
		{"job write", "      contents: read\n      id-token: write\n", "      contents: write\n      id-token: write\n", "job deploy: permission contents: write"},
		{"OIDC without id-token", "      id-token: write\n", "", "job deploy uses aws-actions/configure-aws-credentials without"},
		{"pull_request_target", "on:\n  push:", "on:\n  pull_request_target:\n  push:", "pull_request_target runs untrusted code"},
		{"pull_request_target in a list", "on:\n  push:\n    branches: [main]", "on: [push, pull_request_target]", "pull_request_target runs untrusted code"},
		{"static key secret", "aws-region: us-east-1", "aws-region: us-east-1\n          role-session-name: ${{ secrets.AWS_ACCESS_KEY_ID }}", "a stored cloud key (secrets.AWS_ACCESS_KEY"},
		{"static key input", "aws-region: us-east-1", "aws-region: us-east-1\n          aws-secret-access-key: x", "aws-secret-access-key: static cloud keys"},
		{"major tag", "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2", "actions/checkout@v4", `"actions/checkout@v4" is not pinned`},
		{"branch", "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2", "actions/checkout@main", `"actions/checkout@main" is not pinned`},
		{"short SHA", "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2", "actions/checkout@11bd719", "is not pinned"},
		{"reusable workflow", "  build:\n    runs-on: ubuntu-24.04\n", "  reuse:\n    uses: org/repo/.github/workflows/x.yml@main\n  build:\n    runs-on: ubuntu-24.04\n", `"org/repo/.github/workflows/x.yml@main" is not pinned`},
		{"event in run", `run: echo "$BEFORE"`, `run: echo "${{ github.event.head_commit.message }}"`, "an expression inside a run: script"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(good, tc.old) {
				t.Fatalf("the good workflow has no %q", tc.old)
			}
			problems, err := Check([]byte(strings.Replace(good, tc.old, tc.new, 1)))
			if err != nil {
				t.Fatal(err)
			}
			if len(problems) != 1 || !strings.Contains(problems[0], tc.want) {
				t.Errorf("want one problem with %q, got %q", tc.want, problems)
			}
		})
	}
}

// register is the shape of register.yml: the one workflow that may write.
const register = `on:
  push:
    branches: ['fleetgen/register/**']
permissions:
  contents: read
jobs:
  verify:
    runs-on: ubuntu-24.04
    steps:
      - run: fleetgen verify-registration --env prod --base origin/main
  pull-request:
    needs: verify
    runs-on: ubuntu-24.04
    permissions:
      contents: write
      pull-requests: write
    steps:
      - run: gh pr create
`

// TestRegisterWriteOnlyAfterVerification: the write the register
// workflow needs is allowed in its shape only.
func TestRegisterWriteOnlyAfterVerification(t *testing.T) {
	if p, err := Check([]byte(register)); err != nil || len(p) != 0 {
		t.Fatalf("the register workflow: %v %v", p, err)
	}
	for _, tc := range []struct{ name, old, new string }{
		{"another trigger too", "on:\n  push:", "on:\n  pull_request:\n  push:"},
		{"another branch", "['fleetgen/register/**']", "['fleetgen/register/**', main]"},
		{"no verification first", "    needs: verify\n", ""},
		{"verification not run", "fleetgen verify-registration", "fleetgen check"},
		{"checks out code", "      - run: gh pr create", "      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n      - run: gh pr create"},
		{"builds code", "      - run: gh pr create", "      - run: go run ./cmd/fleetgen"},
		{"another scope", "pull-requests: write", "actions: write"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			problems, err := Check([]byte(strings.Replace(register, tc.old, tc.new, 1)))
			if err != nil {
				t.Fatal(err)
			}
			if len(problems) == 0 || !strings.Contains(strings.Join(problems, "\n"), ": write; the workflows only read") {
				t.Errorf("the write was allowed: %q", problems)
			}
		})
	}
}

// TestActionlint runs actionlint on every workflow, with shellcheck on the
// run: scripts. actionlint skips shellcheck in silence when it cannot run
// it, so a canary script shellcheck must refuse proves it ran.
func TestActionlint(t *testing.T) {
	bin := tooltest.Look(t, "actionlint", "shellcheck")
	out, err := exec.Command(bin, append([]string{"-color=false"}, workflowFiles(t)...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("actionlint: %v\n%s", err, out)
	}
	canary := filepath.Join(t.TempDir(), "canary.yml")
	script := "      - run: |\n          f=$(ls)\n          cat $f\n" // SC2086: $f unquoted
	if err := os.WriteFile(canary, []byte(strings.Replace(good, "      - uses: ./local-action\n", script, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = exec.Command(bin, "-color=false", canary).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "SC2086") {
		t.Fatalf("actionlint did not run shellcheck on a run: script: %v\n%s", err, out)
	}
}

// TestScriptsShellcheck: the scripts the workflows run from files, which
// actionlint does not read.
func TestScriptsShellcheck(t *testing.T) {
	bin := tooltest.Look(t, "shellcheck")
	scripts, err := filepath.Glob("../../.github/scripts/*.sh")
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no script under .github/scripts: %v", err)
	}
	if out, err := exec.Command(bin, append([]string{"--severity=style"}, scripts...)...).CombinedOutput(); err != nil {
		t.Fatalf("shellcheck: %v\n%s", err, out)
	}
}

// prPlan is the shape of ci.yml's plan job: the one job of a workflow
// pull requests run that may hold id-token: write.
const prPlan = `on:
  pull_request:
permissions:
  contents: read
jobs:
  plan:
    runs-on: ubuntu-24.04
    permissions:
      contents: read
      id-token: write
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - id: role
        run: echo "arn=$(.github/scripts/plan.sh role dev)" >>"$GITHUB_OUTPUT"
      - uses: aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502 # v4.0.2
        with:
          role-to-assume: ${{ steps.role.outputs.arn }}
          aws-region: us-east-1
      - run: .github/scripts/plan.sh plan dev plans 1-cluster
`

// TestPlanTokenOnlyInItsShape: a pull request's code runs with the plan
// job's credentials, so id-token: write is allowed there in exactly that
// shape; any write permission beside it is still refused.
func TestPlanTokenOnlyInItsShape(t *testing.T) {
	if p, err := Check([]byte(prPlan)); err != nil || len(p) != 0 {
		t.Fatalf("the plan job: %v %v", p, err)
	}
	for _, tc := range []struct{ name, old, new, want string }{
		{"a write beside it", "      id-token: write\n", "      id-token: write\n      pull-requests: write\n", "job plan: permission pull-requests: write"},
		{"another read scope", "      id-token: write\n", "      id-token: write\n      actions: read\n", "only the plan job's shape"},
		{"a deployment environment", "    runs-on: ubuntu-24.04\n", "    runs-on: ubuntu-24.04\n    environment: prod\n", "only the plan job's shape"},
		{"a self-hosted runner", "    runs-on: ubuntu-24.04\n", "    runs-on: [self-hosted, linux]\n", "only the plan job's shape"},
		{"a role from a variable", "${{ steps.role.outputs.arn }}", "${{ vars.AWS_APPLY_ROLE_ARN }}", "only the plan job's shape"},
		{"a secret", "aws-region: us-east-1", "aws-region: ${{ secrets.REGION }}", "only the plan job's shape"},
		{"no plan.sh role", "$(.github/scripts/plan.sh role dev)", "arn:aws:iam::111122223333:role/fleet-plan", "only the plan job's shape"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(prPlan, tc.old) {
				t.Fatalf("the plan job has no %q", tc.old)
			}
			problems, err := Check([]byte(strings.Replace(prPlan, tc.old, tc.new, 1)))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(strings.Join(problems, "\n"), tc.want) {
				t.Errorf("want a problem with %q, got %q", tc.want, problems)
			}
		})
	}
	// Outside a pull_request workflow (apply.yml) the token is the apply's.
	if p, _ := Check([]byte(strings.Replace(strings.Replace(prPlan, "  pull_request:", "  push:", 1), "    runs-on: ubuntu-24.04\n", "    runs-on: [self-hosted, linux]\n    environment: prod\n", 1))); len(p) != 0 {
		t.Errorf("a push workflow's OIDC job was refused: %q", p)
	}
}

// prComment is the shape of pr-comment.yml: the one job that may comment.
const prComment = `on:
  workflow_run:
    workflows: [ci]
    types: [completed]
permissions:
  contents: read
jobs:
  comment:
    runs-on: ubuntu-24.04
    permissions:
      contents: read
      actions: read
      pull-requests: write
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          persist-credentials: false
      - env:
          HEAD_SHA: ${{ github.event.workflow_run.head_sha }}
        run: .github/scripts/pr-comment.sh
`

// TestCommentWriteOnlyInItsShape: pull-requests: write is allowed in the
// workflow_run job that runs no pull request code, and nowhere else.
func TestCommentWriteOnlyInItsShape(t *testing.T) {
	if p, err := Check([]byte(prComment)); err != nil || len(p) != 0 {
		t.Fatalf("the comment job: %v %v", p, err)
	}
	for _, tc := range []struct{ name, old, new string }{
		{"pull requests run it", "on:\n  workflow_run:", "on:\n  pull_request:\n  workflow_run:"},
		{"checks out the pull request", "          persist-credentials: false\n", "          persist-credentials: false\n          ref: ${{ github.event.workflow_run.head_sha }}\n"},
		{"checks out another repository", "          persist-credentials: false\n", "          persist-credentials: false\n          repository: ${{ github.event.workflow_run.head_repository.full_name }}\n"},
		{"builds code", "        run: .github/scripts/pr-comment.sh", "        run: go run ./cmd/fleetgen pr-summary"},
		{"runs more than the script", "        run: .github/scripts/pr-comment.sh", "        run: .github/scripts/pr-comment.sh; ./bin/fleetgen"},
		{"another action", "      - env:", "      - uses: actions/setup-go@d35c59abb061a4a6fb18e82ac0862c26744d6ab5 # v5.5.0\n      - env:"},
		{"another scope", "      actions: read\n", "      actions: read\n      checks: read\n"},
		{"writes contents", "      contents: read\n      actions: read\n", "      contents: write\n      actions: read\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(prComment, tc.old) {
				t.Fatalf("the comment job has no %q", tc.old)
			}
			problems, err := Check([]byte(strings.Replace(prComment, tc.old, tc.new, 1)))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(strings.Join(problems, "\n"), ": write; the workflows only read") {
				t.Errorf("the write was allowed: %q", problems)
			}
		})
	}
	// The same job in ci.yml, which pull requests run, may not comment.
	data, err := os.ReadFile(filepath.Join(dir, "ci.yml"))
	if err != nil {
		t.Fatal(err)
	}
	ci := strings.Replace(string(data), "      id-token: write # GitHub's OIDC token", "      pull-requests: write\n      id-token: write # GitHub's OIDC token", 1)
	if problems, _ := Check([]byte(ci)); !strings.Contains(strings.Join(problems, "\n"), "job plan: permission pull-requests: write") {
		t.Errorf("ci.yml's plan job was allowed to comment: %q", problems)
	}
}
