package edit

import (
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/mattermost/fleetgen/inventory"
)

// The template names every attribute an environment block has, required
// ones set, optional ones in a comment: the model's hcl tags are the list,
// so an attribute added to the language and not to the template fails here.
func TestTemplateHasEveryAttribute(t *testing.T) {
	c, err := NewEnvironment("env", "staging", nil)
	if err != nil {
		t.Fatal(err)
	}
	text := string(c.Data)
	// A block commented out as a whole (federation, the apps) has its
	// required attributes in the comment too.
	var walk func(prefix string, typ reflect.Type, commented bool)
	walk = func(prefix string, typ reflect.Type, commented bool) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
		}
		for f := range typ.Fields() {
			name, kind, _ := strings.Cut(f.Tag.Get("hcl"), ",")
			switch kind {
			case "block":
				open := ` *` + name + ` ("[a-z-]+" )?\{`
				if !regexp.MustCompile(`(?m)^[ #]*` + open).MatchString(text) {
					t.Errorf("no %s block in the template", prefix+name)
				}
				walk(prefix+name+".", f.Type, commented || !regexp.MustCompile(`(?m)^`+open).MatchString(text))
			case "", "optional":
				if name == "" {
					continue
				}
				// Required: set on a line of its own; optional: maybe commented out.
				line := `(?m)^ *` + name + ` +=`
				if kind == "optional" || commented {
					line = `(?m)^ *(# *)?` + name + ` +=`
				}
				if !regexp.MustCompile(line).MatchString(text) {
					t.Errorf("the template lacks %s (%s)", prefix+name, map[string]string{"": "required", "optional": "optional"}[kind])
				}
			}
		}
	}
	walk("", reflect.TypeFor[inventory.Environment](), false)
}
