package affected

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"path"
	"reflect"
	"slices"
	"strings"

	"github.com/mattermost/fleetgen/internal/gitout"
	"github.com/mattermost/fleetgen/internal/suggest"
	"github.com/mattermost/fleetgen/render/ha"
	"github.com/mattermost/fleetgen/render/layout"
)

// Options say which two commits to compare.
type Options struct {
	Dir    string   // a folder of the repository (the working directory)
	OutDir string   // the rendered tree, relative to Dir (as --out)
	Base   string   // the commit already applied; "" or all zeros: none, everything is new
	Head   string   // the commit to apply
	Envs   []string // only these environments; none: all
}

// A Report is what must be applied to go from Base to Head. Every list is
// sorted and never null, so it can feed a GitHub Actions matrix as is.
type Report struct {
	Base string `json:"base"` // the commit compared against; "" when none
	Head string `json:"head"`
	// Environments are those with anything in the lists below.
	Environments []string `json:"environments"`
	// Added are the environments with no files at Base.
	Added     []string    `json:"added"`
	Terraform []Terraform `json:"terraform"`
	ArgoCD    []ArgoCD    `json:"argocd"`
	HA        []HACluster `json:"ha"`
	Removed   []Removed   `json:"removed"`
	Unknown   []string    `json:"unknown"`
}

// Terraform lists the changed layers of one environment, in apply order.
type Terraform struct {
	Env    string   `json:"env"`
	Dir    string   `json:"dir"`    // the environment's terraform/ folder, relative to the repository
	Layers []string `json:"layers"` // the layers whose files changed
	// Apply are the layers to apply: from the first changed one to the
	// last, since each layer reads the earlier ones' outputs (remote
	// state) and what they deployed; an unchanged one plans no change.
	Apply []string `json:"apply"`
}

// ArgoCD lists the changed files Argo CD syncs for one environment.
type ArgoCD struct {
	Env   string   `json:"env"`
	Files []string `json:"files"` // relative to the repository
}

// HACluster lists the changed nodes of one HA cluster, in ordinal order,
// with what the apply job needs to reach them.
type HACluster struct {
	Env        string   `json:"env"`
	Cluster    string   `json:"cluster"`
	KnownHosts string   `json:"known_hosts"` // the cluster's pinned host keys, relative to the repository
	Nodes      []HANode `json:"nodes"`
	// FullStop says the change cannot be rolled node by node: nodes that
	// disagree on these settings cannot talk to each other, so every node
	// is stopped, applied without --restart, then started one at a time
	// (the cluster README). FullStopBecause lists the settings (the
	// cluster.json names: ClusterSettings keys, ssh_tunnels).
	FullStop        bool     `json:"full_stop"`
	FullStopBecause []string `json:"full_stop_because"`
}

// HANode is one node to apply: copy Dir to it, run its apply.sh.
type HANode struct {
	Name    string `json:"name"`
	Address string `json:"address"` // "" when the rendered known_hosts does not name it
	Port    int    `json:"port"`    // its sshd port
	// Pinned says the cluster's known_hosts has the node's host key; the
	// apply job refuses a node without one.
	Pinned bool   `json:"pinned"`
	Dir    string `json:"dir"` // its folder, relative to the repository
	// Restart says whether applying the node restarts Mattermost on it: a
	// changed file of its own needs it (apply.sh's file list). A peer
	// added or removed restarts nothing.
	Restart bool `json:"restart"`
}

// Removed is something the Head no longer renders. It is reported, never
// destroyed: an operator destroys it by hand (docs/apply.md).
type Removed struct {
	Env     string `json:"env"`
	Kind    string `json:"kind"` // environment, terraform-layer, ha-cluster, ha-node
	Name    string `json:"name"` // the layer, cluster or node; the environment for an environment
	Cluster string `json:"cluster,omitempty"`
}

// Kinds of Removed.
const (
	RemovedEnvironment = "environment"
	RemovedLayer       = "terraform-layer"
	RemovedHACluster   = "ha-cluster"
	RemovedHANode      = "ha-node"
)

// Compute compares the rendered trees of o.Base and o.Head.
func Compute(ctx context.Context, o Options) (*Report, error) {
	r, err := gitout.Open(ctx, o.Dir, o.OutDir)
	if err != nil {
		return nil, err
	}
	head, err := r.Commit(ctx, "--head", cmp.Or(o.Head, "HEAD"))
	if err != nil {
		return nil, err
	}
	base, baseTree := "", ""
	if noBase(o.Base) {
		if baseTree, err = r.EmptyTree(ctx); err != nil {
			return nil, err
		}
	} else {
		if base, err = r.Commit(ctx, "--base", o.Base); err != nil {
			return nil, err
		}
		baseTree = base
	}
	before, err := r.Files(ctx, baseTree)
	if err != nil {
		return nil, err
	}
	after, err := r.Files(ctx, head)
	if err != nil {
		return nil, err
	}
	changed, err := r.Changed(ctx, baseTree, head)
	if err != nil {
		return nil, err
	}
	bt, at := newTree(before), newTree(after)
	for _, env := range o.Envs {
		if !bt.envs[env] && !at.envs[env] {
			known := maps.Clone(bt.envs)
			maps.Copy(known, at.envs)
			return nil, fmt.Errorf("--env %q: no environment of that name in %s at either commit%s", env, r.OutPath, suggest.Clause(env, slices.Sorted(maps.Keys(known))))
		}
	}
	c := &classifier{
		r: r, head: head, envs: o.Envs,
		before: bt, after: at, headFiles: map[string]bool{},
		layers: map[string]map[string]bool{}, argocd: map[string][]string{},
		nodes: map[[2]string]map[string]bool{}, removed: map[Removed]bool{},
		files: map[[3]string][]string{}, base: base,
	}
	for _, p := range after {
		c.headFiles[p] = true
	}
	for _, p := range changed {
		c.add(p)
	}
	rep, err := c.report(ctx)
	if err != nil {
		return nil, err
	}
	rep.Base, rep.Head = base, head
	return rep, nil
}

// noBase reports whether base names no commit: GitHub's
// github.event.before is all zeros on the first push of a branch.
func noBase(base string) bool { return strings.Trim(base, "0") == "" }

// tree is what exists in out/ at one commit.
type tree struct {
	envs     map[string]bool
	layers   map[[2]string]bool // env, layer
	clusters map[[2]string]bool // env, cluster
	nodes    map[[3]string]bool // env, cluster, node
}

func newTree(paths []string) *tree {
	t := &tree{envs: map[string]bool{}, layers: map[[2]string]bool{}, clusters: map[[2]string]bool{}, nodes: map[[3]string]bool{}}
	for _, p := range paths {
		loc := layout.Locate(p)
		if loc.Env == "" {
			continue
		}
		t.envs[loc.Env] = true
		switch loc.Kind {
		case layout.KindTerraform:
			t.layers[[2]string{loc.Env, loc.Layer}] = true
		case layout.KindHANode:
			t.clusters[[2]string{loc.Env, loc.Cluster}] = true
			t.nodes[[3]string{loc.Env, loc.Cluster, loc.Node}] = true
		case layout.KindHACluster:
			t.clusters[[2]string{loc.Env, loc.Cluster}] = true
		}
	}
	return t
}

// classifier sorts the changed paths into what applies them.
type classifier struct {
	r             *gitout.Repo
	head          string
	headFiles     map[string]bool // files of out/ at head, relative to out/
	envs          []string
	before, after *tree

	layers  map[string]map[string]bool    // env -> changed layers
	argocd  map[string][]string           // env -> changed files
	nodes   map[[2]string]map[string]bool // env, cluster -> changed nodes
	files   map[[3]string][]string        // env, cluster, node -> its changed files, relative to its folder
	base    string                        // the base tree: "" when there is none
	removed map[Removed]bool
	unknown []string
}

func (c *classifier) add(p string) {
	loc := layout.Locate(p)
	if loc.Kind == layout.KindUnknown && loc.Env == "" {
		c.unknown = append(c.unknown, c.r.OutPath+"/"+p) // a stray file of out/ itself: no environment to filter on
		return
	}
	if loc.Env == "" || (len(c.envs) > 0 && !slices.Contains(c.envs, loc.Env)) {
		return
	}
	if !c.after.envs[loc.Env] {
		c.removed[Removed{Env: loc.Env, Kind: RemovedEnvironment, Name: loc.Env}] = true
		return
	}
	switch loc.Kind {
	case layout.KindTerraform:
		if !c.after.layers[[2]string{loc.Env, loc.Layer}] {
			c.removed[Removed{Env: loc.Env, Kind: RemovedLayer, Name: loc.Layer}] = true
			return
		}
		set(c.layers, loc.Env)[loc.Layer] = true
	case layout.KindArgoCD:
		c.argocd[loc.Env] = append(c.argocd[loc.Env], c.r.OutPath+"/"+p)
	case layout.KindHANode:
		switch {
		case !c.after.clusters[[2]string{loc.Env, loc.Cluster}]:
			c.removed[Removed{Env: loc.Env, Kind: RemovedHACluster, Name: loc.Cluster}] = true
		case !c.after.nodes[[3]string{loc.Env, loc.Cluster, loc.Node}]:
			c.removed[Removed{Env: loc.Env, Kind: RemovedHANode, Cluster: loc.Cluster, Name: loc.Node}] = true
		default:
			set(c.nodes, [2]string{loc.Env, loc.Cluster})[loc.Node] = true
			key := [3]string{loc.Env, loc.Cluster, loc.Node}
			c.files[key] = append(c.files[key], strings.TrimPrefix(p, layout.HANode(loc.Env, loc.Cluster, loc.Node)+"/"))
		}
	case layout.KindHACluster:
		if !c.after.clusters[[2]string{loc.Env, loc.Cluster}] {
			c.removed[Removed{Env: loc.Env, Kind: RemovedHACluster, Name: loc.Cluster}] = true
			return
		}
		// The cluster-wide ClusterSettings concern every node, though no
		// node file holds them: each node is applied (fullStop says how).
		if base := path.Base(p); base == ha.SettingsFile || base == ha.FactsFile {
			for n := range c.after.nodes {
				if n[0] == loc.Env && n[1] == loc.Cluster {
					set(c.nodes, [2]string{loc.Env, loc.Cluster})[n[2]] = true
				}
			}
		}
	case layout.KindUnknown:
		c.unknown = append(c.unknown, c.r.OutPath+"/"+p)
	}
}

func set[K comparable](m map[K]map[string]bool, k K) map[string]bool {
	if m[k] == nil {
		m[k] = map[string]bool{}
	}
	return m[k]
}

func (c *classifier) report(ctx context.Context) (*Report, error) {
	rep := &Report{
		Environments: []string{}, Added: []string{}, Terraform: []Terraform{}, ArgoCD: []ArgoCD{},
		HA: []HACluster{}, Removed: []Removed{}, Unknown: c.unknown,
	}
	envs := map[string]bool{}
	for env := range c.after.envs {
		if !c.before.envs[env] && (len(c.envs) == 0 || slices.Contains(c.envs, env)) {
			rep.Added = append(rep.Added, env)
			envs[env] = true
		}
	}
	for _, env := range slices.Sorted(maps.Keys(c.layers)) {
		t := Terraform{Env: env, Dir: path.Join(c.r.OutPath, layout.TerraformDir(env))}
		for _, l := range layout.Layers { // apply order
			if c.layers[env][l] {
				t.Layers = append(t.Layers, l)
			}
			if len(t.Layers) > 0 && c.after.layers[[2]string{env, l}] {
				t.Apply = append(t.Apply, l)
			}
		}
		rep.Terraform = append(rep.Terraform, t)
		envs[env] = true
	}
	for _, env := range slices.Sorted(maps.Keys(c.argocd)) {
		rep.ArgoCD = append(rep.ArgoCD, ArgoCD{Env: env, Files: slices.Sorted(slices.Values(c.argocd[env]))})
		envs[env] = true
	}
	for _, key := range slices.SortedFunc(maps.Keys(c.nodes), func(a, b [2]string) int {
		return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
	}) {
		h, err := c.haCluster(ctx, key[0], key[1], c.nodes[key])
		if err != nil {
			return nil, err
		}
		rep.HA = append(rep.HA, h)
		envs[key[0]] = true
	}
	for rm := range c.removed {
		rep.Removed = append(rep.Removed, rm)
		envs[rm.Env] = true
	}
	slices.SortFunc(rep.Removed, func(a, b Removed) int {
		return cmp.Or(cmp.Compare(a.Env, b.Env), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Cluster, b.Cluster), cmp.Compare(a.Name, b.Name))
	})
	slices.Sort(rep.Added)
	rep.Environments = append(rep.Environments, slices.Sorted(maps.Keys(envs))...)
	if rep.Unknown == nil {
		rep.Unknown = []string{}
	}
	slices.Sort(rep.Unknown)
	return rep, nil
}

// haCluster lists the changed nodes of a cluster in the order of its
// rendered known_hosts (ordinal order), with their addresses from it.
func (c *classifier) haCluster(ctx context.Context, env, cluster string, changed map[string]bool) (HACluster, error) {
	dir := path.Join(c.r.OutPath, layout.HACluster(env, cluster))
	h := HACluster{Env: env, Cluster: cluster, KnownHosts: path.Join(c.r.OutPath, layout.HAClusterKnownHosts(env, cluster)), Nodes: []HANode{}}
	var hosts []ha.KnownNode
	if rel := layout.HAClusterKnownHosts(env, cluster); !c.headFiles[rel] {
		h.KnownHosts = "" // rendered by a fleetgen without it: no node is pinned
	} else {
		data, err := c.r.Read(ctx, c.head, rel)
		if err != nil {
			return h, err
		}
		if hosts, err = ha.ReadKnownHosts(data); err != nil {
			return h, fmt.Errorf("%s at %s: %w", h.KnownHosts, c.head, err)
		}
	}
	changed = maps.Clone(changed)
	for _, k := range hosts {
		if changed[k.Name] {
			h.Nodes = append(h.Nodes, HANode{Name: k.Name, Address: k.Address, Port: k.Port, Pinned: k.Pinned(), Dir: path.Join(dir, k.Name)})
			delete(changed, k.Name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(changed)) {
		h.Nodes = append(h.Nodes, HANode{Name: name, Dir: path.Join(dir, name)})
	}
	for i, n := range h.Nodes {
		restart, err := c.restarts(ctx, env, cluster, n.Name)
		if err != nil {
			return h, err
		}
		h.Nodes[i].Restart = restart
	}
	because, err := c.fullStop(ctx, env, cluster)
	if err != nil {
		return h, err
	}
	h.FullStop, h.FullStopBecause = len(because) > 0, because
	return h, nil
}

// restarts reports whether a changed file of the node restarts Mattermost,
// from the effects its apply.sh at head lists. A node rendered before
// apply.sh listed effects restarts.
func (c *classifier) restarts(ctx context.Context, env, cluster, node string) (bool, error) {
	rel := path.Join(layout.HANode(env, cluster, node), layout.HAApply)
	data, err := c.r.Read(ctx, c.head, rel)
	if err != nil {
		return false, err
	}
	files, err := ha.ReadNodeFiles(data)
	if err != nil {
		return false, fmt.Errorf("%s/%s at %s: %w", c.r.OutPath, rel, c.head, err)
	}
	effects := map[string]string{}
	for _, f := range files {
		effects[f.Src] = f.Effect
	}
	for _, p := range c.files[[3]string{env, cluster, node}] {
		if e, ok := effects[p]; ok && ha.RestartsMattermost(e) {
			return true, nil
		}
	}
	return false, nil
}

// fullStop lists the full-stop settings (cluster.json's full_stop) whose
// value differs between base and head; none for a new cluster.
func (c *classifier) fullStop(ctx context.Context, env, cluster string) ([]string, error) {
	rel := path.Join(layout.HACluster(env, cluster), ha.FactsFile)
	if c.base == "" || !c.headFiles[rel] || !c.before.clusters[[2]string{env, cluster}] {
		return []string{}, nil
	}
	read := func(commit string) (*ha.Facts, error) {
		data, err := c.r.Read(ctx, commit, rel)
		if err != nil {
			return nil, err
		}
		return ha.ReadFacts(data)
	}
	head, err := read(c.head)
	if err != nil {
		return nil, err
	}
	base, err := read(c.base)
	if err != nil {
		return []string{"cluster.json"}, nil // rendered before fleetgen wrote it: assume the worst
	}
	because := []string{}
	for _, k := range head.FullStop {
		switch {
		case k == "ssh_tunnels":
			if base.SSHTunnels != head.SSHTunnels {
				because = append(because, k)
			}
		case !reflect.DeepEqual(base.ClusterSettings[k], head.ClusterSettings[k]):
			because = append(because, k)
		}
	}
	return because, nil
}
