package emit

import (
	"bytes"
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/mattermost/fleetgen/templates"
)

// YAML emits v as a YAML document that starts with the generated-file
// header of env. Structs keep their field order (chosen on purpose, the
// order the consuming program documents); maps come out sorted by key, so
// the output is deterministic. Strings that would read as another type
// ("true", "1.0", "{job=…}") are quoted by yaml.v3, so inventory values land
// as data and never change the document's structure. The header is written
// as a comment line ahead of the encoder's output rather than as the head
// comment of a yaml.Node: Node.Encode emits the text and parses it back, which
// cost as much as the encoding itself (the test pins the two to the same bytes).
func YAML(env string, v any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("# " + templates.Header(env) + "\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encoding YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
