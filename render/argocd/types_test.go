package argocd

// The argoproj.io/v1alpha1 Application fields fleetgen renders, mirrored
// from Argo CD's Go types (github.com/argoproj/argo-cd
// pkg/apis/application/v1alpha1/types.go) with the same JSON names, so a
// strict decode (unknown fields are errors) of a rendered Application
// proves every field it sets is one Argo CD has, under the name Argo CD
// reads. Fields fleetgen does not set are left out on purpose: one
// rendered by mistake fails the decode.

// argoApplication is v1alpha1.Application.
type argoApplication struct {
	APIVersion string              `yaml:"apiVersion"`
	Kind       string              `yaml:"kind"`
	Metadata   argoObjectMeta      `yaml:"metadata"`
	Spec       argoApplicationSpec `yaml:"spec"`
}

// argoObjectMeta is the part of metav1.ObjectMeta fleetgen sets.
type argoObjectMeta struct {
	Name        string            `yaml:"name"`
	Namespace   string            `yaml:"namespace"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
	Finalizers  []string          `yaml:"finalizers"`
}

// argoApplicationSpec is v1alpha1.ApplicationSpec.
type argoApplicationSpec struct {
	Source      *argoApplicationSource     `yaml:"source"`
	Destination argoApplicationDestination `yaml:"destination"`
	Project     string                     `yaml:"project"`
	SyncPolicy  *argoSyncPolicy            `yaml:"syncPolicy"`
	Sources     []argoApplicationSource    `yaml:"sources"`
}

// argoApplicationSource is v1alpha1.ApplicationSource.
type argoApplicationSource struct {
	RepoURL        string                     `yaml:"repoURL"`
	Path           string                     `yaml:"path"`
	TargetRevision string                     `yaml:"targetRevision"`
	Helm           *argoApplicationSourceHelm `yaml:"helm"`
	Chart          string                     `yaml:"chart"`
	Ref            string                     `yaml:"ref"`
}

// argoApplicationSourceHelm is v1alpha1.ApplicationSourceHelm.
type argoApplicationSourceHelm struct {
	ValueFiles  []string `yaml:"valueFiles"`
	ReleaseName string   `yaml:"releaseName"`
	SkipCrds    bool     `yaml:"skipCrds"`
}

// argoApplicationDestination is v1alpha1.ApplicationDestination.
type argoApplicationDestination struct {
	Server    string `yaml:"server"`
	Namespace string `yaml:"namespace"`
	Name      string `yaml:"name"`
}

// argoSyncPolicy is v1alpha1.SyncPolicy.
type argoSyncPolicy struct {
	Automated   *argoSyncPolicyAutomated `yaml:"automated"`
	SyncOptions []string                 `yaml:"syncOptions"`
	Retry       *argoRetryStrategy       `yaml:"retry"`
}

// argoRetryStrategy is v1alpha1.RetryStrategy.
type argoRetryStrategy struct {
	Limit   int64        `yaml:"limit"`
	Backoff *argoBackoff `yaml:"backoff"`
}

// argoBackoff is v1alpha1.Backoff.
type argoBackoff struct {
	Duration    string `yaml:"duration"`
	Factor      *int64 `yaml:"factor"`
	MaxDuration string `yaml:"maxDuration"`
}

// argoSyncPolicyAutomated is v1alpha1.SyncPolicyAutomated.
type argoSyncPolicyAutomated struct {
	Prune      bool `yaml:"prune"`
	SelfHeal   bool `yaml:"selfHeal"`
	AllowEmpty bool `yaml:"allowEmpty"`
}
