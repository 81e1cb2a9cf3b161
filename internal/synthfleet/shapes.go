package synthfleet

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
)

// Small is a fleet of every kind of block that renders in well under a
// second: the default of the Go benchmarks and the size of the test of
// make bench.
var Small = Shape{Environments: 2, WorkloadClusters: 25, HAClusters: 4, MinNodes: 3, MaxNodes: 6}

// Shapes are the fleets the benchmarks know by name. "double" has twice
// the environments of the reference, and "small" twice those of
// "small-half", so each pair measures doubling.
var Shapes = map[string]Shape{
	"reference":  Reference,
	"double":     Reference.Scaled(2, 1),
	"small":      Small,
	"small-half": Small.Scaled(1, 2),
}

// Named is the shape of one of Shapes.
func Named(name string) (Shape, error) {
	s, ok := Shapes[name]
	if !ok {
		return Shape{}, fmt.Errorf("synthfleet: unknown fleet %q: use one of %s", name, strings.Join(ShapeNames(), ", "))
	}
	return s, nil
}

// ShapeNames are the names of Shapes, sorted.
func ShapeNames() []string {
	names := make([]string, 0, len(Shapes))
	for n := range Shapes {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// BenchShapeVar names the fleet of the Go benchmarks (docs/performance.md).
const BenchShapeVar = "FLEETGEN_BENCH_SHAPE"

// BenchShape is the fleet $FLEETGEN_BENCH_SHAPE names, small when it is
// unset, so a plain go test -bench run proves the benchmarks run in seconds.
func BenchShape() (string, Shape, error) {
	name := os.Getenv(BenchShapeVar)
	if name == "" {
		name = "small"
	}
	s, err := Named(name)
	return name, s, err
}

// benchFleet is the fleet of this process's benchmarks, written once.
var benchFleet struct {
	once sync.Once
	dir  string
	name string
	err  error
}

// BenchFleet writes the fleet BenchShape names into a temporary directory
// on its first call and returns that directory (holding environments/) and
// the fleet's name on every call, so the benchmarks of one test binary share
// one fleet. The binary's TestMain calls RemoveBenchFleet.
func BenchFleet() (dir, name string, err error) {
	benchFleet.once.Do(func() {
		var s Shape
		benchFleet.name, s, benchFleet.err = BenchShape()
		if benchFleet.err != nil {
			return
		}
		benchFleet.dir, benchFleet.err = os.MkdirTemp("", "fleetgen-bench-")
		if benchFleet.err == nil {
			benchFleet.err = Write(benchFleet.dir, s)
		}
	})
	return benchFleet.dir, benchFleet.name, benchFleet.err
}

// RemoveBenchFleet removes what BenchFleet wrote, if it wrote anything.
func RemoveBenchFleet() error {
	if benchFleet.dir == "" {
		return nil
	}
	return os.RemoveAll(benchFleet.dir)
}
