package registration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/mattermost/fleetgen/internal/action"
	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/inventory/edit"
	"github.com/mattermost/fleetgen/render/layout"
)

// A Publisher writes the pending decisions into the fleet repository: on
// a fresh copy of its main branch, as `fleetgen add workload-cluster` and
// `fleetgen remove workload-cluster` would, rendered, in one commit
// force-pushed to Branch. The branch always holds main plus every pending
// decision, so events that arrive while its pull request is open end up in
// the same pull request.
type Publisher struct {
	Repo   string // the fleet repository, as git fetches it
	Dir    string // the service's own clone of it
	Base   string // its main branch
	Branch string // the branch to push, inside the namespace the push key may write
	Env    string // the environment whose inventory the decisions change

	InventoryDir string // environments/, relative to the repository
	OutDir       string // out/, relative to the repository
	ChartsDir    string // charts/, relative to the repository

	Author string // "name <email>" of the commits
	// GitEnv is added to git's environment: GIT_SSH_COMMAND naming the
	// push key and the pinned known_hosts, in production.
	GitEnv []string
}

// A Publication is what one Publish did.
type Publication struct {
	Settled []Decision // main reflects them already
	Applied []Decision // now on the branch
	Commit  string     // the pushed commit; empty when nothing was pushed
}

// Publish brings the branch up to date with main and the pending
// decisions. A failure leaves the remote as it was; the clone is reset
// at the next attempt, so a crash in the middle leaves nothing behind.
func (p *Publisher) Publish(ctx context.Context, pending []Decision) (Publication, error) {
	var pub Publication
	if err := p.checkout(ctx); err != nil {
		return pub, err
	}
	folder, err := edit.ReadFolder(filepath.Join(p.Dir, p.InventoryDir, p.Env))
	if err != nil {
		return pub, fmt.Errorf("reading the inventory of %s on %s: %w", p.Env, p.Base, err)
	}
	before := slices.Clone(folder.Files)
	clusters, _ := edit.Names(folder)
	for _, d := range pending {
		if slices.Contains(clusters, d.Cluster) == d.Present {
			pub.Settled = append(pub.Settled, d)
			continue
		}
		c, err := change(folder, d)
		if err != nil {
			return pub, fmt.Errorf("cluster %s: %w", d.Cluster, err)
		}
		folder.Apply(c)
		pub.Applied = append(pub.Applied, d)
	}
	if len(pub.Applied) == 0 {
		return pub, nil
	}
	if err := writeChanged(before, folder.Files); err != nil {
		return pub, err
	}
	if err := p.render(); err != nil {
		return pub, err
	}
	// Only what the edit and its render change: never a lock or a stray
	// file of the clone.
	envDir := filepath.Join(p.InventoryDir, p.Env)
	outEnv := filepath.Join(p.OutDir, p.Env)
	manifest := filepath.Join(p.OutDir, layout.ManifestName)
	if err := p.git(ctx, "add", "-A", "--", envDir, outEnv, manifest); err != nil {
		return pub, err
	}
	if err := p.git(ctx, "-c", "user.name="+authorName(p.Author), "-c", "user.email="+authorEmail(p.Author),
		"commit", "--quiet", "--no-verify", "-m", commitMessage(p.Env, pub.Applied)); err != nil {
		return pub, err
	}
	head, err := p.output(ctx, "rev-parse", "HEAD")
	if err != nil {
		return pub, err
	}
	if err := p.git(ctx, "push", "--quiet", "--force", "origin", "HEAD:refs/heads/"+p.Branch); err != nil {
		return pub, err
	}
	pub.Commit = strings.TrimSpace(head)
	return pub, nil
}

// change is the edit a decision asks for, as the add and remove commands
// make it: a bare block, so the inventory's defaults apply.
func change(f *edit.Folder, d Decision) (edit.Change, error) {
	if d.Present {
		return edit.AddWorkloadCluster(f, edit.WorkloadCluster{ID: d.Cluster})
	}
	return edit.RemoveWorkloadCluster(f, d.Cluster)
}

// checkout makes the clone a clean copy of the remote main branch. Locks
// a killed git left behind are removed: the service holds its data
// folder alone (see Serve).
func (p *Publisher) checkout(ctx context.Context) error {
	if _, err := os.Stat(filepath.Join(p.Dir, ".git")); errors.Is(err, os.ErrNotExist) {
		if err := os.RemoveAll(p.Dir); err != nil {
			return err
		}
		if err := p.gitIn(ctx, "", "clone", "--quiet", "--no-checkout", "--origin", "origin", p.Repo, p.Dir); err != nil {
			return err
		}
	}
	locks, _ := filepath.Glob(filepath.Join(p.Dir, ".git", "*.lock"))
	for _, l := range locks {
		os.Remove(l)
	}
	if err := p.git(ctx, "remote", "set-url", "origin", p.Repo); err != nil {
		return err
	}
	if err := p.git(ctx, "fetch", "--quiet", "--prune", "origin", "+refs/heads/"+p.Base+":refs/remotes/origin/"+p.Base); err != nil {
		return err
	}
	if err := p.git(ctx, "checkout", "--quiet", "--force", "-B", "fleetgen-registration", "refs/remotes/origin/"+p.Base); err != nil {
		return err
	}
	return p.git(ctx, "clean", "--quiet", "-ffdx")
}

// writeChanged writes the inventory files the edits changed or created.
func writeChanged(before, after []edit.File) error {
	for _, f := range after {
		i := slices.IndexFunc(before, func(b edit.File) bool { return b.Path == f.Path })
		if i >= 0 && bytes.Equal(before[i].Data, f.Data) {
			continue
		}
		if err := os.WriteFile(f.Path, f.Data, f.Mode); err != nil {
			return err
		}
	}
	return nil
}

// render validates the edited inventory and renders the environment into
// the clone's out/, as `fleetgen render --env` does.
func (p *Publisher) render() error {
	var problems []string
	cfg := &action.Config{
		InventoryDir: filepath.Join(p.Dir, p.InventoryDir),
		OutDir:       filepath.Join(p.Dir, p.OutDir),
		ChartsDir:    filepath.Join(p.Dir, p.ChartsDir),
		Envs:         []string{p.Env},
		Report: func(_ inventory.Files, diags hcl.Diagnostics) {
			for _, d := range diags {
				if d.Severity == hcl.DiagError {
					problems = append(problems, d.Error())
				}
			}
		},
	}
	if _, err := (&action.Render{Config: cfg}).Run(); err != nil {
		if len(problems) > 0 {
			return fmt.Errorf("the edited inventory does not render: %s", strings.Join(problems, "; "))
		}
		return err
	}
	return nil
}

// commitMessage says what the commit does, one line per cluster, with the
// provisioner event that asked for it.
func commitMessage(env string, applied []Decision) string {
	var added, removed int
	var lines []string
	for _, d := range applied {
		verb := "add"
		if d.Present {
			added++
		} else {
			verb = "remove"
			removed++
		}
		lines = append(lines, fmt.Sprintf("- %s workload-cluster %s (provisioner event %s, %s)", verb, d.Cluster, d.EventID, d.At.Format(time.RFC3339)))
	}
	return fmt.Sprintf("%s: register workload clusters (+%d -%d)\n\nMade by fleetgen serve from the provisioner's cluster events:\n%s\n",
		env, added, removed, strings.Join(lines, "\n"))
}

func authorName(a string) string {
	name, _, _ := strings.Cut(a, "<")
	return strings.TrimSpace(name)
}

func authorEmail(a string) string {
	_, email, _ := strings.Cut(a, "<")
	return strings.TrimSuffix(strings.TrimSpace(email), ">")
}

func (p *Publisher) git(ctx context.Context, args ...string) error {
	return p.gitIn(ctx, p.Dir, args...)
}

func (p *Publisher) gitIn(ctx context.Context, dir string, args ...string) error {
	_, err := p.run(ctx, dir, args...)
	return err
}

func (p *Publisher) output(ctx context.Context, args ...string) (string, error) {
	return p.run(ctx, p.Dir, args...)
}

// run runs git with no terminal prompts and no user or system
// configuration, so the service behaves the same on every machine.
func (p *Publisher) run(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "LC_ALL=C")
	cmd.Env = append(cmd.Env, p.GitEnv...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %v: %s", args[0], err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}
