package consumers

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mattermost/fleetgen/render/internal/rendertest"
)

// chartIngresses are where the charts of the examples take their Ingress
// in their values, by chart.
var chartIngresses = map[string][]string{
	"prometheus": {"server", "ingress"},
	"grafana":    {"ingress"},
}

// TestIngressCertificates: every Ingress an environment serves, whether a
// plain object of out/ or one a chart makes from its values, puts its
// hosts under TLS with no secretName of its own, for a class whose F5
// NGINX controller declares the certificate to present
// (controller.wildcardTLS.secret, "<namespace>/<name>" of a
// kubernetes.io/tls Secret): never a Secret the controller would refuse,
// such as the one ECK generates for its service.
func TestIngressCertificates(t *testing.T) {
	var checked int
	for _, env := range envs {
		t.Run(env, func(t *testing.T) {
			check := func(what, class string, tls any, hosts []string) {
				checked++
				controller := filepath.Join(env, "helm", class+".values.yaml")
				if _, err := os.Stat(filepath.Join(outDir(), controller)); err != nil {
					t.Errorf("%s: class %q has no controller values (%v)", what, class, err)
					return
				}
				secret, _ := rendertest.Dig(readValues(t, controller), "controller", "wildcardTLS", "secret").(string)
				if ns, name, ok := strings.Cut(secret, "/"); !ok || ns == "" || name == "" {
					t.Errorf("%s: the controller of class %q declares no certificate (controller.wildcardTLS.secret %q)", what, class, secret)
				}
				entries, _ := tls.([]any)
				covered := map[string]bool{}
				for _, e := range entries {
					m, _ := e.(map[string]any)
					if s, ok := m["secretName"]; ok {
						t.Errorf("%s: TLS names the Secret %v instead of the controller's certificate", what, s)
					}
					hs, _ := m["hosts"].([]any)
					for _, h := range hs {
						covered[h.(string)] = true
					}
				}
				for _, h := range hosts {
					if !covered[h] {
						t.Errorf("%s: host %s is not under TLS", what, h)
					}
				}
			}
			for _, o := range plainObjects(t, env) {
				if o.obj["kind"] != "Ingress" {
					continue
				}
				var hosts []string
				rules, _ := rendertest.Dig(o.obj, "spec", "rules").([]any)
				for _, r := range rules {
					hosts = append(hosts, rendertest.Dig(r, "host").(string))
				}
				class, _ := rendertest.Dig(o.obj, "spec", "ingressClassName").(string)
				check(objectID(o.obj), class, rendertest.Dig(o.obj, "spec", "tls"), hosts)
			}
			for _, s := range chartSources(t, env) {
				path, ok := chartIngresses[s.Chart]
				if !ok || s.ValuesFile == "" {
					continue
				}
				ing, _ := rendertest.Dig(readValues(t, s.ValuesFile), path...).(map[string]any)
				if ing == nil || ing["enabled"] != true {
					continue
				}
				var hosts []string
				hs, _ := ing["hosts"].([]any)
				for _, h := range hs {
					hosts = append(hosts, h.(string))
				}
				class, _ := ing["ingressClassName"].(string)
				check("out/"+s.ValuesFile, class, ing["tls"], hosts)
			}
		})
	}
	if checked == 0 {
		t.Error("no Ingress checked")
	}
}
