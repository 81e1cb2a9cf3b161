package workflows

import (
	"os"
	"testing"

	"github.com/mattermost/fleetgen/internal/rendercache"
)

// TestMain gives the fleetgen the tests build and run a render cache of
// their own, removed at the end, so they never write to the user's.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fleetgen-cache-")
	if err != nil {
		panic(err)
	}
	os.Setenv(rendercache.EnvVar, dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
