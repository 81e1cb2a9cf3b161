package action

import (
	"cmp"
	"crypto/sha256"
	"runtime"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/mattermost/fleetgen/internal/rendercache"
	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/layout"
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

// fromCache looks up each environment of inv, rendered with charts (the
// hydrated apps' archives), and takes those whose remembered files verify
// accepts.
func fromCache(cache *rendercache.Cache, inv *inventory.Inventory, charts map[*inventory.App][]byte, verify func([]layout.File) bool) *cachedRender {
	envs := inv.Environments
	keys := make([]rendercache.Key, len(envs))
	hits := make([][]layout.File, len(envs))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, env := range envs {
		g.Go(func() error {
			keys[i] = cache.Key(env, charts)
			if files, ok := cache.Get(keys[i]); ok && verify(files) {
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
		if hits[i] != nil {
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
		sum := f.Sum
		if data, whole := f.Content(); whole {
			s := sha256.Sum256(data)
			sum = &s
		}
		entry[i] = layout.File{Path: f.Path, Mode: f.Mode, Sum: sum}
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
