// Package parallel runs independent jobs on every core: the renderers of
// each environment and the hashing of the ownership manifest.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Do calls do(0), …, do(n-1), at most GOMAXPROCS at a time, and returns
// when all have returned. A free goroutine takes the next job in index
// order.
func Do(n int, do func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(n, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				do(i)
			}
		})
	}
	wg.Wait()
}
