package inventory

import "github.com/hashicorp/hcl/v2"

// screenSecrets reports credential-looking text in src and returns src with
// each one masked, so no diagnostic can ever print it.
func screenSecrets(path string, src []byte) ([]byte, hcl.Diagnostics) {
	return src, nil // TODO(helper)
}
