package action

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"

	"github.com/mattermost/fleetgen/internal/charts"
	"github.com/mattermost/fleetgen/internal/rendercache"
	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render"
	"github.com/mattermost/fleetgen/render/layout"
	"github.com/mattermost/fleetgen/render/outdir"
)

// ErrReported is returned when a run stops on diagnostics that have
// already gone to Config.Report: there is nothing more to say.
var ErrReported = errors.New("the inventory has errors")

// Config is what every action shares.
type Config struct {
	InventoryDir string   // one sub-folder of .hcl files per environment
	OutDir       string   // the rendered tree
	ChartsDir    string   // chart cache of hydrated environments
	Envs         []string // only these environments; nil: all
	Strict       bool     // warnings are errors
	// Cache remembers what each environment rendered to, by everything
	// the render is a function of (package rendercache), so a check or
	// render of an unchanged environment whose out/ is as rendered reads
	// out/ and renders nothing. Nil: every environment renders.
	Cache *rendercache.Cache
	// Report receives every diagnostic of a run, warnings included, with
	// the inventory's sources to quote them from. Nil drops them.
	Report func(inventory.Files, hcl.Diagnostics)
}

// Load reads and validates the inventory. It returns ErrReported when the
// inventory has errors.
func (c *Config) Load() (*inventory.Inventory, inventory.Files, error) {
	inv, files, diags := inventory.Load(Relative(c.InventoryDir), c.Envs...)
	diags = c.strict(diags)
	c.report(files, diags)
	if inv == nil || diags.HasErrors() {
		return nil, files, ErrReported
	}
	if len(diags) == 0 {
		c.loadWasClean(inv)
	}
	return inv, files, nil
}

// outEnvs are the environments of out/ a write or a check covers: those
// asked for, or every one, except that an unfinished environment (set
// aside by the load, see inventory.UnfinishedSummary) keeps its folder of
// out/ as it is: neither pruned nor compared.
func (c *Config) outEnvs(inv *inventory.Inventory) []string {
	if len(c.Envs) > 0 || len(inv.Unfinished) == 0 {
		return c.Envs
	}
	envs := []string{}
	for _, e := range inv.Environments {
		envs = append(envs, e.Name)
	}
	return envs
}

// LoadAndRender loads the inventory and renders it in memory: what
// render, check, validate and explain start with.
func (c *Config) LoadAndRender() ([]layout.File, error) {
	inv, files, err := c.Load()
	if err != nil {
		return nil, err
	}
	return c.Render(inv, files)
}

// renderAhead is LoadAndRender for a Write (write) or a Check: once the
// inventory has loaded, it locks out/ and reads each environment's part of
// it while the others render (outdir.Prefetcher). The caller passes the
// Prefetcher (nil when out/ does not exist yet) to the Write or Check, then
// closes it. When every environment is unfinished it returns no files and
// no Prefetcher: there is nothing to write or compare.
//
// When the cache holds the whole run (fromCacheAlone), the inventory is
// neither loaded nor rendered: the Inventory it returns is empty, a load
// that set nothing aside. With scopeOf (nil: none), called once the
// inventory has loaded, only the environments of the scope it gives (nil,
// or All: every one) render, and the Inventory returned holds only them.
func (c *Config) renderAhead(write bool, keep func(path string, data []byte) bool, scopeOf func() (*Scope, error)) (*inventory.Inventory, []layout.File, *outdir.Prefetcher, error) {
	var pre *outdir.Prefetcher
	var seen map[string][]layout.File
	if keep == nil && scopeOf == nil {
		var files []layout.File
		var err error
		if files, pre, seen, err = c.fromCacheAlone(write); err != nil {
			return nil, nil, nil, err
		}
		if files != nil {
			return &inventory.Inventory{}, files, pre, nil
		}
	}
	inv, srcs, err := c.Load()
	if err != nil {
		pre.Close()
		return nil, nil, nil, err
	}
	if len(inv.Environments) == 0 && len(inv.Unfinished) > 0 {
		pre.Close()
		return inv, nil, nil, nil // every one unfinished: out/ is not touched
	}
	var scope *Scope
	if scopeOf != nil {
		if scope, err = scopeOf(); err != nil {
			pre.Close()
			return nil, nil, nil, err
		}
	}
	if scope != nil && !scope.All {
		in := *inv
		in.Environments = slices.DeleteFunc(slices.Clone(inv.Environments), func(e *inventory.Environment) bool { return !slices.Contains(scope.Envs, e.Name) })
		inv = &in
	}
	if pre == nil {
		if pre, err = outdir.Prefetch(c.OutDir, write); err != nil {
			return nil, nil, nil, err
		}
	}
	use := &cacheUse{verify: pre.Verify, seen: seen}
	if keep != nil {
		pre.Keep(keep)
		use = nil // the caller needs bytes a cache does not hold
	}
	files, err := c.renderEach(inv, srcs, pre.Add, use)
	if err != nil {
		pre.Close()
		return nil, nil, nil, err
	}
	return inv, files, pre, nil
}

// Render renders a loaded inventory in memory; files are its sources, to
// quote in diagnostics. The charts of hydrated environments come from the
// chart cache, verified against its lock; a missing or altered chart is a
// diagnostic at its app. Every problem the renderers find is reported at
// once. Every rendered kustomization is then built with kustomize, so
// render, check and validate all fail on one Argo CD could not sync.
func (c *Config) Render(inv *inventory.Inventory, files inventory.Files) ([]layout.File, error) {
	return c.renderEach(inv, files, nil, nil)
}

// renderEach is Render, giving each environment's files to rendered (nil:
// none) as soon as they are rendered and its kustomizations built, and
// keeping what rendered gives back (render.Options.Rendered). With a
// Cache and use (nil: no cache), an environment the cache holds a render
// of, which use finds out/ to hold as it is (or, for a validation,
// accepts as it is), is not rendered: its files come back with their Sum
// and no bytes.
func (c *Config) renderEach(inv *inventory.Inventory, files inventory.Files, rendered func([]layout.File) []layout.File, use *cacheUse) ([]layout.File, error) {
	var opts render.Options
	if apps := inv.HydratedApps(); len(apps) > 0 {
		cache, err := charts.Open(Relative(c.ChartsDir))
		if err != nil {
			return nil, err
		}
		archives, diags, err := cache.LoadApps(apps)
		if err != nil {
			return nil, err
		}
		if diags.HasErrors() {
			c.report(files, diags)
			return nil, ErrReported
		}
		opts.Charts = archives
	}
	var cached *cachedRender
	if c.Cache != nil && rendered != nil && use != nil {
		cached = fromCache(c.Cache, inv, opts.Charts, use)
		inv = cached.rest
	}
	var mu sync.Mutex
	var kustomizeErrs []error
	if rendered != nil {
		// Each environment's kustomizations are built before rendered may
		// let their bytes go: a kustomization never reaches outside its
		// folder (kustomize's load restrictions).
		opts.Rendered = func(env []layout.File) []layout.File {
			if err := render.BuildKustomizations(env); err != nil {
				mu.Lock()
				kustomizeErrs = append(kustomizeErrs, err)
				mu.Unlock()
				return env
			}
			cached.rendered(env)
			return rendered(env)
		}
	}
	out, diags := render.Render(inv, opts)
	diags = c.strict(diags)
	c.report(files, diags)
	if diags.HasErrors() {
		return nil, ErrReported
	}
	err := render.BuildKustomizations(out)
	if rendered != nil {
		err = firstKustomizeError(kustomizeErrs)
	}
	if err != nil {
		var kerr *render.KustomizeError
		if errors.As(err, &kerr) {
			kerr.Path = filepath.ToSlash(filepath.Join(c.OutDir, kerr.Path))
		}
		return nil, err
	}
	if len(diags) == 0 {
		// A render with warnings is not remembered: a hit would not
		// repeat them.
		cached.store()
	}
	return cached.merge(out), nil
}

func (c *Config) report(files inventory.Files, diags hcl.Diagnostics) {
	if c.Report != nil && len(diags) > 0 {
		c.Report(files, diags)
	}
}

// strict makes warnings errors when the run asks for it.
func (c *Config) strict(diags hcl.Diagnostics) hcl.Diagnostics {
	if !c.Strict {
		return diags
	}
	return PromoteWarnings(diags)
}

// PromoteWarnings implements --strict: every warning becomes an error.
func PromoteWarnings(diags hcl.Diagnostics) hcl.Diagnostics {
	out := make(hcl.Diagnostics, len(diags))
	for i, d := range diags {
		p := *d
		if p.Severity == hcl.DiagWarning {
			p.Severity = hcl.DiagError
		}
		out[i] = &p
	}
	return out
}

// Relative makes dir relative to the working directory when it is inside
// it, so diagnostics and goldens do not depend on where the repository is.
func Relative(dir string) string {
	if !filepath.IsAbs(dir) {
		return filepath.Clean(dir)
	}
	wd, err := os.Getwd()
	if err != nil {
		return dir
	}
	rel, err := filepath.Rel(wd, dir)
	if err != nil || !filepath.IsLocal(rel) {
		return dir
	}
	return rel
}

// firstKustomizeError is the error of errs, each of one environment's
// kustomizations, that BuildKustomizations of every environment at once
// would have returned: the first by path.
func firstKustomizeError(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return slices.MinFunc(errs, func(a, b error) int {
		var ka, kb *render.KustomizeError
		if errors.As(a, &ka) && errors.As(b, &kb) {
			return strings.Compare(ka.Path, kb.Path)
		}
		return strings.Compare(a.Error(), b.Error())
	})
}
