package hydrate

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/template/parse"
	"time"

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

// A guardSite is one call of a non-deterministic function in a chart.
type guardSite struct {
	Fn    string // the function
	Where string // <chart path>/templates/<file>:<line>
}

// A variant is what the guarded calls of one render return.
type variant int

const (
	variantA    variant = iota // a fixed value
	variantB                   // another fixed value, of the same type
	variantReal                // the function itself: the call is not rewritten
)

// guardChart rewrites every call to a non-deterministic function in the
// templates of ch and of its enabled subcharts so that it returns a fixed
// value of its type instead: for site i (in the order of the returned
// sites, which is the same for every copy of the chart), the value of
// choose(i). Two renders whose sites return different values and come out
// equal prove that no call's result reaches the output (a generated
// password that a given value overrides); if they differ, changing one
// site at a time names the call that does.
func guardChart(ch *chart.Chart, choose func(int) variant) []guardSite {
	var sites []guardSite
	var walk func(ch *chart.Chart)
	walk = func(ch *chart.Chart) {
		for _, t := range ch.Templates {
			name := path.Join(ch.ChartFullPath(), t.Name)
			base := len(sites)
			var found []guardSite
			t.Data, found = guardTemplate(name, t.Data, func(i int) variant { return choose(base + i) })
			sites = append(sites, found...)
		}
		for _, dep := range ch.Dependencies() {
			walk(dep)
		}
	}
	walk(ch)
	return sites
}

// edit is one guarded call: the function's name at pos, del bytes long,
// in argument position or not.
type edit struct {
	pos, del int
	arg      bool
	site     guardSite
}

// guardTemplate parses one template file as Helm's engine will and
// rewrites every call to a non-deterministic function, numbered in source
// order, to return choose(number)'s value: `randAlphaNum 16 | b64enc`
// becomes `coalesce "…" 16 | b64enc` (coalesce returns its first non-empty
// argument, the fixed value; the call's own arguments are still evaluated,
// so a required or fail among them still fails), a call in argument
// position, `date "2006" now`, becomes `date "2006" (coalesce (toDate …))`.
// The rewrite only replaces the function's name on its line, so the
// engine's error positions keep their line numbers. A template that does
// not parse is left alone: Helm's engine reports its syntax error. It
// returns the template and its sites in source order.
func guardTemplate(name string, src []byte, choose func(int) variant) ([]byte, []guardSite) {
	text := string(src)
	tree := parse.New(name)
	tree.Mode = parse.SkipFuncCheck
	trees := map[string]*parse.Tree{}
	if _, err := tree.Parse(text, "", "", trees); err != nil {
		return src, nil
	}
	var edits []edit
	var pipe func(p *parse.PipeNode)
	var node func(n parse.Node)
	pipe = func(p *parse.PipeNode) {
		if p == nil {
			return
		}
		for _, cmd := range p.Cmds {
			for j, arg := range cmd.Args {
				a, ok := arg.(*parse.IdentifierNode)
				if !ok {
					node(arg)
					continue
				}
				if !slices.Contains(nondeterministic, a.Ident) {
					continue
				}
				at := int(a.Position())
				line := 1 + strings.Count(text[:at], "\n")
				edits = append(edits, edit{pos: at, del: len(a.Ident), arg: j > 0,
					site: guardSite{Fn: a.Ident, Where: fmt.Sprintf("%s:%d", name, line)}})
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
		return src, nil
	}
	slices.SortFunc(edits, func(a, b edit) int { return a.pos - b.pos })
	sites := make([]guardSite, len(edits))
	for i := range edits {
		sites[i] = edits[i].site
	}
	for i := len(edits) - 1; i >= 0; i-- {
		e := edits[i]
		v := choose(i)
		if v == variantReal {
			continue
		}
		call := "coalesce " + fixedValue(e.site.Fn, v)
		if e.arg { // a call without arguments
			call = "(" + call + ")"
		}
		text = text[:e.pos] + call + text[e.pos+e.del:]
	}
	return []byte(text), sites
}

// fixedValue is the template expression of a fixed result of fn, of the
// type fn returns, different for variants A and B: a real key or
// certificate for the generators, so that whatever the chart does with one
// still works; otherwise letters and digits only, valid wherever a
// generated name or password was (a name suffix, base64 input). The
// expression holds no newline (strconv.Quote escapes them), so the
// template keeps its line numbers.
func fixedValue(fn string, v variant) string {
	ab := func(a, b string) string {
		if v == variantA {
			return a
		}
		return b
	}
	switch fn {
	case "now":
		return "(toDate " + strconv.Quote(time.RFC3339Nano) + " " +
			strconv.Quote(ab("2001-02-03T04:05:06.111111111Z", "2012-11-10T09:08:07.987654321Z")) + ")"
	case "randInt":
		return ab("1", "2")
	case "randNumeric":
		return strconv.Quote(ab("1357913579", "2468024680"))
	case "genPrivateKey":
		return strconv.Quote(fixedCerts()[v].keyPEM)
	case "genCA", "genCAWithKey", "genSelfSignedCert", "genSelfSignedCertWithKey", "genSignedCert", "genSignedCertWithKey":
		c := fixedCerts()[v]
		return "(buildCustomCert " + strconv.Quote(c.cert) + " " + strconv.Quote(c.key) + ")"
	default:
		return strconv.Quote(ab("fleetgenfixedvalueaaaa", "fleetgenfixedvaluebbbb"))
	}
}

// fixedCert is a certificate and its key, each PEM in base64, as Sprig's
// buildCustomCert takes them.
// keyPEM is the key as genPrivateKey returns one.
type fixedCert struct{ cert, key, keyPEM string }

// fixedCerts are the certificates of variants A and B: real ones, so that
// whatever the chart does with a generated certificate (its Cert and Key,
// a signature with it) works as with the generated one. They are made
// once per process; their bytes reach no output that is kept.
var fixedCerts = sync.OnceValue(func() [2]fixedCert {
	var out [2]fixedCert
	for i := range out {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		tmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(int64(i + 1)),
			Subject:               pkix.Name{CommonName: "fleetgen-fixed-" + strconv.Itoa(i)},
			NotBefore:             time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC),
			NotAfter:              time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC),
			IsCA:                  true,
			BasicConstraintsValid: true,
			KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			panic(err)
		}
		keyDER, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			panic(err)
		}
		keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
		out[i] = fixedCert{
			cert:   base64.StdEncoding.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
			key:    base64.StdEncoding.EncodeToString(keyPEM),
			keyPEM: string(keyPEM),
		}
	}
	return out
})
