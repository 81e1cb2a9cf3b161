// Command synthfleet writes a synthetic inventory: the reference fleet of
// the benchmarks, or a fleet of the size its flags give.
//
//	go run ./tools/synthfleet -dir /tmp/fleet            # the reference fleet
//	go run ./tools/synthfleet -dir /tmp/half -half       # half its environments
package main

import (
	"flag"
	"fmt"
	"os"

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
	flag.Parse()
	if *dir == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
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
