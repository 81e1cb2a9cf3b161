package gitout

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/mattermost/fleetgen/internal/suggest"
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

// A Repo is the git repository holding out/.
type Repo struct {
	Top     string // its top folder
	OutPath string // out/, relative to Top, slash-separated, no trailing slash
	prefix  string // the folder Open was given, relative to Top ("" or ending in "/")
}

// Open finds the repository of dir and where outDir (relative to dir)
// sits in it.
func Open(ctx context.Context, dir, outDir string) (*Repo, error) {
	out, err := git(ctx, dir, "rev-parse", "--show-toplevel", "--show-prefix")
	if err != nil {
		return nil, fmt.Errorf("%s is not in a git repository: %w", dir, err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != 2 {
		return nil, fmt.Errorf("git rev-parse: unexpected output %q", out)
	}
	r := &Repo{Top: lines[0], prefix: lines[1]}
	if r.OutPath, err = r.Path("--out", outDir); err != nil {
		return nil, err
	}
	return r, nil
}

// Path is folder dir (relative to the folder Open was given, or absolute),
// given with flag, relative to Top: slash-separated, no trailing slash.
func (r *Repo) Path(flag, dir string) (string, error) {
	rel, prefix := filepath.ToSlash(dir), r.prefix
	if filepath.IsAbs(dir) {
		var err error
		if rel, err = filepath.Rel(r.Top, dir); err != nil {
			return "", fmt.Errorf("%s %q must be a folder inside the repository", flag, dir)
		}
		rel, prefix = filepath.ToSlash(rel), ""
	}
	p := path.Clean(pathJoin(prefix, rel))
	if p == "." || p == ".." || strings.HasPrefix(p, "../") || path.IsAbs(p) {
		return "", fmt.Errorf("%s %q must be a folder inside the repository", flag, dir)
	}
	return p, nil
}

// ChangedSince lists the files of the repository, relative to Top, that
// differ between commit and the working tree: modified, added and
// deleted, and untracked files git does not ignore, except in out/.
// Renames are a deletion and an addition. out/'s untracked files are
// left out because finding them means walking all of out/, which costs
// more than the rest of a scoped check: such a file is not fleetgen's,
// changes no render, and a check of its environment reports it anyway.
func (r *Repo) ChangedSince(ctx context.Context, commit string) ([]string, error) {
	diff, err := git(ctx, r.Top, "diff", "--name-only", "-z", "--no-renames", commit, "--")
	if err != nil {
		return nil, err
	}
	paths := nulList(diff)
	outside, err := r.outsideOut()
	if err != nil {
		return nil, err
	}
	if len(outside) > 0 {
		untracked, err := git(ctx, r.Top, append([]string{"ls-files", "-z", "--others", "--exclude-standard", "--full-name", "--"}, outside...)...)
		if err != nil {
			return nil, err
		}
		paths = append(paths, nulList(untracked)...)
	}
	slices.Sort(paths)
	return slices.Compact(paths), nil
}

// outsideOut gives pathspecs of everything in the working tree but out/
// (and .git): the siblings of each folder on the way from Top to out/.
func (r *Repo) outsideOut() ([]string, error) {
	var specs []string
	dir := ""
	for _, elem := range strings.Split(r.OutPath, "/") {
		entries, err := os.ReadDir(filepath.Join(r.Top, filepath.FromSlash(dir)))
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if e.Name() != elem && !(dir == "" && e.Name() == ".git") {
				specs = append(specs, ":(top,literal)"+pathJoin(dir, e.Name()))
			}
		}
		dir = pathJoin(dir, elem)
	}
	return specs, nil
}

// Commit resolves ref, given with flag (as "--base"), to a commit id. The
// message of a ref git cannot find says why it may be missing.
func (r *Repo) Commit(ctx context.Context, flag, ref string) (string, error) {
	out, err := git(ctx, r.Top, "rev-parse", "--verify", "--quiet", "--end-of-options", ref+"^{commit}")
	if err == nil {
		return strings.TrimSpace(string(out)), nil
	}
	hint := ""
	if refs, err := git(ctx, r.Top, "for-each-ref", "--format=%(refname:short)", "refs/heads", "refs/remotes", "refs/tags"); err == nil {
		hint = suggest.DidYouMean(ref, strings.Fields(string(refs))) // a branch or tag misspelt
	}
	if shallow, _ := git(ctx, r.Top, "rev-parse", "--is-shallow-repository"); strings.TrimSpace(string(shallow)) == "true" {
		hint += " This clone is shallow: fetch the history (actions/checkout with fetch-depth: 0, or git fetch --unshallow)."
	}
	return "", fmt.Errorf("%s %q is not a commit of this repository.%s", flag, ref, hint)
}

// EmptyTree is the id of the empty tree in this repository's hash.
func (r *Repo) EmptyTree(ctx context.Context) (string, error) {
	out, err := git(ctx, r.Top, "hash-object", "-t", "tree", "--stdin")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// Files lists the files of out/ at treeish, relative to out/.
func (r *Repo) Files(ctx context.Context, treeish string) ([]string, error) {
	out, err := git(ctx, r.Top, "ls-tree", "-r", "-z", "--name-only", "--full-tree", treeish, "--", r.OutPath+"/")
	if err != nil {
		return nil, err
	}
	return r.relative(nulList(out)), nil
}

// Changed lists the files of out/ that differ between two tree-ish,
// relative to out/. Renames are a deletion and an addition.
func (r *Repo) Changed(ctx context.Context, base, head string) ([]string, error) {
	out, err := git(ctx, r.Top, "diff-tree", "-r", "-z", "--name-only", "--no-renames", "--no-commit-id", base, head, "--", r.OutPath+"/")
	if err != nil {
		return nil, err
	}
	return r.relative(nulList(out)), nil
}

// Read returns the content of a file of out/ (relative to out/) at commit.
func (r *Repo) Read(ctx context.Context, commit, rel string) ([]byte, error) {
	return git(ctx, r.Top, "cat-file", "blob", commit+":"+r.OutPath+"/"+rel)
}

func (r *Repo) relative(paths []string) []string {
	var rel []string
	for _, p := range paths {
		if s, ok := strings.CutPrefix(p, r.OutPath+"/"); ok {
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

// A Blob is one file of out/ in a tree: its git object id and mode.
type Blob struct {
	ID   string
	Mode string // git's: 100644, 100755, 120000 (a symlink)
}

// Blobs lists the files of out/ at treeish, relative to out/, with their
// object ids, so a caller can tell which differ from rendered bytes
// (Hash) without reading them.
func (r *Repo) Blobs(ctx context.Context, treeish string) (map[string]Blob, error) {
	out, err := git(ctx, r.Top, "ls-tree", "-r", "-z", "--full-tree", treeish, "--", r.OutPath+"/")
	if err != nil {
		return nil, err
	}
	blobs := map[string]Blob{}
	for _, entry := range nulList(out) {
		meta, name, ok := strings.Cut(entry, "\t")
		fields := strings.Fields(meta)
		if !ok || len(fields) != 3 {
			return nil, fmt.Errorf("git ls-tree: unexpected entry %q", entry)
		}
		if fields[1] != "blob" {
			continue // a submodule
		}
		if rel, ok := strings.CutPrefix(name, r.OutPath+"/"); ok {
			blobs[rel] = Blob{ID: fields[2], Mode: fields[0]}
		}
	}
	return blobs, nil
}

// Hash returns the function that gives the object id git stores data
// under in this repository (git hash-object): SHA-1 or, in a SHA-256
// repository, SHA-256 of "blob <len>\x00" then data.
func (r *Repo) Hash(ctx context.Context) (func(data []byte) string, error) {
	out, err := git(ctx, r.Top, "rev-parse", "--show-object-format")
	if err != nil {
		return nil, err
	}
	switch format := strings.TrimSpace(string(out)); format {
	case "sha1":
		return func(data []byte) string { return blobID(sha1.New(), data) }, nil
	case "sha256":
		return func(data []byte) string { return blobID(sha256.New(), data) }, nil
	default:
		return nil, fmt.Errorf("git object format %q is not supported", format)
	}
}

func blobID(h hash.Hash, data []byte) string {
	fmt.Fprintf(h, "blob %d\x00", len(data))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

// ReadAll returns the content of files of out/ (relative to out/) at
// commit, with one git process (cat-file --batch) for all of them.
func (r *Repo) ReadAll(ctx context.Context, commit string, rels []string) (map[string][]byte, error) {
	if len(rels) == 0 {
		return map[string][]byte{}, nil
	}
	var in bytes.Buffer
	for _, rel := range rels {
		if strings.ContainsAny(rel, "\n\r") {
			return nil, fmt.Errorf("cannot read %q from git: a newline in its name", rel)
		}
		fmt.Fprintf(&in, "%s:%s/%s\n", commit, r.OutPath, rel)
	}
	cmd := exec.CommandContext(ctx, "git", "-C", r.Top, "cat-file", "--batch")
	cmd.Env = append(cmd.Environ(), "LC_ALL=C", "GIT_TERMINAL_PROMPT=0")
	cmd.Stdin = &in
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("git cat-file: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	out := stdout.Bytes()
	files := make(map[string][]byte, len(rels))
	for _, rel := range rels {
		header, rest, ok := bytes.Cut(out, []byte("\n"))
		f := strings.Fields(string(header))
		if !ok || len(f) != 3 || f[1] != "blob" {
			return nil, fmt.Errorf("git cat-file: no blob %s/%s at %s: %q", r.OutPath, rel, commit, header)
		}
		size, err := strconv.Atoi(f[2])
		if err != nil || size+1 > len(rest) {
			return nil, fmt.Errorf("git cat-file: unexpected header %q", header)
		}
		files[rel] = rest[:size:size]
		out = rest[size+1:]
	}
	return files, nil
}
