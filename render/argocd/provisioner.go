package argocd

import (
	"path"
	"strconv"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/internal/cluster"
	"github.com/mattermost/fleetgen/render/internal/emit"
	"github.com/mattermost/fleetgen/render/layout"
)

// The provisioner's ports (its --listen and --metrics-port defaults, which
// its image exposes), the user its image runs as, and where it looks for
// the SSH key pair ($HOME/.ssh; HOME is / in its image).
const (
	provisionerAPIPort     = 8075
	provisionerMetricsPort = 8076
	provisionerUID         = 10001
	provisionerSSHDir      = "/.ssh"
	// provisionerDatabaseKey is the key of database_secret holding the
	// PostgreSQL DSN, and the variable the container reads it from.
	provisionerDatabaseKey = "DATABASE"
)

// provisioner renders out/<env>/provisioner/: the Mattermost provisioner
// as plain objects, since no chart of it is published (docs/argocd.md).
// It follows the provisioner's own example manifests (its kubernetes/
// folder) where they still hold, and its current server where they do
// not: --utilities-git-url and --utilities-git-path are required now, the
// database schema is migrated by an init container before the server
// starts, AWS access is the ServiceAccount's IAM role (IRSA), never keys.
// The provisioner does not call the API of the cluster it runs in (it
// drives the clusters it creates with their own credentials), so its
// ServiceAccount gets no role and no API token: the IAM role's web
// identity token is a separate volume EKS injects.
func provisioner(env *inventory.Environment) []layout.File {
	p := env.Provisioner
	if p == nil {
		return nil
	}
	dir := layout.Provisioner(env.Name)
	labels := map[string]string{
		"app.kubernetes.io/name":       inventory.ProvisionerApp,
		"app.kubernetes.io/component":  "provisioner",
		"app.kubernetes.io/managed-by": cluster.ManagedBy["app.kubernetes.io/managed-by"],
	}
	meta := func(name string, annotations map[string]string) map[string]any {
		m := map[string]any{"name": name, "labels": labels}
		if annotations != nil {
			m["annotations"] = annotations
		}
		return m
	}
	secretEnv := []any{map[string]any{
		"name": provisionerDatabaseKey,
		"valueFrom": map[string]any{"secretKeyRef": map[string]any{
			"name": p.DatabaseSecret, "key": provisionerDatabaseKey,
		}},
	}}
	if env.Registration != nil {
		// The header value of its event subscription to fleetgen serve
		// (--header-from-env), docs/registration.md.
		secretEnv = append(secretEnv, map[string]any{
			"name": cluster.RegistrationSecretEnv,
			"valueFrom": map[string]any{"secretKeyRef": map[string]any{
				"name": cluster.RegistrationSecret, "key": cluster.RegistrationSecretKey,
			}},
		})
	}
	image := p.Image + ":" + p.Tag
	securityContext := map[string]any{
		"allowPrivilegeEscalation": false,
		"capabilities":             map[string]any{"drop": []any{"ALL"}},
	}
	objects := []struct {
		name string
		obj  map[string]any
	}{
		{"serviceaccount.yaml", map[string]any{
			"apiVersion": "v1", "kind": "ServiceAccount",
			"metadata":                     meta(inventory.ProvisionerApp, map[string]string{"eks.amazonaws.com/role-arn": p.RoleARN}),
			"automountServiceAccountToken": false,
		}},
		{"service.yaml", map[string]any{
			"apiVersion": "v1", "kind": "Service",
			"metadata": meta(inventory.ProvisionerApp, nil),
			"spec": map[string]any{
				"type":     "ClusterIP",
				"selector": map[string]any{"app.kubernetes.io/name": inventory.ProvisionerApp},
				"ports": []any{
					map[string]any{"name": "api", "port": provisionerAPIPort, "targetPort": "api"},
					map[string]any{"name": "metrics", "port": provisionerMetricsPort, "targetPort": "metrics"},
				},
			},
		}},
		{"deployment.yaml", map[string]any{
			"apiVersion": "apps/v1", "kind": "Deployment",
			"metadata": meta(inventory.ProvisionerApp, nil),
			"spec": map[string]any{
				"replicas": 1,
				// One provisioner at a time: a rolling update would run
				// the old and the new one against the same database.
				"strategy": map[string]any{"type": "Recreate"},
				"selector": map[string]any{"matchLabels": map[string]any{"app.kubernetes.io/name": inventory.ProvisionerApp}},
				"template": map[string]any{
					"metadata": map[string]any{"labels": labels},
					"spec": map[string]any{
						"serviceAccountName": inventory.ProvisionerApp,
						"securityContext": map[string]any{
							"runAsNonRoot": true, "runAsUser": provisionerUID, "runAsGroup": provisionerUID, "fsGroup": provisionerUID,
						},
						"initContainers": []any{map[string]any{
							"name": "init-database", "image": image,
							"args":            []any{"schema", "migrate", "--database", "$(" + provisionerDatabaseKey + ")"},
							"env":             secretEnv[:1], // the database only
							"securityContext": securityContext,
						}},
						"containers": []any{map[string]any{
							"name": "provisioner", "image": image,
							"args": []any{
								"server",
								"--listen", ":" + strconv.Itoa(provisionerAPIPort),
								"--metrics-port", strconv.Itoa(provisionerMetricsPort),
								"--state-store", p.StateStore,
								"--database", "$(" + provisionerDatabaseKey + ")",
								"--utilities-git-url", p.UtilitiesGitURL,
								"--utilities-git-path", p.UtilitiesGitPath,
								"--machine-readable-logs",
							},
							"env": append([]any{
								map[string]any{"name": "AWS_REGION", "value": env.Region},
								map[string]any{"name": "AWS_DEFAULT_REGION", "value": env.Region},
							}, secretEnv...),
							"ports": []any{
								map[string]any{"name": "api", "containerPort": provisionerAPIPort},
								map[string]any{"name": "metrics", "containerPort": provisionerMetricsPort},
							},
							"readinessProbe": map[string]any{"tcpSocket": map[string]any{"port": "api"}},
							"volumeMounts": []any{
								map[string]any{"name": "ssh", "mountPath": provisionerSSHDir, "readOnly": true},
								map[string]any{"name": "tmp", "mountPath": "/tmp"},
								map[string]any{"name": "helm", "mountPath": "/.helm"},
							},
							"securityContext": securityContext,
						}},
						"volumes": []any{
							map[string]any{"name": "ssh", "secret": map[string]any{"secretName": p.SSHSecret, "defaultMode": 0o440}},
							map[string]any{"name": "tmp", "emptyDir": map[string]any{}},
							map[string]any{"name": "helm", "emptyDir": map[string]any{}},
						},
					},
				},
			},
		}},
	}
	var files []layout.File
	var resources []string
	for _, o := range objects {
		resources = append(resources, o.name)
		files = append(files, yamlFile(path.Join(dir, o.name), env.Name, o.obj))
	}
	k := emit.NewKustomization(resources)
	k.Namespace = p.Namespace
	return append(files, yamlFile(path.Join(dir, layout.Kustomization), env.Name, k))
}

// provisionerApplication syncs out/<env>/provisioner.
func provisionerApplication(env *inventory.Environment) application {
	a := newApplication(env, inventory.ProvisionerApp, env.Provisioner.Namespace)
	g := env.GitOps
	a.Spec.Source = &appSource{RepoURL: g.RepoURL, Path: layout.Committed(layout.Provisioner(env.Name)), TargetRevision: g.Revision}
	return a
}
