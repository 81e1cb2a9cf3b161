package registration_test

import (
	"path"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/yaml"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/internal/rendertest"
	"github.com/mattermost/fleetgen/render/layout"
	"github.com/mattermost/fleetgen/render/registration"
)

func prod(t *testing.T) *inventory.Environment {
	t.Helper()
	for _, env := range rendertest.LoadInventory(t, rendertest.Examples()).Environments {
		if env.Name == "prod" {
			if env.Registration == nil {
				t.Fatal("the prod example has no registration block")
			}
			return env
		}
	}
	t.Fatal("no prod example")
	return nil
}

// strict decodes one rendered object into its real Kubernetes API type,
// refusing a field the type does not have.
func strict[T any](t *testing.T, files []layout.File, name string) *T {
	t.Helper()
	var v T
	data := rendertest.FileData(t, files, path.Join(layout.Registration("prod"), name))
	if err := yaml.UnmarshalStrict(data, &v); err != nil {
		t.Fatalf("%s is not a valid %T: %v", name, v, err)
	}
	return &v
}

// The objects are Kubernetes objects of the API's own types, hang
// together (service to pod, mounts to volumes, the policy to the
// provisioner's namespace) and build with kustomize from the k8s/
// kustomization the fleetgen-k8s Application syncs.
func TestObjectsAreKubernetesObjectsThatHangTogether(t *testing.T) {
	env := prod(t)
	files, diags := registration.Render(env)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	for _, f := range files {
		rendertest.CheckFileGuarantees(t, f)
	}
	ns := strict[corev1.Namespace](t, files, "namespace.yaml")
	sa := strict[corev1.ServiceAccount](t, files, "serviceaccount.yaml")
	pvc := strict[corev1.PersistentVolumeClaim](t, files, "persistentvolumeclaim.yaml")
	cm := strict[corev1.ConfigMap](t, files, "configmap.yaml")
	dep := strict[appsv1.Deployment](t, files, "deployment.yaml")
	svc := strict[corev1.Service](t, files, "service.yaml")
	np := strict[networkingv1.NetworkPolicy](t, files, "networkpolicy.yaml")

	r := env.Registration
	for _, o := range []string{sa.Namespace, pvc.Namespace, cm.Namespace, dep.Namespace, svc.Namespace, np.Namespace} {
		if o != ns.Name || o != r.Namespace {
			t.Errorf("an object is in namespace %q, want %q", o, r.Namespace)
		}
	}
	pod := dep.Spec.Template.Spec
	if pod.ServiceAccountName != sa.Name || *dep.Spec.Replicas != 1 || dep.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
		t.Errorf("deployment: service account %q, replicas %d, strategy %s", pod.ServiceAccountName, *dep.Spec.Replicas, dep.Spec.Strategy.Type)
	}
	if !selects(svc.Spec.Selector, dep.Spec.Template.Labels) || !selects(dep.Spec.Selector.MatchLabels, dep.Spec.Template.Labels) ||
		!selects(np.Spec.PodSelector.MatchLabels, dep.Spec.Template.Labels) {
		t.Error("the service, the deployment or the network policy does not select the pod")
	}
	c := pod.Containers[0]
	if c.Image != r.Image || svc.Spec.Ports[0].TargetPort.StrVal != c.Ports[0].Name {
		t.Errorf("container image %q, service target %v, container port %q", c.Image, svc.Spec.Ports[0].TargetPort, c.Ports[0].Name)
	}
	volumes := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		volumes[v.Name] = v
	}
	for _, mnt := range c.VolumeMounts {
		if _, ok := volumes[mnt.Name]; !ok {
			t.Errorf("mount %s has no volume", mnt.Name)
		}
	}
	if volumes["data"].PersistentVolumeClaim.ClaimName != pvc.Name || volumes["known-hosts"].ConfigMap.Name != cm.Name ||
		volumes["secret"].Secret.SecretName != registration.SecretName {
		t.Error("a volume does not name the object rendered for it")
	}
	if got := pvc.Spec.Resources.Requests.Storage().String(); got != r.StorageSize {
		t.Errorf("ledger volume %s, want %s", got, r.StorageSize)
	}
	if got := cm.Data["known_hosts"]; got != strings.Join(r.KnownHosts, "\n")+"\n" {
		t.Errorf("known_hosts %q", got)
	}
	sec := c.SecurityContext
	if *pod.SecurityContext.RunAsNonRoot != true || *sec.ReadOnlyRootFilesystem != true || *sec.AllowPrivilegeEscalation || len(sec.Capabilities.Drop) != 1 ||
		*pod.AutomountServiceAccountToken || *sa.AutomountServiceAccountToken {
		t.Error("the pod is not locked down: non-root, read-only root, no privilege escalation, no capability, no API token")
	}
	var gitSSH string
	for _, e := range c.Env {
		if e.Name == "GIT_SSH_COMMAND" {
			gitSSH = e.Value
		}
	}
	for _, want := range []string{"StrictHostKeyChecking=yes", "UserKnownHostsFile=/etc/fleetgen/known_hosts/known_hosts", "IdentitiesOnly=yes", "-F /dev/null"} {
		if !strings.Contains(gitSSH, want) {
			t.Errorf("GIT_SSH_COMMAND %q lacks %s", gitSSH, want)
		}
	}
	from := np.Spec.Ingress[0].From[0].NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"]
	if p := env.Provisioner; p == nil || from != p.Namespace || len(np.Spec.Ingress) != 1 {
		t.Errorf("events are let in from namespace %q only; want the provisioner's", from)
	}

	// The k8s/ kustomization lists the folder; the whole k8s/ tree builds.
	all := append(files, argocdK8s(t, env)...)
	m := rendertest.KustomizeBuild(t, all, layout.K8s("prod"))
	var kinds []string
	for _, res := range m.Resources() {
		if res.GetNamespace() == r.Namespace || res.GetKind() == "Namespace" {
			kinds = append(kinds, res.GetKind())
		}
	}
	slices.Sort(kinds)
	want := []string{"ConfigMap", "Deployment", "Namespace", "NetworkPolicy", "PersistentVolumeClaim", "Service", "ServiceAccount"}
	if !slices.Equal(kinds, want) {
		t.Errorf("kustomize build of k8s/ gives %v, want %v", kinds, want)
	}
}

func selects(selector, labels map[string]string) bool {
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return len(selector) > 0
}

// An environment without a registration block renders nothing.
func TestNoBlockNoObjects(t *testing.T) {
	env := prod(t)
	env.Registration = nil
	if files, diags := registration.Render(env); len(files) != 0 || len(diags) != 0 {
		t.Errorf("got %d files, %v", len(files), diags)
	}
}
