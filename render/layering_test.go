package render

import (
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// families are the renderer packages under render/, one per output
// family: pure functions of the inventory that import no sibling.
var families = []string{"argocd", "ha", "helm", "hydrate", "prometheus", "registration", "terraform"}

const module = "github.com/mattermost/fleetgen/"

// importsOf lists the imports of the non-test Go files of dir.
func importsOf(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var imports []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, spec := range f.Imports {
			p, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				t.Fatal(err)
			}
			imports = append(imports, p)
		}
	}
	return imports
}

// TestFamiliesImportNoSibling keeps the families apart: what two of them
// share goes to render/internal, where each file goes to render/layout,
// and nothing of a family touches the disk (render/outdir).
func TestFamiliesImportNoSibling(t *testing.T) {
	for _, family := range families {
		for _, imp := range importsOf(t, family) {
			rel, ours := strings.CutPrefix(imp, module)
			if !ours {
				continue
			}
			sibling, isRender := strings.CutPrefix(rel, "render/")
			switch {
			case rel == "render" || (isRender && slices.Contains(families, sibling)):
				t.Errorf("render/%s imports %s: a family imports no sibling and not the orchestrator", family, rel)
			case rel == "render/outdir" || rel == "internal/action":
				t.Errorf("render/%s imports %s: a family never touches out/", family, rel)
			}
		}
	}
}

// TestReadersDoNotPullTheRenderers: affected and explain read out/ (git,
// the layout, the known_hosts reader) and must not carry Helm's or
// Kubernetes' code, which only rendering needs.
func TestReadersDoNotPullTheRenderers(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	for _, pkg := range []string{"affected", "explain", "render/layout", "render/outdir", "render/ha", "render/terraform", "render/prometheus", "render/registration"} {
		out, err := exec.Command(goBin, "list", "-deps", module+pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if strings.HasPrefix(dep, "helm.sh/") || strings.HasPrefix(dep, "k8s.io/") || strings.HasPrefix(dep, "sigs.k8s.io/") {
				t.Errorf("%s depends on %s", pkg, dep)
				break
			}
		}
	}
}
