package prsummary

import (
	"encoding/json"
	"fmt"
	"slices"
)

// A Plan is what one `terraform plan` will do, read from `terraform show
// -json` of the saved plan.
type Plan struct {
	Add, Change, Destroy int
	// Actions lists each resource that changes, "create aws_eks_cluster.x".
	Actions []string
	// Unavailable, when set, says why there is no plan; the counts are zero.
	Unavailable string
}

// planJSON is the part of Terraform's JSON plan format this reads
// (format_version 1.x; OpenTofu writes the same).
type planJSON struct {
	FormatVersion   string `json:"format_version"`
	ResourceChanges []struct {
		Address string `json:"address"`
		Change  struct {
			Actions []string `json:"actions"`
		} `json:"change"`
	} `json:"resource_changes"`
}

// ReadPlan counts a JSON plan's changes as `terraform plan` does in its
// "Plan: N to add, N to change, N to destroy." line: a replacement counts
// as one to add and one to destroy; reads and no-ops count nothing.
func ReadPlan(data []byte) (Plan, error) {
	var pj planJSON
	if err := json.Unmarshal(data, &pj); err != nil {
		return Plan{}, fmt.Errorf("not a JSON plan (terraform show -json): %w", err)
	}
	if pj.FormatVersion == "" {
		return Plan{}, fmt.Errorf("not a JSON plan (terraform show -json): no format_version")
	}
	var p Plan
	for _, rc := range pj.ResourceChanges {
		a := rc.Change.Actions
		var verb string
		switch {
		case slices.Equal(a, []string{"create"}):
			p.Add, verb = p.Add+1, "create"
		case slices.Equal(a, []string{"update"}):
			p.Change, verb = p.Change+1, "update"
		case slices.Equal(a, []string{"delete"}):
			p.Destroy, verb = p.Destroy+1, "destroy"
		case slices.Equal(a, []string{"delete", "create"}), slices.Equal(a, []string{"create", "delete"}):
			p.Add, p.Destroy, verb = p.Add+1, p.Destroy+1, "replace"
		default: // no-op, read
			continue
		}
		p.Actions = append(p.Actions, verb+" "+rc.Address)
	}
	slices.Sort(p.Actions)
	return p, nil
}

func (p Plan) String() string {
	if p.Unavailable != "" {
		return "plan not available: " + p.Unavailable
	}
	return fmt.Sprintf("%d to add, %d to change, %d to destroy", p.Add, p.Change, p.Destroy)
}
