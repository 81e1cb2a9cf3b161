package upstream

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"helm.sh/helm/v3/pkg/chartutil"
)

// MergeValues merges override over a chart's defaults as Helm does
// (chartutil.CoalesceTables: override wins, a null removes a default),
// leaving both arguments untouched.
func MergeValues(defaults, override map[string]any) (map[string]any, error) {
	d, err := jsonCopy(defaults)
	if err != nil {
		return nil, err
	}
	o, err := jsonCopy(override)
	if err != nil {
		return nil, err
	}
	return chartutil.CoalesceTables(o.(map[string]any), d.(map[string]any)), nil
}

// ValidateValues validates values (merged with the chart's defaults
// already) against the chart's values.schema.json; a chart without a
// schema accepts anything, as Helm does.
func (c *Chart) ValidateValues(values map[string]any) error {
	if c.Schema == nil {
		return nil
	}
	return validate(c.Dir+"/values.schema.json", c.Schema, values)
}

// Validate validates obj against c's openAPIV3Schema of the version in
// obj's apiVersion. The x-kubernetes-* extensions are not JSON schema
// keywords, so they are ignored, as a draft-7 validator does.
func (c *CRD) Validate(obj map[string]any) error {
	apiVersion, _ := obj["apiVersion"].(string)
	_, version, _ := strings.Cut(apiVersion, "/")
	schema, ok := c.Schemas[version]
	if !ok {
		return fmt.Errorf("%s serves no version %q", c.Name, version)
	}
	if err := validate(c.Source+"/"+c.Name+"/"+version, schema, obj); err != nil {
		return err
	}
	if c.Newer != nil {
		return c.Newer.Validate(obj)
	}
	return nil
}

// validate validates doc against schema, offline: every $ref to another
// document (an online one: nginx-ingress refers to Kubernetes' definitions
// on raw.githubusercontent.com) is dropped, which leaves that part of the
// document unchecked rather than sending a test to the network.
func validate(name string, schema any, doc any) error {
	s, err := jsonCopy(schema)
	if err != nil {
		return err
	}
	dropRemoteRefs(s)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	url := "mem:///" + name
	if err := c.AddResource(url, s); err != nil {
		return err
	}
	compiled, err := c.Compile(url)
	if err != nil {
		return fmt.Errorf("compiling %s: %w", name, err)
	}
	inst, err := jsonCopy(doc)
	if err != nil {
		return err
	}
	return compiled.Validate(inst)
}

// dropRemoteRefs removes every $ref that does not point inside the schema.
func dropRemoteRefs(v any) {
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok && !strings.HasPrefix(ref, "#") {
			delete(v, "$ref")
		}
		for k := range v {
			dropRemoteRefs(v[k])
		}
	case []any:
		for _, e := range v {
			dropRemoteRefs(e)
		}
	}
}

// jsonCopy is v decoded from its JSON encoding: a deep copy made of the
// types the JSON schema validator expects.
func jsonCopy(v any) (any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return unmarshalJSON(data)
}

func unmarshalJSON(data []byte) (any, error) {
	return jsonschema.UnmarshalJSON(bytes.NewReader(data))
}
