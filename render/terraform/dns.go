package terraform

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/layout"
)

// Ingress apps whose load balancers the DNS records point at.
const (
	internalIngressApp = inventory.IngressPrivate
	publicIngressApp   = inventory.IngressPublic
	recordTTL          = 300
)

// route53Layer is 3-route53-registration: for every enabled app with a
// host, a CNAME to the ingress load balancer of its visibility, whose
// hostname is read from the controller's Service in the cluster. Private
// apps get a record in the private zone only; public apps in the public
// zone only.
func route53Layer(env *inventory.Environment) []*tfFile {
	private, public := hostRecords(env)

	// Without a record the layer reads nothing from the cluster: no remote
	// state, no Kubernetes provider. It stays, with its backend and the
	// aws provider, so that removing an environment's last host still
	// destroys the record its state holds.
	readsCluster := len(private)+len(public) > 0
	tfBlock := newTFFile("terraform.tf")
	providers := []provider{providerAWS}
	if readsCluster {
		providers = append(providers, providerKubernetes)
	}
	terraformBlock(tfBlock, env, layout.LayerRoute53, providers...)

	prov := newTFFile("providers.tf")
	awsProvider(prov, env, layout.LayerRoute53)
	if readsCluster {
		remoteCluster(prov, env)
		eksDataSources(prov)
		kubernetesProvider(prov)
	}

	main := newTFFile("main.tf")
	out := newTFFile("outputs.tf")
	zones := []struct {
		resource, ingressApp, zoneID string
		records                      map[string]string
	}{
		{"private", internalIngressApp, env.DNS.PrivateZoneID, private},
		{"public", publicIngressApp, env.DNS.PublicZoneID, public},
	}
	for _, z := range zones {
		if len(z.records) == 0 {
			continue
		}
		ingress := env.EnabledApp(z.ingressApp)
		if ingress == nil {
			// Validation refuses an app with a host whose ingress
			// controller is not enabled.
			panic(fmt.Sprintf("%s apps have hosts (%s) but the app %q, their ingress, is not enabled: validation let it through",
				z.resource, strings.Join(slices.Sorted(maps.Keys(z.records)), ", "), z.ingressApp))
		}
		svc := main.block("data", "kubernetes_service_v1", z.resource+"_ingress")
		md := svc.block("metadata")
		md.str("name", ingressServiceName(ingress))
		md.str("namespace", ingress.Namespace)

		hostname := ref("data", "kubernetes_service_v1", z.resource+"_ingress", "status")
		hostname = attr(index(hostname, cty.NumberIntVal(0)), "load_balancer")
		hostname = attr(index(hostname, cty.NumberIntVal(0)), "ingress")
		hostname = attr(index(hostname, cty.NumberIntVal(0)), "hostname")

		r := main.block("resource", "aws_route53_record", z.resource)
		r.val("for_each", strMap(z.records))
		r.str("zone_id", z.zoneID)
		r.ref("name", ref("each", "value"))
		r.str("type", "CNAME")
		r.num("ttl", recordTTL)
		r.raw("records", list(expr(hostname)))

		output(out, z.resource+"_records", "FQDN of each "+z.resource+" app, by app",
			lit(strMap(z.records)))
	}
	files := []*tfFile{tfBlock, prov, main}
	if len(out.f.Body().Blocks()) > 0 {
		files = append(files, out)
	}
	return files
}

// hostRecords maps each enabled app with a host to its FQDN, in the
// private or the public zone.
func hostRecords(env *inventory.Environment) (private, public map[string]string) {
	private, public = map[string]string{}, map[string]string{}
	for _, a := range env.Apps {
		if !a.Enabled || a.Host == "" {
			continue
		}
		if a.Public() {
			public[a.Name] = env.HostName(a)
		} else {
			private[a.Name] = env.HostName(a)
		}
	}
	return private, public
}

// ingressServiceName is the name both F5's nginx-ingress chart and the
// retired ingress-nginx chart give the controller's Service: "<fullname>-<controller.name>", where fullname is
// fullnameOverride, or the release name when it contains the chart's name
// (nameOverride or the chart), or "<release>-<name>"; each part is cut to
// 63 characters as the chart's helpers do.
func ingressServiceName(app *inventory.App) string {
	// F5's nginx-ingress chart also lets serviceNameOverride name it outright.
	if s := valueString(app.Values, "serviceNameOverride"); s != "" && app.Chart == inventory.ChartF5NGINX {
		return helmName(s)
	}
	if s := valueString(app.Values, "fullnameOverride"); s != "" {
		return helmName(helmName(s) + "-" + controllerName(app))
	}
	name := helmName(firstNonEmpty(valueString(app.Values, "nameOverride"), app.Chart))
	full := app.Release
	if !strings.Contains(app.Release, name) {
		full = app.Release + "-" + name
	}
	return helmName(helmName(full) + "-" + controllerName(app))
}

func controllerName(app *inventory.App) string {
	return firstNonEmpty(valueString(app.Values, "controller", "name"), "controller")
}

// helmName is Helm's `trunc 63 | trimSuffix "-"`.
func helmName(s string) string {
	if len(s) > 63 {
		s = s[:63]
	}
	return strings.TrimSuffix(s, "-")
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// valueString reads a string at a path of an app's values, or "".
func valueString(v cty.Value, path ...string) string {
	for _, p := range path {
		if v == cty.NilVal || v.IsNull() || !v.IsKnown() || !(v.Type().IsObjectType() || v.Type().IsMapType()) {
			return ""
		}
		if v.Type().IsObjectType() {
			if !v.Type().HasAttribute(p) {
				return ""
			}
			v = v.GetAttr(p)
			continue
		}
		if !v.HasIndex(cty.StringVal(p)).True() {
			return ""
		}
		v = v.Index(cty.StringVal(p))
	}
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return ""
	}
	return v.AsString()
}
