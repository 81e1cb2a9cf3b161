package argocd

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/internal/rendertest"
	"github.com/mattermost/fleetgen/render/layout"
)

// TestProvisioner builds out/<env>/provisioner of the examples with
// kustomize's library, as Argo CD does, and checks what the provisioner
// needs to start (its current server's flags, the schema migrated first,
// the database DSN and SSH keys from Secrets) and what keeps it safe (AWS
// through the ServiceAccount's role, no static key, no API token, one
// provisioner at a time, a non-root user).
func TestProvisioner(t *testing.T) {
	var checked int
	for _, env := range rendertest.LoadInventory(t, rendertest.Examples()).Environments {
		p := env.Provisioner
		if p == nil {
			continue
		}
		checked++
		stream, err := rendertest.KustomizeBuild(t, render(t, env), layout.Provisioner(env.Name)).AsYaml()
		if err != nil {
			t.Fatal(err)
		}
		objs := map[string]map[string]any{}
		dec := yaml.NewDecoder(bytes.NewReader(stream))
		for {
			var o map[string]any
			if err := dec.Decode(&o); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatal(err)
			}
			if ns := o["metadata"].(map[string]any)["namespace"]; ns != p.Namespace {
				t.Errorf("%s: %s in namespace %v, want %s", env.Name, o["kind"], ns, p.Namespace)
			}
			objs[o["kind"].(string)] = o
		}
		if len(objs) != 3 || objs["Deployment"] == nil || objs["Service"] == nil || objs["ServiceAccount"] == nil {
			t.Fatalf("%s: provisioner/ builds to %v, want a Deployment, a Service and a ServiceAccount", env.Name, len(objs))
		}
		sa := objs["ServiceAccount"]
		if sa["automountServiceAccountToken"] != false || rendertest.Dig(sa, "metadata", "annotations", "eks.amazonaws.com/role-arn") != p.RoleARN {
			t.Errorf("%s: ServiceAccount %v", env.Name, sa)
		}
		spec := rendertest.Dig(objs["Deployment"], "spec").(map[string]any)
		if rendertest.Dig(spec, "strategy", "type") != "Recreate" || spec["replicas"] != 1 {
			t.Errorf("%s: replicas %v, strategy %v: want one provisioner at a time", env.Name, spec["replicas"], spec["strategy"])
		}
		pod := rendertest.Dig(spec, "template", "spec").(map[string]any)
		if pod["serviceAccountName"] != inventory.ProvisionerApp || rendertest.Dig(pod, "securityContext", "runAsNonRoot") != true {
			t.Errorf("%s: pod %v", env.Name, pod)
		}
		image := p.Image + ":" + p.Tag
		initC := pod["initContainers"].([]any)[0].(map[string]any)
		if initC["image"] != image || !slices.Equal(toStrings(t, initC["args"]), []string{"schema", "migrate", "--database", "$(DATABASE)"}) {
			t.Errorf("%s: init container %v", env.Name, initC)
		}
		c := pod["containers"].([]any)[0].(map[string]any)
		args := toStrings(t, c["args"])
		for flag, want := range map[string]string{
			"--state-store": p.StateStore, "--database": "$(DATABASE)",
			"--utilities-git-url": p.UtilitiesGitURL, "--utilities-git-path": p.UtilitiesGitPath,
			"--listen": ":8075", "--metrics-port": "8076",
		} {
			if i := slices.Index(args, flag); i < 0 || i+1 >= len(args) || args[i+1] != want {
				t.Errorf("%s: args %v: want %s %s", env.Name, args, flag, want)
			}
		}
		if c["image"] != image || args[0] != "server" {
			t.Errorf("%s: container %v %v", env.Name, c["image"], args)
		}
		for _, e := range append(c["env"].([]any), initC["env"].([]any)...) {
			e := e.(map[string]any)
			switch e["name"] {
			case "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY":
				t.Errorf("%s: static AWS key %v", env.Name, e["name"])
			case "DATABASE":
				if rendertest.Dig(e, "valueFrom", "secretKeyRef", "name") != p.DatabaseSecret {
					t.Errorf("%s: DATABASE %v", env.Name, e)
				}
			}
		}
		if rendertest.Dig(pod, "volumes").([]any)[0].(map[string]any)["secret"].(map[string]any)["secretName"] != p.SSHSecret {
			t.Errorf("%s: SSH keys not from %s", env.Name, p.SSHSecret)
		}
	}
	if checked == 0 {
		t.Fatal("no example environment has a provisioner")
	}
}
