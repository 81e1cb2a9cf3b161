package action

import (
	"cmp"
	"context"
	"slices"

	"github.com/mattermost/fleetgen/affected"
	"github.com/mattermost/fleetgen/explain"
	"github.com/mattermost/fleetgen/render/layout"
	"github.com/mattermost/fleetgen/render/outdir"
)

// Render renders the inventory and writes out/.
type Render struct {
	*Config
	// Force overwrites or deletes files fleetgen wrote that were edited
	// by hand since; a file fleetgen did not write is never touched.
	Force bool
	// Unfinished are, after Run, the environments set aside as unfinished:
	// not rendered, their folders of out/ left as they are.
	Unfinished []string
}

// Run renders and writes; nothing is written when the inventory has an
// error. out/ is locked once the inventory has loaded, and read while it
// renders (outdir.Prefetcher).
func (r *Render) Run() (*outdir.WriteReport, error) {
	inv, files, pre, err := r.renderAhead(true, nil, nil)
	if err != nil {
		return nil, err
	}
	r.Unfinished = inv.Unfinished
	if pre == nil && len(inv.Environments) == 0 {
		return &outdir.WriteReport{}, nil // every one unfinished: out/ stays as it is
	}
	defer pre.Close()
	return outdir.Write(r.OutDir, files, outdir.WriteOptions{Envs: r.outEnvs(inv), Force: r.Force, Prefetched: pre})
}

// Validate parses, validates and renders in memory, so what validates
// also renders. It writes nothing.
type Validate struct{ *Config }

// Run returns how many environments are valid, and the names of those set
// aside as unfinished.
func (v *Validate) Run() (valid int, unfinished []string, err error) {
	if n := v.validFromCache(); n > 0 {
		return n, nil, nil
	}
	inv, files, err := v.Load()
	if err != nil {
		return 0, nil, err
	}
	// Each environment's files are dropped once rendered and built: a
	// validation keeps none of them. An environment the cache holds a
	// render of rendered and built before, from the same inputs.
	drop := func([]layout.File) []layout.File { return nil }
	accept := &cacheUse{verify: func([]layout.File) bool { return true }} // nothing to compare: the cached render stands
	if _, err := v.renderEach(inv, files, drop, accept); err != nil {
		return 0, nil, err
	}
	return len(inv.Environments), inv.Unfinished, nil
}

// Check renders in memory and compares with out/. It writes nothing.
type Check struct {
	*Config
	// Keep, when set, keeps in the result the bytes of the files it names
	// (explaining against a git commit needs those the commit does not
	// hold as rendered: explain.GitBase.Changed), and the run uses no
	// render cache. Otherwise the bytes of files out/ holds as rendered
	// are let go as the check goes (layout.File.Sum).
	Keep func(path string, data []byte) bool
	// Scope, when set and not All, limits the render and the comparison
	// to its environments; the whole inventory still loads and validates
	// (a rule may span environments).
	Scope *Scope
	// ChangedSince, when set, is a git commit: Run sets Scope to
	// Config.ChangedSince of it (Dir: a folder of the repository, ""
	// for "."), found while the inventory loads.
	ChangedSince string
	Dir          string
}

// A CheckResult is a check's drift and the files it compared out/ with.
type CheckResult struct {
	Drift *outdir.Drift
	Files []layout.File
}

// Run renders and compares. out/ is locked once the inventory has loaded,
// and read while it renders (outdir.Prefetcher).
func (c *Check) Run() (*CheckResult, error) {
	var scope func() (*Scope, error)
	if c.Scope != nil {
		scope = func() (*Scope, error) { return c.Scope, nil }
	}
	if c.ChangedSince != "" {
		type found struct {
			scope Scope
			err   error
		}
		done := make(chan found, 1)
		go func() {
			s, err := c.Config.ChangedSince(context.Background(), cmp.Or(c.Dir, "."), c.ChangedSince)
			done <- found{s, err}
		}()
		scope = func() (*Scope, error) {
			f := <-done
			c.Scope = &f.scope
			return c.Scope, f.err
		}
	}
	inv, files, pre, err := c.renderAhead(false, c.Keep, scope)
	if err != nil {
		return nil, err
	}
	if pre == nil && len(inv.Environments) == 0 {
		return &CheckResult{Drift: &outdir.Drift{}}, nil // every one unfinished: nothing to compare
	}
	defer pre.Close()
	envs := c.outEnvs(inv)
	if c.Scope != nil && !c.Scope.All {
		// An unfinished environment's folder is left as it is, in a
		// scope too.
		envs = slices.DeleteFunc(slices.Clone(c.Scope.Envs), func(e string) bool { return slices.Contains(inv.Unfinished, e) })
		if envs == nil {
			envs = []string{} // none: nil would be every one
		}
	}
	drift, err := outdir.Check(c.OutDir, files, outdir.CheckOptions{Envs: envs, Prefetched: pre})
	if err != nil {
		return nil, err
	}
	return &CheckResult{Drift: drift, Files: files}, nil
}

// Explain says in words what the rendered inventory changes, compared
// with out/ on disk or, with Against, out/ at a git commit.
type Explain struct {
	*Config
	Against string // a git commit; "" for out/ on disk
	Dir     string // a folder of the git repository (Against); "" is "."
	// Base is out/ at Against, when the caller opened it before checking
	// (explain.OpenGitBase) to let go of the bytes of the files it holds
	// as rendered (Check.Keep).
	Base *explain.GitBase
}

// Run renders and explains.
func (e *Explain) Run(ctx context.Context) (*explain.Report, error) {
	files, err := e.LoadAndRender()
	if err != nil {
		return nil, err
	}
	return e.Of(ctx, files, nil)
}

// Of explains files already rendered. With no Against it compares with
// out/ on disk, through drift when the caller has checked already.
func (e *Explain) Of(ctx context.Context, files []layout.File, drift *outdir.Drift) (*explain.Report, error) {
	var trees explain.Trees
	var err error
	switch {
	case e.Base != nil:
		trees, err = e.Base.Trees(ctx, files, e.Envs)
	case e.Against != "":
		trees, err = explain.FromGit(ctx, e.gitDir(), e.OutDir, e.Against, files, e.Envs)
	default:
		if drift == nil {
			if drift, err = outdir.Check(e.OutDir, files, outdir.CheckOptions{Envs: e.Envs}); err != nil {
				return nil, err
			}
		}
		trees = explain.FromDrift(e.OutDir, drift, files, e.Envs)
	}
	if err != nil {
		return nil, err
	}
	return explain.Explain(trees), nil
}

// OpenBase opens out/ at Against for Base.
func (e *Explain) OpenBase(ctx context.Context) (*explain.GitBase, error) {
	return explain.OpenGitBase(ctx, e.gitDir(), e.OutDir, e.Against)
}

func (e *Explain) gitDir() string {
	if e.Dir == "" {
		return "."
	}
	return e.Dir
}

// Affected lists what must be applied between two commits of out/, from
// git alone: no inventory, no render.
type Affected struct {
	Dir    string // a folder of the git repository
	OutDir string
	Base   string
	Head   string
	Envs   []string
}

// Run reads both commits and compares them.
func (a *Affected) Run(ctx context.Context) (*affected.Report, error) {
	return affected.Compute(ctx, affected.Options{Dir: a.Dir, OutDir: a.OutDir, Base: a.Base, Head: a.Head, Envs: a.Envs})
}
