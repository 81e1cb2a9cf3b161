package inventory

import "github.com/hashicorp/hcl/v2"

// validate checks every rule of the contract on a decoded, defaulted
// inventory and returns all problems found.
func validate(inv *Inventory) hcl.Diagnostics {
	return nil // TODO(helper): every rule of inventory.md
}
