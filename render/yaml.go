package render

import (
	"bytes"
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/mattermost/fleetgen/templates"
)

// marshalYAML emits v as a YAML document that starts with the generated-file
// header of env. Structs keep their field order (chosen on purpose, the
// order the consuming program documents); maps come out sorted by key, so
// the output is deterministic. Strings that would read as another type
// ("true", "1.0", "{job=…}") are quoted by yaml.v3, so inventory values land
// as data and never change the document's structure.
func marshalYAML(env string, v any) ([]byte, error) {
	var doc yaml.Node
	if err := doc.Encode(v); err != nil {
		return nil, err
	}
	doc.HeadComment = templates.Header(env)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("encoding YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
