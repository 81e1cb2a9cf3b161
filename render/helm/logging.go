package helm

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/mattermost/fleetgen/inventory"
)

// Fluent Bit ships the logs of every cluster to the central Elasticsearch:
// the C&C cluster's own (the fluent-bit app) and every workload cluster's
// (the values the provisioner installs Fluent Bit with, out/<env>/utilities).
// One configuration serves both, so a log line has the same fields in
// Kibana wherever it came from; only where Elasticsearch is reached, how
// the shipper authenticates, and the cluster it names differ.

// fluentBitCADir is where the C&C Fluent Bit finds the CA ECK made for
// Elasticsearch's HTTPS service.
const fluentBitCADir = "/fluent-bit/etc/elasticsearch-ca"

// Environment variables the Fluent Bit configuration reads its credentials
// from (Fluent Bit substitutes ${VAR} in its configuration): set from
// Secrets, never written here.
const (
	fluentBitUserEnv     = "ES_USER"
	fluentBitPasswordEnv = "ES_PASSWORD"
)

// WorkloadShipperSecret is the Secret every workload cluster holds in
// Fluent Bit's namespace with the Elasticsearch user its logs are written
// as (keys username and password), made outside git (docs/monitoring.md).
const WorkloadShipperSecret = "fluent-bit-elasticsearch"

// esTarget is how one cluster's Fluent Bit reaches Elasticsearch.
type esTarget struct {
	host   string
	port   int
	caFile string // "" verifies with the system's CAs
	user   string // a literal user, or "" for ${ES_USER}
}

// fluentBitConfig is the Fluent Bit chart's config.filters and
// config.outputs: Kubernetes metadata on each container's log, the
// cluster's ID as the field cluster_id, and one output to Elasticsearch
// over verified TLS, as a user whose password comes from the environment.
// Suppress_Type_Name: Elasticsearch 8 and later refuse a mapping type.
func fluentBitConfig(clusterID string, t esTarget) map[string]any {
	filters := `[FILTER]
    Name kubernetes
    Match kube.*
    Merge_Log On
    Keep_Log Off
    K8S-Logging.Parser On
    K8S-Logging.Exclude On
`
	if clusterID != "" {
		filters += `
[FILTER]
    Name modify
    Match *
    Add cluster_id ` + clusterID + "\n"
	}
	user := t.user
	if user == "" {
		user = "${" + fluentBitUserEnv + "}"
	}
	var out strings.Builder
	fmt.Fprintf(&out, `[OUTPUT]
    Name es
    Match *
    Host %s
    Port %d
    tls On
    tls.verify On
`, t.host, t.port)
	if t.caFile != "" {
		fmt.Fprintf(&out, "    tls.ca_file %s\n", t.caFile)
	}
	fmt.Fprintf(&out, `    HTTP_User %s
    HTTP_Passwd ${%s}
    Logstash_Format On
    Logstash_Prefix logs
    Suppress_Type_Name On
    Replace_Dots On
    Retry_Limit False
`, user, fluentBitPasswordEnv)
	return map[string]any{"filters": filters, "outputs": out.String()}
}

// secretEnv is an environment variable from a Secret's key.
func secretEnv(name, secret, key string) map[string]any {
	return map[string]any{"name": name, "valueFrom": map[string]any{"secretKeyRef": map[string]any{"name": secret, "key": key}}}
}

// clusterIDOf is the C&C cluster's name in its logs: the client
// Prometheus' hub_cluster_id when set, else the EKS cluster's name.
func clusterIDOf(env *inventory.Environment) string {
	if id := env.Federation.HubClusterID; id != "" {
		return id
	}
	return env.DeploymentName
}

// fluentBitValues ships the C&C cluster's logs to Elasticsearch's service
// in the cluster, verified with the CA ECK publishes, as the elastic user
// whose password is in the Secret ECK writes (both in Elasticsearch's
// namespace, which validation makes Fluent Bit's).
func (g *generator) fluentBitValues(*inventory.App) map[string]any {
	es := g.env.EnabledApp("elasticsearch")
	if es == nil {
		return map[string]any{}
	}
	return map[string]any{
		"env": []any{secretEnv(fluentBitPasswordEnv, es.Release+"-es-elastic-user", "elastic")},
		"extraVolumes": []any{map[string]any{
			"name": "elasticsearch-ca", "secret": map[string]any{"secretName": es.Release + "-es-http-certs-public"},
		}},
		"extraVolumeMounts": []any{map[string]any{"name": "elasticsearch-ca", "mountPath": fluentBitCADir, "readOnly": true}},
		"config": fluentBitConfig(clusterIDOf(g.env), esTarget{
			host: es.Release + "-es-http." + es.Namespace + ".svc", port: 9200, caFile: fluentBitCADir + "/ca.crt", user: "elastic",
		}),
	}
}

// workloadFluentBitValues are the values of a workload cluster's Fluent
// Bit: Elasticsearch through the C&C cluster's private ingress (its host
// name in the private zone, HTTPS on 443 with the ingress controller's
// certificate), as the user of the cluster's WorkloadShipperSecret.
func workloadFluentBitValues(env *inventory.Environment, es *inventory.App, clusterID string) map[string]any {
	return map[string]any{
		"env": []any{
			secretEnv(fluentBitUserEnv, WorkloadShipperSecret, "username"),
			secretEnv(fluentBitPasswordEnv, WorkloadShipperSecret, "password"),
		},
		"config": fluentBitConfig(clusterID, esTarget{host: env.HostName(es), port: 443}),
	}
}

// utilitiesValues is the name of Fluent Bit's values file in the
// provisioner's utilities tree (the file name the provisioner looks for).
const utilitiesValues = "fluent-bit_values.yaml"

// utilities renders out/<env>/utilities/, the values the provisioner
// installs its utilities with into the workload clusters it creates
// (--utilities-git-url/--utilities-git-path name this folder of this
// repository): Fluent Bit's, shipping to the central Elasticsearch. The
// top-level file serves every cluster; clusters/<id>/ holds one per
// workload cluster of the inventory, which also names the cluster in each
// log record. Nothing is rendered without a provisioner, or without an
// Elasticsearch the workload clusters can reach (one with a host on the
// private ingress).
//
// The per-cluster files differ in the cluster's ID alone, inside a literal
// block (the filters), where YAML prints any DNS label as it is: they are
// encoded once, with idMark for the ID, which is then replaced. A
// thousand-cluster environment is one encoding instead of a thousand.
func utilities(env *inventory.Environment) []utilityFile {
	es := env.EnabledApp("elasticsearch")
	if env.Provisioner == nil || es == nil || env.HostName(es) == "" {
		return nil
	}
	files := []utilityFile{{utilitiesValues, mustYAML(env.Name, utilitiesValues, workloadFluentBitValues(env, es, ""))}}
	marked := mustYAML(env.Name, utilitiesValues, workloadFluentBitValues(env, es, idMark))
	once := bytes.Count(marked, []byte(idMark)) == 1
	for _, wc := range env.WorkloadClusters {
		rel := "clusters/" + wc.ID + "/" + utilitiesValues
		var data []byte
		if once {
			data = bytes.Replace(marked, []byte(idMark), []byte(wc.ID), 1)
		} else { // the mark is elsewhere too: no shortcut
			data = mustYAML(env.Name, rel, workloadFluentBitValues(env, es, wc.ID))
		}
		files = append(files, utilityFile{rel, data})
	}
	return files
}

// idMark stands for a workload cluster's ID in utilities: a DNS label,
// as IDs are, that no inventory value is likely to hold (if one does, the
// files are encoded one by one).
const idMark = "fleetgen-workload-cluster-id-mark"

// utilityFile is one file of the utilities tree, relative to it.
type utilityFile struct {
	rel  string
	data []byte
}
