package action

import (
	"cmp"
	"runtime"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/mattermost/fleetgen/internal/rendercache"
	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/layout"
	"github.com/mattermost/fleetgen/render/outdir"
)

// cachedRender is one run's use of the render cache: the files of the
// environments it took from the cache (hits), the inventory of those left
// to render (rest), and what these render to, remembered once the run
// has found no problem. Its methods do nothing on a nil cachedRender: a
// run without a cache.
type cachedRender struct {
	cache *rendercache.Cache
	rest  *inventory.Inventory
	hits  []layout.File
	keys  map[string]rendercache.Key // of the environments of rest, by name

	mu      sync.Mutex
	entries map[string][]layout.File // what each environment of rest rendered to, bytes hashed
}

// A cacheUse is how a run takes environments from the cache.
type cacheUse struct {
	// verify reports whether out/ holds an environment's remembered
	// files (Prefetcher.Verify), or accepts them (a validation).
	verify func(files []layout.File) bool
	// seen are the environments a look at out/ before the load found
	// (fromCacheAlone), by folder: the files out/ holds as remembered,
	// or none. They are not looked at again.
	seen map[string][]layout.File
}

// fromCache looks up each environment of inv, rendered with charts (the
// hydrated apps' archives), and takes those whose remembered files use
// finds in out/.
func fromCache(cache *rendercache.Cache, inv *inventory.Inventory, charts map[*inventory.App][]byte, use *cacheUse) *cachedRender {
	envs := inv.Environments
	keys := make([]rendercache.Key, len(envs))
	hits := make([][]layout.File, len(envs))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, env := range envs {
		g.Go(func() error {
			keys[i] = cache.Key(env, charts)
			if files, ok := use.seen[env.Dir]; ok {
				hits[i] = files
			} else if files, ok := cache.Get(keys[i]); ok && use.verify(files) {
				hits[i] = files
			}
			return nil
		})
	}
	g.Wait()
	c := &cachedRender{
		cache:   cache,
		rest:    &inventory.Inventory{Unfinished: inv.Unfinished},
		keys:    map[string]rendercache.Key{},
		entries: map[string][]layout.File{},
	}
	for i, env := range envs {
		if len(hits[i]) > 0 {
			c.hits = append(c.hits, hits[i]...)
			continue
		}
		c.rest.Environments = append(c.rest.Environments, env)
		c.keys[env.Name] = keys[i]
	}
	return c
}

// rendered notes the files of one environment of rest, rendered and
// built, as the cache remembers them: path, mode and SHA-256.
func (c *cachedRender) rendered(env []layout.File) {
	if c == nil || len(env) == 0 {
		return
	}
	name, _, _ := strings.Cut(env[0].Path, "/")
	entry := make([]layout.File, len(env))
	for i, f := range env {
		sum := f.SHA256()
		entry[i] = layout.File{Path: f.Path, Mode: f.Mode, Sum: &sum}
	}
	c.mu.Lock()
	c.entries[name] = entry
	c.mu.Unlock()
}

// store remembers every environment rendered. A cache that cannot be
// written only makes the next run render again.
func (c *cachedRender) store() {
	if c == nil || len(c.entries) == 0 {
		return
	}
	for name, files := range c.entries {
		if key, ok := c.keys[name]; ok {
			_ = c.cache.Put(key, files)
		}
	}
	c.cache.Trim()
}

// merge adds the files taken from the cache to out, the files rendered,
// keeping them sorted by path.
func (c *cachedRender) merge(out []layout.File) []layout.File {
	if c == nil || len(c.hits) == 0 {
		return out
	}
	all := slices.Concat(out, c.hits)
	slices.SortFunc(all, func(a, b layout.File) int { return cmp.Compare(a.Path, b.Path) })
	return all
}

// fromCacheAlone serves a check or a render from the cache alone: when the
// cache recorded a clean load of exactly the inventory files there are now
// (cleanLoad) and out/ holds, for every environment, the files of its
// remembered render, these are the run's files, and nothing is parsed or
// rendered. Otherwise it returns no files and, when it got as far as
// reading out/, the Prefetcher it locked and what it found for each
// environment folder (cacheUse.seen), for the load and render that follow
// to go on with.
func (c *Config) fromCacheAlone(write bool) ([]layout.File, *outdir.Prefetcher, map[string][]layout.File, error) {
	digests, ok := c.cleanLoad()
	if !ok {
		return nil, nil, nil, nil
	}
	pre, err := outdir.Prefetch(c.OutDir, write)
	if err != nil || pre == nil {
		return nil, nil, nil, err
	}
	found := make([][]layout.File, len(digests))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, d := range digests {
		g.Go(func() error {
			if files, ok := c.Cache.Get(c.Cache.DigestKey(d.Digest)); ok && pre.Verify(files) {
				found[i] = files
			}
			return nil
		})
	}
	g.Wait()
	seen := make(map[string][]layout.File, len(digests))
	for i, d := range digests {
		seen[d.Dir] = found[i]
	}
	if slices.ContainsFunc(found, func(f []layout.File) bool { return f == nil }) {
		return nil, pre, seen, nil
	}
	files := slices.Concat(found...)
	slices.SortFunc(files, func(a, b layout.File) int { return cmp.Compare(a.Path, b.Path) })
	return files, pre, nil, nil
}

// validFromCache is how many environments a validation finds valid when
// the cache holds the whole of it: a clean load of exactly the inventory
// files there are now (cleanLoad), and a render of each environment. It
// is 0 when the cache does not.
func (c *Config) validFromCache() int {
	digests, ok := c.cleanLoad()
	if !ok {
		return 0
	}
	for _, d := range digests {
		if _, ok := c.Cache.Get(c.Cache.DigestKey(d.Digest)); !ok {
			return 0
		}
	}
	return len(digests)
}

// cleanLoad reads the inventory files a load would read, without parsing
// them, and reports whether the cache recorded a clean load of exactly
// them (loadWasClean), giving their digests.
func (c *Config) cleanLoad() ([]inventory.EnvironmentDigest, bool) {
	if c.Cache == nil {
		return nil, false
	}
	digests, diags := inventory.Digests(Relative(c.InventoryDir), c.Envs...)
	if len(diags) > 0 || len(digests) == 0 {
		return nil, false
	}
	return digests, c.Cache.WasClean(c.Cache.LoadKey(digests, c.Envs))
}

// loadWasClean records, after a load of inv without any diagnostic, that
// a load of these files finds nothing to say, so that the next run with
// the same files may skip it (cleanLoad). A hydrated environment's render
// also reads chart archives, which a load does not: such an inventory is
// not recorded, and always loads.
func (c *Config) loadWasClean(inv *inventory.Inventory) {
	if c.Cache == nil || len(inv.Unfinished) > 0 || len(inv.Environments) == 0 {
		return
	}
	digests := make([]inventory.EnvironmentDigest, len(inv.Environments))
	for i, e := range inv.Environments {
		if e.GitOps.Hydrate {
			return
		}
		digests[i] = inventory.EnvironmentDigest{Dir: e.Dir, Digest: e.Digest}
	}
	_ = c.Cache.Clean(c.Cache.LoadKey(digests, c.Envs))
}
