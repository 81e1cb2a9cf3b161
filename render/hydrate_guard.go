package render

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/template/parse"

	"helm.sh/helm/v3/pkg/chart"
)

// nondeterministic are the template functions whose result changes from
// one render to the next: Sprig's random and clock functions (sprig's own
// "non-hermetic" list, less env/expandenv, which Helm removes, and the
// date formatters, which are pure given a time), and the generators of
// keys, certificates, salted hashes and initialisation vectors. lookup and
// getHostByName are not here: without a cluster and with DNS disabled
// Helm's engine makes them return empty values, the same on every render.
var nondeterministic = []string{
	"ago", "bcrypt", "encryptAES", "genCA", "genCAWithKey", "genPrivateKey",
	"genSelfSignedCert", "genSelfSignedCertWithKey", "genSignedCert",
	"genSignedCertWithKey", "htpasswd", "now", "randAlpha", "randAlphaNum",
	"randAscii", "randBytes", "randInt", "randNumeric", "shuffle", "uuidv4",
}

// guardMarker starts the message of the failure a guarded call raises.
const guardMarker = "fleetgen-nondeterministic:"

// guardMessage finds a guarded call's failure in Helm's rendering error:
// the function, where it is called, and (when Helm names it) the template
// being rendered.
var guardMessage = regexp.MustCompile(`(?:execution error at \(([^)]*)\): )?` + guardMarker + ` (\S+) called at (\S+)`)

// guardChart rewrites the templates of ch and of its subcharts so that
// executing a call to a non-deterministic function fails, naming the
// function and its template file and line. A call that a template never
// reaches with the given values (a password generated only when none is
// set) does not fail, and a reached one always fails, even when its two
// results would happen to be equal.
func guardChart(ch *chart.Chart) {
	for _, t := range ch.Templates {
		t.Data = guardTemplate(path.Join(ch.ChartFullPath(), t.Name), t.Data)
	}
	for _, dep := range ch.Dependencies() {
		guardChart(dep)
	}
}

// edit replaces del bytes at pos with ins.
type edit struct {
	pos, del int
	ins      string
}

// guardTemplate parses one template file as Helm's engine will and, for
// every pipeline that calls a non-deterministic function, makes it call
// Helm's fail first: `.Values.x | randAlphaNum | b64enc` becomes
// `fail "…" | print .Values.x | randAlphaNum | b64enc` (print turns a
// first stage that is a value, which only a first stage may be, into a
// command; it never runs), and a call in argument position,
// `date "2006" now`, becomes `date "2006" (fail "…")`, so that `and` and
// `or`, which evaluate their arguments lazily, reach it only when the
// original would. fail aborts the render with its message. The rewrite only inserts text on the call's line, so Helm's error
// positions keep their line numbers. A template that does not parse is
// left alone: Helm's engine reports its syntax error.
func guardTemplate(name string, src []byte) []byte {
	text := string(src)
	tree := parse.New(name)
	tree.Mode = parse.SkipFuncCheck
	trees := map[string]*parse.Tree{}
	if _, err := tree.Parse(text, "", "", trees); err != nil {
		return src
	}
	edits := map[int]edit{}
	failCall := func(fn string, pos int) string {
		line := 1 + strings.Count(text[:pos], "\n")
		return "fail " + strconv.Quote(fmt.Sprintf("%s %s called at %s:%d", guardMarker, fn, name, line))
	}
	var pipe func(p *parse.PipeNode)
	var node func(n parse.Node)
	pipe = func(p *parse.PipeNode) {
		if p == nil {
			return
		}
		for _, cmd := range p.Cmds {
			for j, arg := range cmd.Args {
				switch a := arg.(type) {
				case *parse.IdentifierNode:
					if !slices.Contains(nondeterministic, a.Ident) {
						continue
					}
					if j == 0 {
						at := int(p.Cmds[0].Position())
						if _, done := edits[at]; !done {
							edits[at] = edit{pos: at, ins: failCall(a.Ident, int(a.Position())) + " | print "}
						}
					} else {
						at := int(a.Position())
						edits[at] = edit{pos: at, del: len(a.Ident), ins: "(" + failCall(a.Ident, at) + ")"}
					}
				default:
					node(arg)
				}
			}
		}
	}
	node = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					node(c)
				}
			}
		case *parse.ActionNode:
			pipe(n.Pipe)
		case *parse.IfNode:
			pipe(n.Pipe)
			node(n.List)
			node(n.ElseList)
		case *parse.RangeNode:
			pipe(n.Pipe)
			node(n.List)
			node(n.ElseList)
		case *parse.WithNode:
			pipe(n.Pipe)
			node(n.List)
			node(n.ElseList)
		case *parse.TemplateNode:
			pipe(n.Pipe)
		case *parse.PipeNode:
			pipe(n)
		case *parse.ChainNode:
			node(n.Node)
		}
	}
	for _, t := range trees {
		node(t.Root)
	}
	if len(edits) == 0 {
		return src
	}
	ordered := make([]edit, 0, len(edits))
	for _, e := range edits {
		ordered = append(ordered, e)
	}
	slices.SortFunc(ordered, func(a, b edit) int { return b.pos - a.pos })
	for _, e := range ordered {
		text = text[:e.pos] + e.ins + text[e.pos+e.del:]
	}
	return []byte(text)
}
