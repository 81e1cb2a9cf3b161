package explain

import (
	"cmp"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/mattermost/fleetgen/render/layout"
)

// A Change is one file of out/ that differs between the old tree and the
// new one. A file that exists on one side only is an addition or a
// removal; an empty file exists.
type Change struct {
	Path      string // relative to out/, slash-separated
	Old, New  []byte
	OldExists bool
	NewExists bool
}

// Trees are the environments present in each tree, and the changes from
// the old one to the new one.
type Trees struct {
	OutDir   string   // out/ as the user named it, for the report
	Against  string   // the git ref of the old tree; "" for out/ on disk
	Old, New []string // environments with any file in each tree
	Changes  []Change
}

// A Report explains the changes, environment by environment.
type Report struct {
	Out string `json:"out"` // the rendered tree, as given (--out)
	// Against is the git ref whose out/ the inventory was compared with;
	// "" for out/ on disk.
	Against      string `json:"against"`
	Changed      bool   `json:"changed"`
	Environments []Env  `json:"environments"` // sorted by name
}

// Env is the explanation of one environment.
type Env struct {
	Name string `json:"name"`
	// Status is added, removed, changed or unchanged.
	Status     string      `json:"status"`
	Statements []Statement `json:"statements"` // most important first; empty when unchanged
}

// Statuses of an Env.
const (
	StatusAdded     = "added"
	StatusRemoved   = "removed"
	StatusChanged   = "changed"
	StatusUnchanged = "unchanged"
)

// A Statement is one line of the explanation.
type Statement struct {
	// Kind names what it is about (docs/explain.md lists them):
	// environment, federation, alerting, ha, app, dns, terraform, other.
	Kind string `json:"kind"`
	Text string `json:"text"`
	// Warning marks a change that needs more than applying the files (a
	// full cluster stop, a resource Terraform destroys or replaces).
	Warning bool     `json:"warning"`
	Paths   []string `json:"paths"` // the changed files behind it, relative to out/
}

// Kinds of Statement, in the order they are shown (after warnings).
const (
	KindEnvironment = "environment"
	KindFederation  = "federation"
	KindAlerting    = "alerting"
	KindHA          = "ha"
	KindApp         = "app"
	KindDNS         = "dns"
	KindTerraform   = "terraform"
	KindOther       = "other"
)

var kindOrder = []string{KindEnvironment, KindFederation, KindAlerting, KindHA, KindApp, KindDNS, KindTerraform, KindOther}

// Explain explains the changes of t.
func Explain(t Trees) *Report {
	oldEnvs, newEnvs := setOf(t.Old), setOf(t.New)
	byEnv := map[string][]Change{}
	for _, c := range t.Changes {
		env := layout.Locate(c.Path).Env
		if env == "" {
			continue // fleetgen's own bookkeeping at the top of out/
		}
		byEnv[env] = append(byEnv[env], c)
	}
	all := maps.Clone(oldEnvs)
	maps.Copy(all, newEnvs)
	for env := range byEnv {
		all[env] = true
	}
	r := &Report{Out: t.OutDir, Against: t.Against, Environments: []Env{}}
	for _, name := range slices.Sorted(maps.Keys(all)) {
		changes := byEnv[name]
		slices.SortFunc(changes, func(a, b Change) int { return cmp.Compare(a.Path, b.Path) })
		e := Env{Name: name, Status: StatusUnchanged, Statements: []Statement{}}
		switch {
		case !newEnvs[name] && oldEnvs[name]:
			e.Status = StatusRemoved
			e.Statements = append(e.Statements, Statement{Kind: KindEnvironment, Warning: true, Paths: pathsOf(changes),
				Text: fmt.Sprintf("environment removed: its %s leave out/; nothing is destroyed: destroy its Terraform layers and retire its HA nodes by hand (docs/apply.md)", count(len(changes), "file"))})
		case len(changes) > 0:
			e.Status = StatusChanged
			if !oldEnvs[name] {
				e.Status = StatusAdded
				e.Statements = append(e.Statements, Statement{Kind: KindEnvironment, Paths: pathsOf(changes),
					Text: fmt.Sprintf("environment added (%s)", count(len(changes), "file"))})
			}
			e.Statements = append(e.Statements, explainEnv(name, changes, e.Status == StatusAdded)...)
		}
		if e.Status != StatusUnchanged {
			r.Changed = true
		}
		r.Environments = append(r.Environments, e)
	}
	return r
}

// explainEnv runs every analyzer on the changes of one environment, then
// lists what none of them explained.
func explainEnv(env string, changes []Change, added bool) []Statement {
	a := &analysis{env: env, byPath: map[string]*Change{}, explained: map[string]bool{}}
	for i := range changes {
		a.byPath[changes[i].Path] = &changes[i]
	}
	a.changes = changes
	for _, analyzer := range []func(){a.prometheus, a.alerting, a.ha, a.apps, a.utilities, a.terraform} {
		a.scope(analyzer)
	}
	if !added { // "environment added" covers every file of a new environment
		a.other()
	}
	slices.SortStableFunc(a.statements, func(x, y Statement) int {
		if x.Warning != y.Warning {
			if x.Warning {
				return -1
			}
			return 1
		}
		return cmp.Compare(slices.Index(kindOrder, x.Kind), slices.Index(kindOrder, y.Kind))
	})
	return a.statements
}

// analysis is the work on one environment's changes.
type analysis struct {
	env        string
	changes    []Change // sorted by path
	byPath     map[string]*Change
	explained  map[string]bool // paths some statement covers
	statements []Statement
}

// rel is the path of a file of the environment.
func (a *analysis) rel(p string) string { return a.env + "/" + p }

// change returns the change of the environment's file p, or nil.
func (a *analysis) change(p string) *Change { return a.byPath[a.rel(p)] }

// under lists the changes below the environment's folder dir.
func (a *analysis) under(dir string) []*Change {
	var cs []*Change
	prefix := a.rel(dir) + "/"
	for i := range a.changes {
		if strings.HasPrefix(a.changes[i].Path, prefix) {
			cs = append(cs, &a.changes[i])
		}
	}
	return cs
}

func (a *analysis) say(kind string, warning bool, paths []string, format string, args ...any) {
	a.statements = append(a.statements, Statement{Kind: kind, Warning: warning, Paths: paths, Text: fmt.Sprintf(format, args...)})
}

// scope runs one analyzer and keeps its word: the files it explains are
// named by the statements it made (a statement without paths names them
// all); a file it explains with no statement naming it is left to the
// fallback, so no change is ever silent.
func (a *analysis) scope(analyzer func()) {
	before := len(a.statements)
	was := maps.Clone(a.explained)
	analyzer()
	var explained []string
	for p := range a.explained {
		if !was[p] {
			explained = append(explained, p)
		}
	}
	slices.Sort(explained)
	made := a.statements[before:]
	for i := range made {
		if made[i].Paths == nil {
			made[i].Paths = explained
		}
	}
	named := map[string]bool{}
	for _, s := range a.statements {
		for _, p := range s.Paths {
			named[p] = true
		}
	}
	for _, p := range explained {
		if named[p] {
			continue
		}
		if len(made) == 0 {
			delete(a.explained, p)
		} else {
			made[0].Paths = append(made[0].Paths, p)
		}
	}
}

// explain marks paths as covered by a statement.
func (a *analysis) explain(paths ...string) {
	for _, p := range paths {
		a.explained[p] = true
	}
}

// maxListed is how many names a statement lists before "and N more".
const maxListed = 6

// other lists the changes no statement explained. READMEs describe the
// rest of the environment: they are explained when anything else is.
func (a *analysis) other() {
	var rest []string
	for _, c := range a.changes {
		if a.explained[c.Path] {
			continue
		}
		if path.Base(c.Path) == "README.md" && len(a.statements) > 0 {
			continue
		}
		rest = append(rest, c.Path)
	}
	if len(rest) == 0 {
		return
	}
	shown := make([]string, len(rest))
	for i, p := range rest {
		shown[i] = strings.TrimPrefix(p, a.env+"/")
	}
	a.say(KindOther, false, rest, "%s change: %s", count(len(rest), "other file"), list(shown))
}

// list joins names, cut after maxListed.
func list(names []string) string {
	if len(names) <= maxListed {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:maxListed], ", ") + fmt.Sprintf(" and %d more", len(names)-maxListed)
}

// count is "1 file", "2 files".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func setOf(names []string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

func pathsOf(cs []Change) []string {
	ps := make([]string, 0, len(cs))
	for _, c := range cs {
		ps = append(ps, c.Path)
	}
	return ps
}

// parseSides parses the sides of a change that exist; a missing side is
// zero. ok is false when a present side does not parse: the change is then
// left to the fallback statement.
func parseSides[T any](c *Change, zero T, parse func([]byte) (T, bool)) (old, cur T, ok bool) {
	old, cur = zero, zero
	if c.OldExists {
		if old, ok = parse(c.Old); !ok {
			return old, cur, false
		}
	}
	if c.NewExists {
		if cur, ok = parse(c.New); !ok {
			return old, cur, false
		}
	}
	return old, cur, true
}
