package helm

import (
	"fmt"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/internal/alertmanager"
	"github.com/mattermost/fleetgen/render/internal/cluster"
	"github.com/mattermost/fleetgen/render/internal/federation"
)

// appValues generates the values of a known app for the charts whose
// values schema it follows. An app whose chart was changed to another one
// gets no generated values: fleetgen does not guess another chart's schema.
type appValues struct {
	charts []string
	gen    func(*generator, *inventory.App) map[string]any
}

// knownAppValues are the generators of the known apps, by app name.
var knownAppValues = map[string]appValues{
	"prometheus":        {[]string{"prometheus"}, (*generator).centralPrometheusValues},
	"prometheus-client": {[]string{"prometheus"}, (*generator).clientPrometheusValues},
	"grafana":           {[]string{"grafana"}, (*generator).grafanaValues},
	"elasticsearch":     {[]string{"eck-elasticsearch"}, (*generator).elasticsearchValues},
	"kibana":            {[]string{"eck-kibana"}, (*generator).kibanaValues},
	"fluentd":           {[]string{"fluentd"}, (*generator).fluentdValues},
	"nginx-internal":    {[]string{chartF5NGINX, chartIngressNGINX}, (*generator).ingressControllerValues},
	"nginx":             {[]string{chartF5NGINX, chartIngressNGINX}, (*generator).ingressControllerValues},
	"eck-operator":      {[]string{"eck-operator"}, (*generator).eckOperatorValues},
	"fluent-bit":        {[]string{"fluent-bit"}, (*generator).fluentBitValues},
}

// The ingress controller charts fleetgen knows: F5 NGINX's, the default,
// and the retired community one, for environments that still run it.
const (
	chartF5NGINX      = inventory.ChartF5NGINX
	chartIngressNGINX = inventory.ChartIngressNGINX
)

// chartRulesFile is where the prometheus chart mounts serverFiles'
// alerting_rules.yml (its ConfigMap is mounted at /etc/config).
const chartRulesFile = "/etc/config/alerting_rules.yml"

// centralPrometheusValues configures the prometheus chart as the central
// Prometheus: its prometheus.yml is the federation model's configuration
// (the chart writes server.global as the global section), its alerting
// rules the federation rules. The exporters that would watch the C&C
// cluster itself belong to prometheus-client, so they are off here.
func (g *generator) centralPrometheusValues(app *inventory.App) map[string]any {
	config := federation.ConfigOf(g.fed, []string{chartRulesFile}).Values()
	global := config["global"]
	delete(config, "global")
	rules, err := federation.Rules(g.fed)
	if err != nil {
		// Validation refuses a scrape_timeout Prometheus cannot parse.
		panic(fmt.Sprintf("environment %q: %v: validation let it through", g.env.Name, err))
	}
	rulesValues := rules.Values()
	server := g.prometheusServer(app)
	server["global"] = global
	v := map[string]any{
		"server": server,
		"serverFiles": map[string]any{
			"prometheus.yml":     config,
			"alerting_rules.yml": rulesValues,
		},
		"kube-state-metrics":       map[string]any{"enabled": false},
		"prometheus-node-exporter": map[string]any{"enabled": false},
		"prometheus-pushgateway":   map[string]any{"enabled": false},
	}
	// The alerting block's routes and receivers for the bundled
	// alertmanager subchart (docs/monitoring.md, "Alert delivery").
	if cfg, mounts, ok := alertmanager.Of(g.env); ok {
		v["alertmanager"] = alertmanager.Values(cfg, mounts)
	}
	return v
}

// clientPrometheusValues configures the C&C cluster's own client
// Prometheus, which the central one federates as hub_cluster_id. It keeps
// the chart's Kubernetes scrape jobs; alerts come from the central one.
func (g *generator) clientPrometheusValues(app *inventory.App) map[string]any {
	server := g.prometheusServer(app)
	if id := g.env.Federation.HubClusterID; id != "" {
		server["global"] = map[string]any{"external_labels": map[string]any{"clusterID": id}}
	}
	return map[string]any{
		"server":                 server,
		"alertmanager":           map[string]any{"enabled": false},
		"prometheus-pushgateway": map[string]any{"enabled": false},
	}
}

// prometheusServer is the server section both Prometheus apps share. The
// fixed fullnameOverride gives the server Service the name the federation
// and Grafana use, whatever the release is called.
func (g *generator) prometheusServer(app *inventory.App) map[string]any {
	server := map[string]any{"fullnameOverride": app.Release + "-server"}
	if ing, ok := g.ingressOf(app); ok {
		server["ingress"] = ing.chartValues()
	}
	return server
}

// grafanaValues provisions the central Prometheus as Grafana's default data
// source, and turns on the chart's dashboard sidecar, which loads the
// dashboard ConfigMaps of out/<env>/k8s from Grafana's own namespace (the
// sidecar's default when searchNamespace is unset) into the "Federation"
// folder, where they cannot be deleted from the UI.
func (g *generator) grafanaValues(app *inventory.App) map[string]any {
	v := map[string]any{
		"sidecar": map[string]any{"dashboards": map[string]any{
			"enabled":    true,
			"label":      cluster.DashboardLabel,
			"labelValue": cluster.DashboardLabelValue,
			"provider":   map[string]any{"folder": "Federation", "disableDelete": true},
		}},
	}
	if central := g.env.EnabledApp("prometheus"); central != nil {
		v["datasources"] = map[string]any{"datasources.yaml": map[string]any{
			"apiVersion": 1,
			"datasources": []any{map[string]any{
				"name": "Prometheus", "uid": "prometheus", "type": "prometheus", "access": "proxy", "isDefault": true,
				"url": "http://" + federation.ServerService(central) + ":80",
			}},
		}}
	}
	if ing, ok := g.ingressOf(app); ok {
		v["ingress"] = ing.chartValues()
	}
	return v
}

// elasticsearchValues names the ECK Elasticsearch resource after the
// release, so its Services and Secrets (<release>-es-http,
// <release>-es-elastic-user …) have names Kibana and fluentd can use.
// Its ingress, like Kibana's, is not the chart's: with TLS on, the ECK
// charts name as the Ingress' certificate the Secret ECK generates for
// the service, which is not of type kubernetes.io/tls and which F5 NGINX
// refuses. fleetgen renders those Ingresses itself (out/<env>/k8s),
// served with the ingress controller's declared certificate.
func (g *generator) elasticsearchValues(app *inventory.App) map[string]any {
	return map[string]any{"fullnameOverride": app.Release}
}

// kibanaValues points Kibana at the central Elasticsearch through ECK's
// elasticsearchRef, which also hands it credentials and the CA.
func (g *generator) kibanaValues(app *inventory.App) map[string]any {
	v := map[string]any{"fullnameOverride": app.Release}
	if es := g.env.EnabledApp("elasticsearch"); es != nil {
		v["elasticsearchRef"] = map[string]any{"name": es.Release, "namespace": es.Namespace}
	}
	if ing, ok := g.ingressOf(app); ok {
		v["config"] = map[string]any{"server": map[string]any{"publicBaseUrl": "https://" + ing.Host}}
	}
	return v
}

// eckOperatorValues keep the chart's defaults: it installs the operator
// and, through its eck-operator-crds subchart, the CRDs of every Elastic
// resource (installCRDs), watching all namespaces.
func (g *generator) eckOperatorValues(*inventory.App) map[string]any {
	return map[string]any{}
}

// chartValues is the ingress section of the prometheus and grafana charts,
// which share its shape: TLS for the host with no secretName, so the
// controller serves it with its wildcard certificate (F5 NGINX's
// controller.wildcardTLS, ingress-nginx's default-ssl-certificate, which
// validation requires) and redirects plain HTTP to HTTPS.
func (ing ingress) chartValues() map[string]any {
	return map[string]any{
		"enabled":          true,
		"ingressClassName": ing.Class,
		"hosts":            []any{ing.Host},
		"tls":              []any{map[string]any{"hosts": []any{ing.Host}}},
	}
}

// fluentdCADir is where fluentd finds the CA of the central Elasticsearch.
const fluentdCADir = "/etc/fluent/elasticsearch-ca"

// fluentdValues ships the C&C cluster's logs to the central Elasticsearch
// over HTTPS, verifying it with the CA ECK publishes and authenticating as
// the elastic user from the Secret ECK creates; no credential is written
// here. The Secrets are in Elasticsearch's namespace, so fluentd must run
// there (logging, for both, by default).
func (g *generator) fluentdValues(app *inventory.App) map[string]any {
	es := g.env.EnabledApp("elasticsearch")
	if es == nil {
		return map[string]any{}
	}
	if es.Namespace != app.Namespace {
		// Validation refuses this (fluentd must share Elasticsearch's
		// namespace), so reaching it is a bug of ours.
		panic(fmt.Sprintf("fluentd in namespace %q, Elasticsearch in %q: validation lets them differ", app.Namespace, es.Namespace))
	}
	output := fmt.Sprintf(`<label @OUTPUT>
  <match **>
    @type elasticsearch
    host %s-es-http.%s.svc
    port 9200
    scheme https
    ssl_verify true
    ca_file %s/ca.crt
    user elastic
    password "#{ENV['FLUENT_ELASTICSEARCH_PASSWORD']}"
    logstash_format true
    suppress_type_name true
  </match>
</label>`, es.Release, es.Namespace, fluentdCADir)
	return map[string]any{
		// variant picks the image with the Elasticsearch 8 output plugin
		// (chart 0.6.0 on, which validation requires). The chart sets
		// FLUENTD_CONF itself before these env entries: repeating it would
		// give the container a duplicate variable.
		"variant": "elasticsearch8",
		"env": []any{
			map[string]any{"name": "FLUENT_ELASTICSEARCH_PASSWORD", "valueFrom": map[string]any{
				"secretKeyRef": map[string]any{"name": es.Release + "-es-elastic-user", "key": "elastic"},
			}},
		},
		"volumes": []any{map[string]any{
			"name": "elasticsearch-ca", "secret": map[string]any{"secretName": es.Release + "-es-http-certs-public"},
		}},
		"volumeMounts": []any{map[string]any{"name": "elasticsearch-ca", "mountPath": fluentdCADir, "readOnly": true}},
		"fileConfigs":  map[string]any{"04_outputs.conf": output},
	}
}

// AWS load balancer annotations of the ingress controllers' Services. The
// scheme annotation is the one the AWS Load Balancer Controller reads; the
// in-tree cloud provider reads only aws-load-balancer-internal. Setting
// both keeps nginx-internal internal whichever controller provisions it.
const (
	awsLBScheme   = "service.beta.kubernetes.io/aws-load-balancer-scheme"
	awsLBInternal = "service.beta.kubernetes.io/aws-load-balancer-internal"
)

// ingressControllerValues configures an ingress controller: nginx-internal
// behind an internal load balancer with the private class, nginx
// internet-facing with the public class. Neither is the default class, so
// an ingress always says where it is reachable. Each chart names these
// settings its own way.
func (g *generator) ingressControllerValues(app *inventory.App) map[string]any {
	class, annotations := inventory.IngressPrivate, map[string]any{awsLBScheme: "internal", awsLBInternal: "true"}
	if app.Name == "nginx" {
		class, annotations = inventory.IngressPublic, map[string]any{awsLBScheme: "internet-facing"}
	}
	service := map[string]any{"type": "LoadBalancer", "annotations": annotations}
	if app.Chart == chartIngressNGINX {
		// Two ingress-nginx controllers in one cluster need distinct
		// controller values, or both serve both classes.
		return map[string]any{"controller": map[string]any{
			"ingressClass": class,
			"ingressClassResource": map[string]any{
				"name": class, "enabled": true, "default": false, "controllerValue": "k8s.io/" + class,
			},
			"service": service,
		}}
	}
	return map[string]any{"controller": map[string]any{
		"ingressClass": map[string]any{"name": class, "create": true, "setAsDefaultIngress": false},
		"service":      service,
	}}
}
