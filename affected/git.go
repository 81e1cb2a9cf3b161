package affected

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
)

// git runs the git program in dir and returns its standard output. A
// failure carries git's own message.
func git(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(cmd.Environ(), "LC_ALL=C", "GIT_TERMINAL_PROMPT=0")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return nil, fmt.Errorf("running git: %w", err)
		}
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, &gitError{args: args, msg: msg}
	}
	return stdout.Bytes(), nil
}

type gitError struct {
	args []string
	msg  string
}

func (e *gitError) Error() string { return fmt.Sprintf("git %s: %s", e.args[0], e.msg) }

// nulList splits git's -z output.
func nulList(out []byte) []string {
	s := strings.TrimSuffix(string(out), "\x00")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\x00")
}

// repo is the git repository holding out/.
type repo struct {
	top     string // its top folder
	outPath string // out/, relative to top, slash-separated, no trailing slash
}

// openRepo finds the repository of dir and where outDir (relative to
// dir) sits in it.
func openRepo(ctx context.Context, dir, outDir string) (*repo, error) {
	out, err := git(ctx, dir, "rev-parse", "--show-toplevel", "--show-prefix")
	if err != nil {
		return nil, fmt.Errorf("%s is not in a git repository: %w", dir, err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != 2 {
		return nil, fmt.Errorf("git rev-parse: unexpected output %q", out)
	}
	top := lines[0]
	rel := filepath.ToSlash(outDir)
	if filepath.IsAbs(outDir) {
		if rel, err = filepath.Rel(top, outDir); err != nil {
			return nil, fmt.Errorf("--out %q must be a folder inside the repository", outDir)
		}
		rel, lines[1] = filepath.ToSlash(rel), ""
	}
	outPath := path.Clean(pathJoin(lines[1], rel))
	if outPath == "." || outPath == ".." || strings.HasPrefix(outPath, "../") || path.IsAbs(outPath) {
		return nil, fmt.Errorf("--out %q must be a folder inside the repository", outDir)
	}
	return &repo{top: top, outPath: outPath}, nil
}

// commit resolves ref to a commit id. The message of a ref git cannot
// find says why it may be missing.
func (r *repo) commit(ctx context.Context, flag, ref string) (string, error) {
	out, err := git(ctx, r.top, "rev-parse", "--verify", "--quiet", "--end-of-options", ref+"^{commit}")
	if err == nil {
		return strings.TrimSpace(string(out)), nil
	}
	hint := ""
	if shallow, _ := git(ctx, r.top, "rev-parse", "--is-shallow-repository"); strings.TrimSpace(string(shallow)) == "true" {
		hint = " This clone is shallow: fetch the history (actions/checkout with fetch-depth: 0, or git fetch --unshallow)."
	}
	return "", fmt.Errorf("%s %q is not a commit of this repository.%s", flag, ref, hint)
}

// emptyTree is the id of the empty tree in this repository's hash.
func (r *repo) emptyTree(ctx context.Context) (string, error) {
	out, err := git(ctx, r.top, "hash-object", "-t", "tree", "--stdin")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// files lists the files of out/ at treeish, relative to out/.
func (r *repo) files(ctx context.Context, treeish string) ([]string, error) {
	out, err := git(ctx, r.top, "ls-tree", "-r", "-z", "--name-only", "--full-tree", treeish, "--", r.outPath+"/")
	if err != nil {
		return nil, err
	}
	return r.relative(nulList(out)), nil
}

// changed lists the files of out/ that differ between two tree-ish,
// relative to out/. Renames are a deletion and an addition.
func (r *repo) changed(ctx context.Context, base, head string) ([]string, error) {
	out, err := git(ctx, r.top, "diff-tree", "-r", "-z", "--name-only", "--no-renames", "--no-commit-id", base, head, "--", r.outPath+"/")
	if err != nil {
		return nil, err
	}
	return r.relative(nulList(out)), nil
}

// read returns the content of a file of out/ (relative to out/) at commit.
func (r *repo) read(ctx context.Context, commit, rel string) ([]byte, error) {
	return git(ctx, r.top, "cat-file", "blob", commit+":"+r.outPath+"/"+rel)
}

func (r *repo) relative(paths []string) []string {
	var rel []string
	for _, p := range paths {
		if s, ok := strings.CutPrefix(p, r.outPath+"/"); ok {
			rel = append(rel, s)
		}
	}
	return rel
}

func pathJoin(prefix, p string) string {
	if prefix == "" {
		return p
	}
	return prefix + "/" + p
}
