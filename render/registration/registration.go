package registration

import (
	"fmt"
	"path"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"gopkg.in/yaml.v3"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/internal/cluster"
	"github.com/mattermost/fleetgen/render/internal/emit"
	"github.com/mattermost/fleetgen/render/layout"
)

// Names of the objects, and where the pod finds what it mounts.
const (
	name          = "fleetgen-registration"
	SecretName    = cluster.RegistrationSecret // created by hand: keys SecretKey and DeployKey
	SecretKey     = cluster.RegistrationSecretKey
	DeployKey     = "ssh-privatekey"
	knownHostsMap = name + "-known-hosts"
	dataClaim     = name + "-data"
	port          = 8080
	servicePort   = 80
	dataDir       = "/var/lib/fleetgen"
	secretDir     = "/etc/fleetgen/secret"
	knownHostsDir = "/etc/fleetgen/known_hosts"
	uid           = 65532 // the image's non-root user
)

// files of the kustomization, in its resources order.
var files = []string{"namespace.yaml", "serviceaccount.yaml", "persistentvolumeclaim.yaml", "configmap.yaml",
	"deployment.yaml", "service.yaml", "networkpolicy.yaml"}

// Render renders the objects of env's registration service; none when it
// has no registration block.
func Render(env *inventory.Environment) ([]layout.File, hcl.Diagnostics) {
	r := env.Registration
	if r == nil {
		return nil, nil
	}
	dir := layout.Registration(env.Name)
	objects := []any{namespace(r), serviceAccount(r), claim(r), knownHosts(r), deployment(env, r), service(r), networkPolicy(r)}
	var out []layout.File
	for i, o := range objects {
		out = append(out, yamlFile(path.Join(dir, files[i]), env.Name, o))
	}
	out = append(out, yamlFile(path.Join(dir, layout.Kustomization), env.Name, emit.NewKustomization(files)))
	return out, nil
}

func yamlFile(p, env string, v any) layout.File {
	data, err := emit.YAML(env, v)
	if err != nil {
		panic(err) // our own types always encode
	}
	return layout.File{Path: p, Mode: layout.ModeFile, Data: data}
}

// m is a YAML mapping whose keys keep the order they are given in.
type m []any

func (o m) MarshalYAML() (any, error) {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for i := 0; i+1 < len(o); i += 2 {
		var k, v yaml.Node
		if err := k.Encode(o[i]); err != nil {
			return nil, err
		}
		if err := v.Encode(o[i+1]); err != nil {
			return nil, err
		}
		n.Content = append(n.Content, &k, &v)
	}
	return n, nil
}

func labels() map[string]string {
	l := map[string]string{"app.kubernetes.io/name": name, "app.kubernetes.io/component": "registration"}
	for k, v := range cluster.ManagedBy {
		l[k] = v
	}
	return l
}

var selector = map[string]string{"app.kubernetes.io/name": name}

func meta(n, namespace string) m {
	md := m{"name", n}
	if namespace != "" {
		md = append(md, "namespace", namespace)
	}
	return append(md, "labels", labels())
}

func namespace(r *inventory.Registration) m {
	return m{"apiVersion", "v1", "kind", "Namespace", "metadata", meta(r.Namespace, "")}
}

// serviceAccount has no token: the service never calls the Kubernetes API.
func serviceAccount(r *inventory.Registration) m {
	return m{"apiVersion", "v1", "kind", "ServiceAccount", "metadata", meta(name, r.Namespace),
		"automountServiceAccountToken", false}
}

// claim holds the event ledger: an event answered 200 is on it, so it
// must outlive the pod.
func claim(r *inventory.Registration) m {
	spec := m{"accessModes", []string{"ReadWriteOnce"}, "resources", m{"requests", m{"storage", r.StorageSize}}}
	if r.StorageClass != "" {
		spec = append(spec, "storageClassName", r.StorageClass)
	}
	return m{"apiVersion", "v1", "kind", "PersistentVolumeClaim", "metadata", meta(dataClaim, r.Namespace), "spec", spec}
}

func knownHosts(r *inventory.Registration) m {
	return m{"apiVersion", "v1", "kind", "ConfigMap", "metadata", meta(knownHostsMap, r.Namespace),
		"data", m{"known_hosts", strings.Join(r.KnownHosts, "\n") + "\n"}}
}

// Args is what the container runs: fleetgen serve for env.
func Args(env *inventory.Environment) []string {
	r := env.Registration
	return []string{"serve", "--env", env.Name, "--repo", r.PushURL, "--base", env.GitOps.Revision,
		"--provisioner-environment", r.ProvisionerEnvironment, "--data-dir", dataDir,
		"--secret-file", path.Join(secretDir, SecretKey), "--listen", fmt.Sprintf(":%d", port)}
}

// gitSSH makes git use the deploy key and the pinned host keys only: no
// agent, no user configuration, no key learned on first use.
var gitSSH = "ssh -F /dev/null -i " + path.Join(secretDir, DeployKey) + " -o IdentitiesOnly=yes -o IdentityAgent=none" +
	" -o StrictHostKeyChecking=yes -o UserKnownHostsFile=" + path.Join(knownHostsDir, "known_hosts")

// deployment runs one replica (the ledger has one writer; Recreate, so an
// update never runs two), as a non-root user on a read-only root file
// system, with no capability.
func deployment(env *inventory.Environment, r *inventory.Registration) m {
	probe := func(p string) m {
		return m{"httpGet", m{"path", p, "port", "http"}, "periodSeconds", 10}
	}
	container := m{
		"name", "serve",
		"image", r.Image,
		"args", Args(env),
		"env", []m{{"name", "GIT_SSH_COMMAND", "value", gitSSH}, {"name", "HOME", "value", "/tmp"}},
		"ports", []m{{"name", "http", "containerPort", port, "protocol", "TCP"}},
		"livenessProbe", probe("/healthz"),
		"readinessProbe", probe("/readyz"),
		"resources", m{"requests", m{"cpu", "100m", "memory", "128Mi"}, "limits", m{"memory", "512Mi"}},
		"securityContext", m{"allowPrivilegeEscalation", false, "readOnlyRootFilesystem", true,
			"capabilities", m{"drop", []string{"ALL"}}},
		"volumeMounts", []m{
			{"name", "data", "mountPath", dataDir},
			{"name", "secret", "mountPath", secretDir, "readOnly", true},
			{"name", "known-hosts", "mountPath", knownHostsDir, "readOnly", true},
			{"name", "tmp", "mountPath", "/tmp"},
		},
	}
	pod := m{
		"serviceAccountName", name,
		"automountServiceAccountToken", false,
		"securityContext", m{"runAsNonRoot", true, "runAsUser", uid, "runAsGroup", uid, "fsGroup", uid,
			"seccompProfile", m{"type", "RuntimeDefault"}},
		// SIGTERM finishes the publication under way (docs/registration.md).
		"terminationGracePeriodSeconds", 120,
		"containers", []m{container},
		"volumes", []m{
			{"name", "data", "persistentVolumeClaim", m{"claimName", dataClaim}},
			{"name", "secret", "secret", m{"secretName", SecretName, "defaultMode", 0o400}},
			{"name", "known-hosts", "configMap", m{"name", knownHostsMap}},
			{"name", "tmp", "emptyDir", m{}},
		},
	}
	return m{"apiVersion", "apps/v1", "kind", "Deployment", "metadata", meta(name, r.Namespace),
		"spec", m{"replicas", 1, "strategy", m{"type", "Recreate"}, "selector", m{"matchLabels", selector},
			"template", m{"metadata", m{"labels", labels()}, "spec", pod}}}
}

func service(r *inventory.Registration) m {
	return m{"apiVersion", "v1", "kind", "Service", "metadata", meta(name, r.Namespace),
		"spec", m{"type", "ClusterIP", "selector", selector,
			"ports", []m{{"name", "http", "port", servicePort, "targetPort", "http", "protocol", "TCP"}}}}
}

// URL is where the provisioner sends events, inside the cluster.
func URL(r *inventory.Registration) string {
	return fmt.Sprintf("http://%s.%s.svc/events", name, r.Namespace)
}

// networkPolicy lets in only the provisioner's pods, and out only DNS and
// SSH (the git server; Kubernetes cannot name a host outside the cluster).
func networkPolicy(r *inventory.Registration) m {
	from := func(ns string) m {
		return m{"namespaceSelector", m{"matchLabels", m{"kubernetes.io/metadata.name", ns}}}
	}
	ports := func(proto string, p ...int) []m {
		var out []m
		for _, n := range p {
			out = append(out, m{"protocol", proto, "port", n})
		}
		return out
	}
	return m{"apiVersion", "networking.k8s.io/v1", "kind", "NetworkPolicy", "metadata", meta(name, r.Namespace),
		"spec", m{
			"podSelector", m{"matchLabels", selector},
			"policyTypes", []string{"Ingress", "Egress"},
			"ingress", []m{{"from", []m{from(r.ProvisionerNamespace)}, "ports", ports("TCP", port)}},
			"egress", []m{
				{"ports", append(ports("UDP", 53), ports("TCP", 53)...)},
				{"ports", ports("TCP", 22)},
			},
		}}
}
