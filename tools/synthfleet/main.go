// Command synthfleet writes a synthetic inventory: the reference fleet of
// the benchmarks, or a fleet of the size its flags give.
//
//	go run ./tools/synthfleet -dir /tmp/fleet            # the reference fleet (10 environments)
//	go run ./tools/synthfleet -dir /tmp/half -half       # half its environments
//	go run ./tools/synthfleet -dir /tmp/s -shape small   # a fleet of synthfleet.Shapes
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/mattermost/fleetgen/internal/synthfleet"
)

func main() {
	s := synthfleet.Reference
	dir := flag.String("dir", "", "repository to write environments/ into (required; environments/ must not exist)")
	flag.IntVar(&s.Environments, "envs", s.Environments, "environments")
	flag.IntVar(&s.WorkloadClusters, "workload-clusters", s.WorkloadClusters, "workload clusters per environment")
	flag.IntVar(&s.HAClusters, "ha-clusters", s.HAClusters, "HA clusters per environment")
	flag.IntVar(&s.MinNodes, "min-nodes", s.MinNodes, "nodes of the smallest HA cluster")
	flag.IntVar(&s.MaxNodes, "max-nodes", s.MaxNodes, "nodes of the largest HA cluster")
	half := flag.Bool("half", false, "halve the number of environments")
	shape := flag.String("shape", "", "start from this named fleet instead of the reference: "+strings.Join(synthfleet.ShapeNames(), ", "))
	flag.Parse()
	if *dir == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if *shape != "" {
		named, err := synthfleet.Named(*shape)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		// Flags given explicitly still override the named shape.
		flag.Visit(func(f *flag.Flag) {
			switch f.Name {
			case "envs":
				named.Environments = s.Environments
			case "workload-clusters":
				named.WorkloadClusters = s.WorkloadClusters
			case "ha-clusters":
				named.HAClusters = s.HAClusters
			case "min-nodes":
				named.MinNodes = s.MinNodes
			case "max-nodes":
				named.MaxNodes = s.MaxNodes
			}
		})
		s = named
	}
	if *half {
		s = s.Scaled(1, 2)
	}
	if err := synthfleet.Write(*dir, s); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(s)
}
