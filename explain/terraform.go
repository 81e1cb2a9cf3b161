package explain

import (
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/mattermost/fleetgen/render/layout"
)

// tfBlock is one top-level block of a layer: its attributes (nested
// blocks flattened into dotted paths) as normalised source text.
type tfBlock struct {
	kind  string // resource, data, provider, terraform, output, …
	attrs map[string]string
}

// parseLayer reads the .tf files of one side of a layer into blocks by
// address (aws_eks_cluster.this, data.aws_vpc.this, provider.aws, …).
func parseLayer(files map[string][]byte) (map[string]tfBlock, bool) {
	blocks := map[string]tfBlock{}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		f, diags := hclwrite.ParseConfig(files[name], name, hcl.InitialPos)
		if diags.HasErrors() {
			return nil, false
		}
		for _, b := range f.Body().Blocks() {
			addr := b.Type()
			if b.Type() == "resource" {
				addr = strings.Join(b.Labels(), ".")
			} else if len(b.Labels()) > 0 {
				addr += "." + strings.Join(b.Labels(), ".")
			}
			for i := 2; ; i++ {
				if _, dup := blocks[addr]; !dup {
					break
				}
				addr = fmt.Sprintf("%s#%d", strings.Split(addr, "#")[0], i)
			}
			t := tfBlock{kind: b.Type(), attrs: map[string]string{}}
			flatten(b.Body(), "", t.attrs)
			blocks[addr] = t
		}
	}
	return blocks, true
}

func flatten(body *hclwrite.Body, prefix string, attrs map[string]string) {
	for name, attr := range body.Attributes() {
		attrs[prefix+name] = strings.Join(strings.Fields(string(attr.Expr().BuildTokens(nil).Bytes())), " ")
	}
	seen := map[string]int{}
	for _, b := range body.Blocks() {
		key := b.Type()
		if n := seen[b.Type()]; n > 0 {
			key = fmt.Sprintf("%s[%d]", b.Type(), n)
		}
		seen[b.Type()]++
		flatten(b.Body(), prefix+key+".", attrs)
	}
}

// forceNew lists, per resource type, the attributes the AWS provider
// cannot change in place: a change replaces the resource.
var forceNew = map[string][]string{
	"aws_eks_cluster":    {"name", "role_arn"},
	"aws_eks_node_group": {"ami_type", "capacity_type", "cluster_name", "disk_size", "instance_types", "node_group_name", "node_role_arn", "subnet_ids"},
	"aws_iam_role":       {"name"},
	"aws_security_group": {"name", "description", "vpc_id"},
	"aws_kms_key":        {"customer_master_key_spec", "key_usage"},
}

// dnsRecords are the Route 53 records of layer 3, one resource per zone,
// with one record per app host in its for_each map.
var dnsRecords = map[string]string{"aws_route53_record.private": "private", "aws_route53_record.public": "public"}

// terraform explains each changed layer, in apply order: resources added,
// destroyed or replaced, and attributes changed; for layer 3, the DNS
// names added, removed or moved between the private and public zone.
func (a *analysis) terraform() {
	for _, layer := range layout.Layers {
		cs := a.under("terraform/" + layer)
		if len(cs) == 0 {
			continue
		}
		a.layer(layer, cs)
	}
}

func (a *analysis) layer(layer string, cs []*Change) {
	oldFiles, newFiles := map[string][]byte{}, map[string][]byte{}
	var paths []string
	for _, c := range cs {
		if path.Ext(c.Path) != ".tf" {
			return // not only Terraform: left to the fallback
		}
		paths = append(paths, c.Path)
	}
	// The unchanged files of the layer are not among the changes; their
	// blocks are the same on both sides, so comparing the changed files
	// alone gives the same differences, except a block moved between
	// files, which shows as removed and added.
	for _, c := range cs {
		if c.OldExists {
			oldFiles[c.Path] = c.Old
		}
		if c.NewExists {
			newFiles[c.Path] = c.New
		}
	}
	old, ok1 := parseLayer(oldFiles)
	cur, ok2 := parseLayer(newFiles)
	if !ok1 || !ok2 {
		return
	}
	// Every layer has a terraform.tf (its backend): the layer is new or
	// gone when that file is.
	backend := a.change("terraform/" + layer + "/terraform.tf")
	if backend != nil && !backend.OldExists {
		what := ""
		if n := countResources(cur); n > 0 {
			what = " (" + count(n, "resource") + ")"
		}
		a.say(KindTerraform, false, paths, "Terraform %s: new layer%s", layer, what)
		a.explain(paths...)
		return
	}
	if backend != nil && !backend.NewExists {
		a.say(KindTerraform, true, paths, "Terraform %s: layer removed → nothing is destroyed: destroy it by hand from the last commit that renders it (docs/apply.md)", layer)
		a.explain(paths...)
		return
	}
	a.dns(old, cur, paths)
	var changes []string
	for _, addr := range slices.Sorted(maps.Keys(cur)) {
		if _, ok := old[addr]; !ok && dnsRecords[addr] == "" {
			changes = append(changes, "+ "+addr)
		}
	}
	for _, addr := range slices.Sorted(maps.Keys(old)) {
		if _, ok := cur[addr]; ok || dnsRecords[addr] != "" {
			continue
		}
		if old[addr].kind == "resource" {
			a.say(KindTerraform, true, paths, "Terraform %s: %s removed → Terraform destroys it", layer, addr)
		} else {
			changes = append(changes, "− "+addr)
		}
	}
	for _, addr := range slices.Sorted(maps.Keys(cur)) {
		o, ok := old[addr]
		if !ok {
			continue
		}
		n := cur[addr]
		var attrs []string
		keys := maps.Clone(o.attrs)
		maps.Copy(keys, n.attrs)
		for _, k := range slices.Sorted(maps.Keys(keys)) {
			if o.attrs[k] == n.attrs[k] || (dnsRecords[addr] != "" && k == "for_each") {
				continue
			}
			attrs = append(attrs, k)
		}
		if len(attrs) == 0 {
			continue
		}
		var replacing []string
		if o.kind == "resource" {
			for _, k := range attrs {
				if slices.Contains(forceNew[strings.Split(addr, ".")[0]], k) {
					replacing = append(replacing, k)
				}
			}
		}
		what := fmt.Sprintf("%s: %s", addr, attrChanges(o.attrs, n.attrs, attrs))
		if len(replacing) > 0 {
			a.say(KindTerraform, true, paths, "Terraform %s: %s → Terraform replaces it (%s cannot change in place)", layer, what, strings.Join(replacing, ", "))
			continue
		}
		changes = append(changes, what)
	}
	if len(changes) > 0 {
		a.say(KindTerraform, false, paths, "Terraform %s: %s", layer, strings.Join(changes, "; "))
	}
	a.explain(paths...)
}

// attrChanges is `version "1.32" → "1.33"` for short values, the name
// alone otherwise.
func attrChanges(o, n map[string]string, names []string) string {
	var parts []string
	for _, k := range names {
		ov, nv := o[k], n[k]
		if ov == "" {
			ov = "(none)"
		}
		if nv == "" {
			nv = "(none)"
		}
		if len(ov) <= 60 && len(nv) <= 60 {
			parts = append(parts, fmt.Sprintf("%s %s → %s", k, ov, nv))
		} else {
			parts = append(parts, k)
		}
	}
	return list(parts)
}

func countResources(blocks map[string]tfBlock) int {
	n := 0
	for _, b := range blocks {
		if b.kind == "resource" {
			n++
		}
	}
	return n
}

var dnsEntry = regexp.MustCompile(`([A-Za-z0-9_-]+)\s*=\s*"([^"]*)"`)

// dns explains the records of layer 3: names added, removed, and moved
// between zones.
func (a *analysis) dns(old, cur map[string]tfBlock, paths []string) {
	records := func(blocks map[string]tfBlock) map[string]string { // host -> zone
		m := map[string]string{}
		for addr, zone := range dnsRecords {
			if b, ok := blocks[addr]; ok {
				for _, e := range dnsEntry.FindAllStringSubmatch(b.attrs["for_each"], -1) {
					m[e[2]] = zone
				}
			}
		}
		return m
	}
	o, n := records(old), records(cur)
	for _, host := range slices.Sorted(maps.Keys(n)) {
		switch oz, ok := o[host]; {
		case !ok:
			a.say(KindDNS, false, paths, "DNS: + %s (%s zone)", host, n[host])
		case oz != n[host]:
			a.say(KindDNS, false, paths, "DNS: %s moves from the %s zone to the %s zone", host, oz, n[host])
		}
	}
	for _, host := range slices.Sorted(maps.Keys(o)) {
		if _, ok := n[host]; !ok {
			a.say(KindDNS, false, paths, "DNS: − %s (%s zone)", host, o[host])
		}
	}
}
