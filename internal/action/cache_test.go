package action

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/mattermost/fleetgen/internal/rendercache"
	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/layout"
)

func testCache(t *testing.T) *rendercache.Cache {
	t.Helper()
	c, err := rendercache.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// cachedEnv renders inv into a fresh out/ with a cache, and returns the
// config, the environment env as loaded, and its cache key.
func cachedEnv(t *testing.T, inv, env string) (*Config, *inventory.Environment, rendercache.Key) {
	t.Helper()
	c := &Config{InventoryDir: inv, OutDir: filepath.Join(t.TempDir(), "out"), ChartsDir: "../../charts", Cache: testCache(t)}
	if _, err := (&Render{Config: c}).Run(); err != nil {
		t.Fatalf("render: %v", err)
	}
	loaded, _, err := c.Load()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(loaded.Environments, func(e *inventory.Environment) bool { return e.Name == env })
	if i < 0 {
		t.Fatalf("no environment %q", env)
	}
	e := loaded.Environments[i]
	if e.GitOps.Hydrate {
		t.Fatalf("%s is hydrated: its key needs its chart archives", env)
	}
	return c, e, c.Cache.Key(e, nil)
}

// TestCacheHitRendersNothing proves a hit is taken instead of a render: a
// file of out/ is edited and the cache entry forged to match it; check
// then finds the file as it should be, which only a check that did not
// render can say, and one without the cache reports the edit. This is
// why the cache lives outside the repository, where no change under
// review can reach it.
func TestCacheHitRendersNothing(t *testing.T) {
	c, env, key := cachedEnv(t, "../../environments", "dev")
	entry, ok := c.Cache.Get(key)
	if !ok {
		t.Fatal("the render left no cache entry for dev")
	}
	rel := entry[0].Path
	forged := []byte("edited, and the cache entry forged to match\n")
	if err := os.WriteFile(filepath.Join(c.OutDir, filepath.FromSlash(rel)), forged, entry[0].Mode); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(forged)
	entry[0].Sum = &sum
	if err := c.Cache.Put(key, entry); err != nil {
		t.Fatal(err)
	}

	// Only the manifest differs: it still holds the SHA-256 of what the
	// render wrote, and the check, taking the file as the entry says,
	// would record the edited one.
	res, err := (&Check{Config: c}).Run()
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Drift.Files(); len(got) != 1 || got[0].Path != layout.ManifestName {
		t.Fatalf("check with the forged entry of %s: %+v, want the manifest alone", env.Name, got)
	}
	uncached := *c
	uncached.Cache = nil
	res, err = (&Check{Config: &uncached}).Run()
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Drift.Files(); len(got) != 1 || got[0].Path != rel {
		t.Fatalf("check without the cache: %+v, want the edit of %s", got, rel)
	}
}

// TestCacheMissesOnAnyChange: a change of the inventory, a file of out/
// changed, removed or with another mode: each makes the environment
// render again, so check reports exactly what a check without the cache
// reports.
func TestCacheMissesOnAnyChange(t *testing.T) {
	inv := copyExamples(t)
	c, env, key := cachedEnv(t, inv, "prod")
	entry, ok := c.Cache.Get(key)
	if !ok {
		t.Fatal("no cache entry for prod")
	}
	name := func(f layout.File) string { return filepath.Join(c.OutDir, filepath.FromSlash(f.Path)) }
	check := func(t *testing.T) []string {
		t.Helper()
		res, err := (&Check{Config: c}).Run()
		if err != nil {
			t.Fatal(err)
		}
		var paths []string
		for _, f := range res.Drift.Files() {
			paths = append(paths, f.Path)
		}
		return paths
	}
	if got := check(t); len(got) != 0 {
		t.Fatalf("a fresh render drifts: %v", got)
	}

	t.Run("mode", func(t *testing.T) {
		f := entry[1]
		if err := os.Chmod(name(f), 0o600); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(name(f), f.Mode)
		if got := check(t); !slices.Equal(got, []string{f.Path}) {
			t.Errorf("drift %v, want %s", got, f.Path)
		}
	})
	t.Run("removed", func(t *testing.T) {
		f := entry[2]
		data, err := os.ReadFile(name(f))
		if err != nil {
			t.Fatal(err)
		}
		os.Remove(name(f))
		defer os.WriteFile(name(f), data, f.Mode)
		if got := check(t); !slices.Equal(got, []string{f.Path}) {
			t.Errorf("drift %v, want %s", got, f.Path)
		}
	})
	t.Run("inventory", func(t *testing.T) {
		if got := check(t); len(got) != 0 {
			t.Fatalf("the subtests before left drift: %v", got)
		}
		file := filepath.Join(inv, "prod", "environment.hcl")
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		// A comment changes the environment's files, not its render:
		// the key changes, the render is the same, and the new key is
		// remembered.
		if err := os.WriteFile(file, append(data, "# a comment\n"...), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := check(t); len(got) != 0 {
			t.Fatalf("a comment drifts: %v", got)
		}
		loaded, _, err := c.Load()
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(loaded.Environments, func(e *inventory.Environment) bool { return e.Name == env.Name })
		if newKey := c.Cache.Key(loaded.Environments[i], nil); newKey == key {
			t.Fatal("the key did not change with the file")
		} else if _, ok := c.Cache.Get(newKey); !ok {
			t.Error("the check did not remember the render of the new key")
		}
		// A real change is rendered, not taken from the cache.
		replaceIn(t, file, "region     = \"us-east-1\"", "region     = \"us-west-2\"")
		if got := check(t); len(got) == 0 {
			t.Error("a changed region checks clean")
		}
	})
}

// onlyDev is a config of the examples' dev environment alone (the
// sandbox is hydrated: an inventory with it always loads), with a cache,
// rendered into a fresh out/.
func onlyDev(t *testing.T, inv string) *Config {
	t.Helper()
	return renderedWithCache(t, inv, "dev")
}

// renderedWithCache is a config of the examples' environments envs, with
// a cache, rendered into a fresh out/.
func renderedWithCache(t *testing.T, inv string, envs ...string) *Config {
	t.Helper()
	c := &Config{InventoryDir: inv, OutDir: filepath.Join(t.TempDir(), "out"), ChartsDir: "../../charts", Envs: envs, Cache: testCache(t)}
	if _, err := (&Render{Config: c}).Run(); err != nil {
		t.Fatalf("render: %v", err)
	}
	return c
}

// TestCleanLoadIsRememberedWithoutHydration: a load without any
// diagnostic is remembered, unless an environment is hydrated (its render
// reads chart archives a load does not).
func TestCleanLoadIsRememberedWithoutHydration(t *testing.T) {
	c := onlyDev(t, "../../environments")
	if _, ok := c.cleanLoad(); !ok {
		t.Error("the clean load of dev was not remembered")
	}
	all := *c
	all.Envs = nil
	if _, err := all.LoadAndRender(); err != nil {
		t.Fatal(err)
	}
	if _, ok := all.cleanLoad(); ok {
		t.Error("the load of the examples, with the hydrated sandbox, was remembered")
	}
}

// TestCacheAloneParsesNothing proves a run the cache holds whole neither
// parses nor validates: an inventory error is made, and the cache forged
// to say its load was clean and to give each environment's render; check
// and validate then find nothing wrong, and a run without the cache
// reports the error.
func TestCacheAloneParsesNothing(t *testing.T) {
	inv := copyExamples(t)
	c := onlyDev(t, inv)
	digests, _ := inventory.Digests(Relative(inv), "dev")
	entry, ok := c.Cache.Get(c.Cache.DigestKey(digests[0].Digest))
	if !ok {
		t.Fatal("no entry for dev")
	}
	replaceIn(t, filepath.Join(inv, "dev", "environment.hcl"), "region     = \"us-east-1\"", "region     = \"us-east-0\"")
	digests, _ = inventory.Digests(Relative(inv), "dev")
	if err := c.Cache.Clean(c.Cache.LoadKey(digests, c.Envs)); err != nil {
		t.Fatal(err)
	}
	if err := c.Cache.Put(c.Cache.DigestKey(digests[0].Digest), entry); err != nil {
		t.Fatal(err)
	}

	if res, err := (&Check{Config: c}).Run(); err != nil || !res.Drift.Clean() {
		t.Fatalf("check with the forged cache: %v, %+v", err, res)
	}
	if n, _, err := (&Validate{c}).Run(); err != nil || n != 1 {
		t.Fatalf("validate with the forged cache: %d, %v", n, err)
	}
	uncached := *c
	uncached.Cache = nil
	if _, err := (&Check{Config: &uncached}).Run(); err != ErrReported {
		t.Fatalf("check without the cache: %v, want the region reported", err)
	}
}

// TestCacheAloneFallsBackOnAnEdit: with the load remembered and a file
// of dev's out/ edited, check goes on to load and render dev, takes prod
// as its first look at out/ found it, and reports the edit, and an
// unowned file in prod, once each, as without the cache.
func TestCacheAloneFallsBackOnAnEdit(t *testing.T) {
	for _, cached := range []bool{true, false} {
		t.Run(map[bool]string{true: "render cache", false: "no cache"}[cached], func(t *testing.T) {
			c := renderedWithCache(t, "../../environments", "dev", "prod")
			if _, ok := c.cleanLoad(); !ok {
				t.Fatal("the clean load of dev and prod was not remembered")
			}
			if !cached {
				c.Cache = nil
			}
			readme := filepath.Join(c.OutDir, "dev", "README.md")
			if err := os.WriteFile(readme, []byte("edited\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			stray := filepath.Join(c.OutDir, "prod", "argocd", "stray.yaml")
			if err := os.WriteFile(stray, []byte("kind: Stray\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			res, err := (&Check{Config: c}).Run()
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Drift.Files(); len(got) != 1 || got[0].Path != "dev/README.md" {
				t.Errorf("drift %+v, want dev/README.md", got)
			}
			if !slices.Equal(res.Drift.Unowned, []string{"prod/argocd/stray.yaml"}) {
				t.Errorf("unowned %v, want prod/argocd/stray.yaml once", res.Drift.Unowned)
			}
			r, err := (&Render{Config: c, Force: true}).Run()
			if err != nil || !slices.Equal(r.Written, []string{"dev/README.md"}) {
				t.Fatalf("render --force: %v, %+v", err, r)
			}
			if res, err := (&Check{Config: c}).Run(); err != nil || !res.Drift.Clean() {
				t.Fatalf("check after render: %v, %+v", err, res)
			}
		})
	}
}
