package workflows

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// oidcAction is the action that exchanges GitHub's OIDC token for cloud
// credentials: the one use of id-token: write.
const oidcAction = "aws-actions/configure-aws-credentials"

var (
	pinned      = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@([0-9a-f]{40}|v[0-9]+\.[0-9]+\.[0-9]+)$`)
	staticKey   = regexp.MustCompile(`(?i)secrets\.[A-Z0-9_]*(ACCESS_KEY|SECRET_KEY|SECRET_ACCESS|SESSION_TOKEN)`)
	staticInput = []string{"aws-access-key-id", "aws-secret-access-key", "aws-session-token"}
)

// Check returns the problems of one workflow file, each "line N: …".
func Check(data []byte) ([]string, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("not a workflow: the document is not a mapping")
	}
	c := &checker{}
	root := doc.Content[0]
	c.triggers(get(root, "on"))
	perms := get(root, "permissions")
	if perms == nil {
		c.add(root, "no top-level permissions: declare them, read-only (permissions: contents: read)")
	} else {
		c.readOnly(perms)
	}
	if jobs := get(root, "jobs"); jobs != nil {
		for i := 0; i+1 < len(jobs.Content); i += 2 {
			c.job(jobs.Content[i].Value, jobs.Content[i+1], root)
		}
	}
	walk(root, func(key, value *yaml.Node) {
		switch {
		case key.Value == "uses" && value.Kind == yaml.ScalarNode:
			if !strings.HasPrefix(value.Value, "./") && !pinned.MatchString(value.Value) {
				c.add(value, "%q is not pinned: use a full 40-hex commit SHA (with a # vX.Y.Z comment) or an exact vX.Y.Z", value.Value)
			}
		case key.Value == "run" && value.Kind == yaml.ScalarNode && strings.Contains(value.Value, "${{"):
			c.add(value, "an expression inside a run: script is interpolated into the shell: pass it through env:")
		case slices.Contains(staticInput, key.Value):
			c.add(key, "%s: static cloud keys; use OIDC (role-to-assume)", key.Value)
		}
		if value.Kind == yaml.ScalarNode && staticKey.MatchString(value.Value) {
			c.add(value, "a stored cloud key (%s); use OIDC (role-to-assume)", staticKey.FindString(value.Value))
		}
	})
	return c.problems, nil
}

type checker struct{ problems []string }

func (c *checker) add(n *yaml.Node, format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf("line %d: ", n.Line)+fmt.Sprintf(format, args...))
}

// triggers refuses pull_request_target, which runs a fork's pull request
// with the base repository's secrets and a write token.
func (c *checker) triggers(on *yaml.Node) {
	if on == nil {
		return
	}
	var names []*yaml.Node
	switch on.Kind {
	case yaml.ScalarNode:
		names = []*yaml.Node{on}
	case yaml.SequenceNode:
		names = on.Content
	case yaml.MappingNode:
		for i := 0; i < len(on.Content); i += 2 {
			names = append(names, on.Content[i])
		}
	}
	for _, n := range names {
		if n.Value == "pull_request_target" {
			c.add(n, "pull_request_target runs untrusted code with secrets: use pull_request")
		}
	}
}

// readOnly requires the top-level permissions to grant nothing but read.
func (c *checker) readOnly(perms *yaml.Node) {
	if perms.Kind == yaml.ScalarNode {
		c.add(perms, "top-level permissions %q: list them, read-only", perms.Value)
		return
	}
	for i := 0; i+1 < len(perms.Content); i += 2 {
		if v := perms.Content[i+1].Value; v != "read" && v != "none" {
			c.add(perms.Content[i+1], "top-level permission %s: %s; grant write in the job that needs it", perms.Content[i].Value, v)
		}
	}
}

// job checks that id-token: write is granted exactly where OIDC is used,
// and that no job asks for every permission or writes anything else.
func (c *checker) job(name string, job, root *yaml.Node) {
	usesOIDC := false
	walk(job, func(key, value *yaml.Node) {
		if key.Value == "uses" && strings.HasPrefix(value.Value, oidcAction+"@") {
			usesOIDC = true
		}
	})
	perms := get(job, "permissions")
	idToken := ""
	switch {
	case perms == nil:
	case perms.Kind == yaml.ScalarNode:
		c.add(perms, "job %s: permissions %q: list only what the job needs", name, perms.Value)
	default:
		for i := 0; i+1 < len(perms.Content); i += 2 {
			scope, v := perms.Content[i].Value, perms.Content[i+1]
			switch {
			case scope == "id-token":
				idToken = v.Value
			case v.Value == "write" && registerWrite(root, job, scope):
			case v.Value == "write" && commentWrite(root, job, scope):
			case v.Value != "read" && v.Value != "none":
				// Applying what merged reads the repository; nothing
				// here writes to GitHub (no release, no comment).
				c.add(v, "job %s: permission %s: %s; the workflows only read: grant write only with a check here that says why", name, scope, v.Value)
			}
		}
	}
	switch {
	case idToken == "write" && !usesOIDC:
		c.add(perms, "job %s: id-token: write without %s: only the OIDC job may mint tokens", name, oidcAction)
	case idToken != "write" && usesOIDC:
		c.add(job, "job %s uses %s without its own permissions: id-token: write", name, oidcAction)
	case idToken == "write" && onEvent(root, "pull_request") && !planShape(job):
		c.add(perms, "job %s: id-token: write where a pull request's code runs: only the plan job's shape (contents: read and id-token: write alone, a GitHub-hosted runner, no deployment environment, no secret, the role from .github/scripts/plan.sh role)", name)
	}
}

// onEvent reports whether the workflow runs on event.
func onEvent(root *yaml.Node, event string) bool {
	on := get(root, "on")
	if on == nil {
		return false
	}
	switch on.Kind {
	case yaml.ScalarNode:
		return on.Value == event
	case yaml.SequenceNode:
		return slices.ContainsFunc(on.Content, func(n *yaml.Node) bool { return n.Value == event })
	}
	return get(on, event) != nil
}

// onlyScopes reports whether a job's permissions are exactly want (scope:
// level), nothing more.
func onlyScopes(job *yaml.Node, want map[string]string) bool {
	perms := get(job, "permissions")
	if perms == nil || perms.Kind != yaml.MappingNode || len(perms.Content) != 2*len(want) {
		return false
	}
	for i := 0; i+1 < len(perms.Content); i += 2 {
		if want[perms.Content[i].Value] != perms.Content[i+1].Value {
			return false
		}
	}
	return true
}

// githubHosted matches the labels of GitHub's own runners: a fresh machine
// per job, outside every private network.
var githubHosted = regexp.MustCompile(`^(ubuntu|windows|macos)-[0-9a-z.-]+$`)

// stepOutput is an expression of one step's output, as the plan job hands
// the role plan.sh read from the rendered files to the OIDC action.
var stepOutput = regexp.MustCompile(`^\$\{\{ steps\.[A-Za-z0-9_-]+\.outputs\.[A-Za-z0-9_-]+ \}\}$`)

// planShape is the one job of a pull_request workflow that may hold
// id-token: write: ci.yml's plan job. The pull request's code runs there
// with the cloud credentials, so the job gets the token and read access to
// the repository and nothing else: no other scope, no secret, no
// deployment environment (whose secrets and protection rules are for
// applying), a fresh GitHub-hosted runner (a self-hosted one inside the
// VPC would keep what the code leaves behind and reach private
// endpoints), and the role plan.sh read from the rendered plan.tfvars, not
// one a variable or secret names. That the role can only read is AWS's
// to enforce (its trust and permission policies, docs/terraform.md).
func planShape(job *yaml.Node) bool {
	if !onlyScopes(job, map[string]string{"contents": "read", "id-token": "write"}) || get(job, "environment") != nil {
		return false
	}
	if r := get(job, "runs-on"); r == nil || r.Kind != yaml.ScalarNode || !githubHosted.MatchString(r.Value) {
		return false
	}
	ok, runsPlan := true, false
	walk(job, func(key, value *yaml.Node) {
		if value.Kind == yaml.ScalarNode && strings.Contains(value.Value, "secrets.") {
			ok = false
		}
		if key.Value == "run" && strings.Contains(value.Value, ".github/scripts/plan.sh role") {
			runsPlan = true
		}
		if key.Value == "role-to-assume" && !stepOutput.MatchString(value.Value) {
			ok = false
		}
	})
	return ok && runsPlan
}

// commentWrite allows the pull-requests: write of pr-comment.yml: a
// workflow run only on the completion of another workflow (workflow_run:
// from the default branch, never the pull request's code), in a job whose
// permissions are contents: read, actions: read and pull-requests: write
// alone, whose only action is a checkout of that branch (no ref, no other
// repository) and whose run: steps are the repository's own scripts. The
// script treats the artifact it posts as data and checks its pull request
// number against the run's head commit.
func commentWrite(root, job *yaml.Node, scope string) bool {
	on := get(root, "on")
	if scope != "pull-requests" || on == nil || on.Kind != yaml.MappingNode || len(on.Content) != 2 || get(on, "workflow_run") == nil {
		return false
	}
	if !onlyScopes(job, map[string]string{"contents": "read", "actions": "read", "pull-requests": "write"}) {
		return false
	}
	steps := get(job, "steps")
	if steps == nil || steps.Kind != yaml.SequenceNode {
		return false
	}
	for _, step := range steps.Content {
		uses, run := get(step, "uses"), get(step, "run")
		switch {
		case uses != nil && strings.HasPrefix(uses.Value, "actions/checkout@"):
			if with := get(step, "with"); get(with, "ref") != nil || get(with, "repository") != nil {
				return false
			}
		case run != nil && strings.HasPrefix(run.Value, ".github/scripts/") && !strings.ContainsAny(strings.TrimSpace(run.Value), ";&|\n`$"):
		default:
			return false
		}
	}
	return true
}

// registerWrite allows the one write the workflows need: opening and
// merging the pull request of a registration branch. Only a workflow run
// by pushes to fleetgen/register/ branches alone, in a job that runs after
// a job that ran verify-registration, checks out no code and so runs none
// of the branch's, may write contents and pull requests.
func registerWrite(root, job *yaml.Node, scope string) bool {
	if scope != "contents" && scope != "pull-requests" {
		return false
	}
	on := get(root, "on")
	push := get(on, "push")
	if on == nil || on.Kind != yaml.MappingNode || len(on.Content) != 2 || push == nil {
		return false
	}
	branches := get(push, "branches")
	if branches == nil || branches.Kind != yaml.SequenceNode || len(branches.Content) == 0 {
		return false
	}
	for _, b := range branches.Content {
		if !strings.HasPrefix(b.Value, "fleetgen/register/") {
			return false
		}
	}
	verified, runsCode := false, false
	needs := get(job, "needs")
	if needs == nil {
		return false
	}
	jobs := get(root, "jobs")
	for _, n := range append([]*yaml.Node{needs}, needs.Content...) {
		if n == nil || n.Kind != yaml.ScalarNode {
			continue
		}
		if dep := get(jobs, n.Value); dep != nil {
			walk(dep, func(key, value *yaml.Node) {
				if key.Value == "run" && strings.Contains(value.Value, "verify-registration") {
					verified = true
				}
			})
		}
	}
	walk(job, func(key, value *yaml.Node) {
		if key.Value == "uses" || (key.Value == "run" && strings.Contains(value.Value, "go ")) {
			runsCode = true
		}
	})
	return verified && !runsCode
}

// get returns the value of key in mapping n, or nil.
func get(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// walk calls f for every key and value of every mapping under n.
func walk(n *yaml.Node, f func(key, value *yaml.Node)) {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			f(n.Content[i], n.Content[i+1])
		}
	}
	for _, c := range n.Content {
		walk(c, f)
	}
}
