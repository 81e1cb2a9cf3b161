package inventory

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/mattermost/fleetgen/internal/suggest"
)

func (c *checker) apps(env *Environment) {
	seen := firstSeen{}
	var anyPublic bool
	var nginx *App
	for _, app := range env.Apps {
		if earlier, dup := seen.dup(app.Name, app.NameRange); dup {
			c.errorf(app.NameRange, "Duplicate app", "The app %q was already declared at %s; each app is declared once.", app.Name, earlier)
			continue
		}
		c.app(&env.DNS, app)
		if !app.Enabled {
			continue
		}
		c.reservedAppName(app)
		if app.Name == ProvisionerApp {
			c.errorf(app.NameRange, "No chart of the provisioner",
				"No Helm repository publishes a chart of the provisioner (mattermost/mattermost-cloud; https://helm.mattermost.com has no chart %q at any version), so an app %q could never sync. Declare it with a provisioner block instead: fleetgen renders it as plain Kubernetes objects (docs/argocd.md).", ProvisionerApp, app.Name)
		}
		anyPublic = anyPublic || app.Public()
		if app.Name == "nginx" {
			nginx = app
		}
	}
	for _, app := range env.Apps {
		if app.Enabled && app.Host != "" && appHost.re.MatchString(app.Host) {
			c.ingress(env, app)
		}
	}
	c.fluentdBesideElasticsearch(env)
	c.fluentdChartVersion(env)
	c.fluentdClient(env)
	c.operators(env)
	c.provisioner(env)
	c.workloadLogs(env)
	if nginx != nil && !anyPublic {
		c.warnf(nginx.NameRange, "Public ingress without public apps",
			"The app \"nginx\" is the public ingress, but no enabled app has visibility = %q; it would expose an internet-facing load balancer for nothing. Remove it or set enabled = false.", VisibilityPublic)
	}
}

// Argo CD Applications fleetgen makes itself: Terraform layer 2's root
// Application, and the Application of out/<env>/k8s.
const (
	RootApplication = "root"
	K8sApplication  = "fleetgen-k8s"
)

// reservedAppNames are the Application names no app may take: each app is
// delivered by an Application named after it.
var reservedAppNames = []string{RootApplication, K8sApplication}

func (c *checker) reservedAppName(app *App) {
	if slices.Contains(reservedAppNames, app.Name) {
		c.errorf(app.NameRange, "Reserved app name",
			"The app name %q is the name of an Argo CD Application fleetgen makes itself (%s); give the app another name.",
			app.Name, strings.Join(reservedAppNames, ", "))
	}
}

// ingress checks that an app with a host has its ingress controller, and
// that its values carry no annotation only the other controller reads: an
// ignored auth-url annotation would leave a public app open to the
// internet without anyone noticing.
func (c *checker) ingress(env *Environment, app *App) {
	controller := env.EnabledApp(app.IngressApp())
	if controller == nil {
		c.errorf(app.HostRange, "Ingress controller not enabled",
			"The app %q has a host, so its Ingress is served by the app %q, which is not enabled. Enable %q or remove the host.", app.Name, app.IngressApp(), app.IngressApp())
		return
	}
	c.ingressCertificate(app, controller)
	if _, known := IngressAnnotationPrefixes[controller.Chart]; !known || app.Values == cty.NilVal {
		return
	}
	var foreign []string
	walkValues(app.Values, "values", func(_, key string, _ cty.Value) {
		for chart, prefixes := range IngressAnnotationPrefixes {
			if chart != controller.Chart && slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(key, p) }) {
				foreign = append(foreign, key)
			}
		}
	})
	if len(foreign) > 0 {
		slices.Sort(foreign)
		c.errorf(app.ValuesRange, "Annotations of another ingress controller",
			"The values of %q set %s, but its Ingress is served by the app %q with the chart %q, which ignores them. Use that controller's annotations (%s…).",
			app.Name, strings.Join(foreign, ", "), controller.Name, controller.Chart, strings.Join(IngressAnnotationPrefixes[controller.Chart], "…, "))
	}
}

// fluentdBesideElasticsearch: the default fluentd and fluent-bit values
// read the credentials and CA that ECK writes as Secrets in
// Elasticsearch's namespace, and a pod can only mount Secrets of its own
// namespace.
func (c *checker) fluentdBesideElasticsearch(env *Environment) {
	es := env.EnabledApp("elasticsearch")
	for _, name := range []string{"fluentd", "fluent-bit"} {
		shipper := env.EnabledApp(name)
		if shipper == nil || es == nil || shipper.Chart != KnownApps[name].Chart || shipper.Namespace == es.Namespace {
			continue
		}
		c.errorf(at(shipper.NamespaceRange, at(es.NamespaceRange, shipper.DeclRange)), "Log shipper outside the Elasticsearch namespace",
			"%s reads the Secrets that Elasticsearch's operator writes in the namespace %q, so it must run there, not in %q.", name, es.Namespace, shipper.Namespace)
	}
}

// FluentdVariantChart is the first fluentd chart with the variant value
// that picks the image's output plugin. Before it the image is fixed to the
// elasticsearch7 variant, so the elasticsearch8 variant the generated
// values ask for would be ignored without a word.
const FluentdVariantChart = "0.6.0"

// fluentdChartVersion: the fluentd values that ship logs to Elasticsearch
// need a chart that reads variant.
func (c *checker) fluentdChartVersion(env *Environment) {
	fluentd, es := env.EnabledApp("fluentd"), env.EnabledApp("elasticsearch")
	if fluentd == nil || es == nil || fluentd.Chart != KnownApps["fluentd"].Chart {
		return
	}
	v, err := semver.StrictNewVersion(fluentd.Version)
	if err != nil || !v.LessThan(semver.MustParse(FluentdVariantChart)) {
		return // a malformed version is reported by the version check
	}
	c.errorf(at(fluentd.VersionRange, fluentd.DeclRange), "Fluentd chart too old",
		"The fluentd chart %q has no variant value, so its image stays on the elasticsearch7 output plugin and cannot use the values fleetgen generates for Elasticsearch 8; use version %q or later.", fluentd.Version, FluentdVariantChart)
}

func (c *checker) app(dns *DNS, app *App) {
	nameOK := c.check(appName, app.Name, app.NameRange)
	if c.check(appVersion, app.Version, app.VersionRange) && app.Enabled {
		c.exactVersion(app)
	}
	if set(app.HostRange) {
		c.check(appHost, app.Host, app.HostRange)
	}
	c.enum("Invalid visibility", "visibility", app.Visibility, app.VisibilityRange, VisibilityPrivate, VisibilityPublic)

	for _, attr := range []struct {
		name, value string
		rng         hcl.Range
		check       func(string, hcl.Range)
	}{
		{"chart", app.Chart, app.ChartRange, func(v string, r hcl.Range) { c.check(chartName, v, r) }},
		{"repository", app.Repository, app.RepositoryRange, func(v string, r hcl.Range) {
			c.httpURL("Invalid chart repository", "repository", v, r, "https", "oci")
		}},
		{"namespace", app.Namespace, app.NamespaceRange, func(v string, r hcl.Range) { c.check(appNamespace, v, r) }},
	} {
		if !app.Known && !set(attr.rng) {
			c.errorf(app.DeclRange, "Missing required argument",
				"The custom app %q needs %q: only the known apps (%s) have defaults.%s", app.Name, attr.name, strings.Join(knownAppNames(), ", "), suggest.DidYouMean(app.Name, slices.Sorted(maps.Keys(KnownApps))))
			continue
		}
		attr.check(attr.value, at(attr.rng, app.DeclRange))
	}

	switch {
	case set(app.ReleaseRange):
		c.check(releaseName, app.Release, app.ReleaseRange)
	case nameOK && !releaseName.re.MatchString(app.Release):
		c.errorf(app.NameRange, "Invalid Helm release name",
			"The app's default release name %q is longer than Helm's 53 characters; set a shorter release.", app.Release)
	}

	c.appValues(app)
	if app.Enabled && app.Public() {
		c.publicApp(dns, app)
	}
}

// exactVersion: a chart is pinned to one exact SemVer version. Argo CD
// resolves a range ("*", ">=8.0.0") or "latest" to whatever the
// repository serves at sync time, so the same commit of out/ would deploy
// different charts on different days, and a hydrated environment's chart
// cache locks one archive per exact version.
func (c *checker) exactVersion(app *App) {
	if _, err := semver.StrictNewVersion(app.Version); err != nil {
		c.errorf(at(app.VersionRange, app.DeclRange), "Chart version not exact",
			"The chart of the app %q must be pinned to one exact SemVer version such as \"1.4.2\", so that a commit of out/ always deploys the same chart; %q is a range, a tag or an incomplete version.", app.Name, app.Version)
	}
}

func knownAppNames() []string {
	names := make([]string, 0, len(KnownApps))
	for name := range KnownApps {
		names = append(names, fmt.Sprintf("%q", name))
	}
	slices.Sort(names)
	return names
}

// appValues checks that values is an object and holds no literal credentials.
func (c *checker) appValues(app *App) {
	v := app.Values
	if v == cty.NilVal {
		return
	}
	if v.IsNull() || !(v.Type().IsObjectType() || v.Type().IsMapType()) {
		c.errorf(app.ValuesRange, "Invalid app values",
			"The values of app %q must be an object of Helm value overrides, such as { replicas = 2 }.", app.Name)
		return
	}
	walkValues(v, "values", func(path string, key string, val cty.Value) {
		if credentialKey(key) && !tlsSecretRef(path) && val.Type() == cty.String && val.IsKnown() && !val.IsNull() && val.AsString() != "" {
			c.credentialf(app.ValuesRange,
				"The %s of app %q looks like a credential. The inventory holds no secrets: keep it in a Kubernetes Secret and reference that Secret instead (for example existingSecret, if the chart supports it).", path, app.Name)
		}
	})
}

// credentialSuffixes end the key names that hold credentials, compared in
// lower case without "_" and "-".
var credentialSuffixes = []string{"password", "passwd", "secret", "token", "apikey", "accesskey", "privatekey", "routingkey", "servicekey", "webhookurl"}

// referenceSuffixes end key names that name a Secret rather than hold one
// (envFromSecret, imagePullSecret, the auth-secret annotation).
var referenceSuffixes = []string{"fromsecret", "pullsecret", "authsecret", "tlssecret"}

// credentialKey reports whether a values key names a credential rather than
// a reference to one (existingSecret and its kin).
func credentialKey(key string) bool {
	k := strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(key))
	if strings.HasPrefix(k, "existing") || hasAnySuffix(k, referenceSuffixes) {
		return false
	}
	return hasAnySuffix(k, credentialSuffixes)
}

// tlsSecretRef reports whether path is the secret of a TLS block, such as
// F5 NGINX's controller.wildcardTLS.secret: it names the Secret that holds
// a certificate ("<namespace>/<name>"); the certificate itself would be
// the block's cert and key.
func tlsSecretRef(path string) bool {
	return strings.HasSuffix(strings.ToLower(path), "tls.secret")
}

func hasAnySuffix(s string, suffixes []string) bool {
	return slices.ContainsFunc(suffixes, func(suf string) bool { return strings.HasSuffix(s, suf) })
}

// walkValues calls fn for every object key under v, with its path.
func walkValues(v cty.Value, path string, fn func(path, key string, val cty.Value)) {
	if v.IsNull() || !v.IsKnown() || !v.CanIterateElements() {
		return
	}
	keyed := v.Type().IsObjectType() || v.Type().IsMapType()
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		p := fmt.Sprintf("%s[%s]", path, k.GoString())
		var key string
		if keyed {
			key = k.AsString()
			p = path + "." + key
			if !hclIdentifier.MatchString(key) {
				p = fmt.Sprintf("%s[%q]", path, key)
			}
			fn(p, key, e)
		} else if k.Type() == cty.Number {
			p = fmt.Sprintf("%s[%s]", path, k.AsBigFloat().String())
		}
		walkValues(e, p, fn)
	}
}

var hclIdentifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// authAnnotation is an ingress annotation that puts authentication in
// front of an app: ingress-nginx's auth-url, auth-type, auth-secret …, or
// the basic-auth-secret and JWT annotations of F5 NGINX's nginx-ingress,
// the default ingress controller chart.
var authAnnotation = regexp.MustCompile(`^(nginx\.ingress\.kubernetes\.io/auth-|nginx\.org/basic-auth-secret$|nginx\.com/jwt-key$)`)

// publicApp checks what an app reachable from the internet needs.
func (c *checker) publicApp(dns *DNS, app *App) {
	if dns.PublicZoneID == "" || dns.PublicDomain == "" {
		c.errorf(app.VisibilityRange, "Public app without a public zone",
			"The app %q is public, so it is registered in the public DNS zone; set public_zone_id and public_domain in the dns block.", app.Name)
	}
	var hasAuth bool
	if app.Values != cty.NilVal {
		walkValues(app.Values, "values", func(_, key string, _ cty.Value) {
			hasAuth = hasAuth || authAnnotation.MatchString(key)
		})
	}
	if !hasAuth {
		c.warnf(app.VisibilityRange, "Public app without authentication",
			"The app %q is reachable from the internet, but its values set no ingress authentication annotation (F5 NGINX's nginx.org/basic-auth-secret or nginx.com/jwt-key, ingress-nginx's nginx.ingress.kubernetes.io/auth-…). Make sure the app authenticates its users itself.", app.Name)
	}
}

// wildcardCertificate are the values by which each ingress controller
// chart is given the certificate of every ingress host under TLS without
// a secretName of its own: F5 NGINX's controller.wildcardTLS.secret,
// ingress-nginx's --default-ssl-certificate. Both name a Secret of type
// kubernetes.io/tls as "<namespace>/<name>".
var wildcardCertificate = map[string][]string{
	ChartF5NGINX:      {"controller", "wildcardTLS", "secret"},
	ChartIngressNGINX: {"controller", "extraArgs", "default-ssl-certificate"},
}

// ingressCertificate: every Ingress fleetgen generates puts its host under
// TLS without a secretName, so the controller must be given the
// certificate to present; without it F5 NGINX refuses the handshake.
func (c *checker) ingressCertificate(app, controller *App) {
	path, known := wildcardCertificate[controller.Chart]
	if !known {
		return
	}
	if secret := valueAt(controller.Values, path); secret != "" {
		if ns, name, ok := strings.Cut(secret, "/"); !ok || !dnsLabel.MatchString(ns) || !dnsSubdomain.MatchString(name) {
			c.errorf(controller.ValuesRange, "Invalid certificate Secret",
				"The values of %q set %s to %q; it names the TLS Secret of the ingress hosts as \"<namespace>/<name>\", such as \"network/wildcard-tls\".", controller.Name, strings.Join(path, "."), secret)
		}
		return
	}
	c.errorf(app.HostRange, "Ingress without a certificate",
		"The app %q has a host, so its Ingress serves it over TLS with the certificate of the ingress controller %q, which declares none. Set values.%s on %q to the Secret (of type kubernetes.io/tls, made by cert-manager or by hand) that holds the certificate of the zone's hosts, as \"<namespace>/<name>\".",
		app.Name, controller.Name, strings.Join(path, "."), controller.Name)
}

var (
	dnsLabel     = regexp.MustCompile(dnsLabelRe)
	dnsSubdomain = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$`)
)

// valueAt is the string at path in values, or "".
func valueAt(values cty.Value, path []string) string {
	v := values
	for _, key := range path {
		if v == cty.NilVal || v.IsNull() || !v.IsKnown() || !(v.Type().IsObjectType() || v.Type().IsMapType()) {
			return ""
		}
		if v.Type().IsObjectType() && !v.Type().HasAttribute(key) || v.Type().IsMapType() && !v.HasIndex(cty.StringVal(key)).True() {
			return ""
		}
		if v.Type().IsMapType() {
			v = v.Index(cty.StringVal(key))
		} else {
			v = v.GetAttr(key)
		}
	}
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return ""
	}
	return v.AsString()
}

// operators: an app whose chart only creates custom resources needs the
// app whose chart installs their CRDs and operator; without it Argo CD
// cannot even apply them.
func (c *checker) operators(env *Environment) {
	for _, app := range env.Apps {
		op, ok := Operators[app.Name]
		if !ok || !app.Enabled || !app.Known || app.Chart != KnownApps[app.Name].Chart || env.EnabledApp(op) != nil {
			continue
		}
		c.errorf(app.NameRange, "Operator not enabled",
			"The chart %q of the app %q creates custom resources that only the app %q installs (its CRDs and operator); add app %q (chart %q).",
			app.Chart, app.Name, op, op, KnownApps[op].Chart)
	}
}

// Formats of the provisioner block.
var (
	provisionerTag   = newFormat("provisioner tag", `it is the exact release tag of the provisioner's image, such as "v0.93.1": never "latest", which would deploy whatever was pushed last`, `^v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`)
	containerImage   = newFormat("container image", `it is an image name without a tag, such as "mattermost/mattermost-cloud"; the tag is the tag attribute`, `^[a-z0-9]+([._-][a-z0-9]+)*(\.[a-z0-9-]+(:[0-9]+)?)?(/[a-z0-9]+([._-][a-z0-9]+)*)*$`)
	s3Bucket         = newFormat("S3 bucket name", "an S3 bucket name is 3 to 63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit", `^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	secretName       = newFormat("Secret name", "a Kubernetes Secret name is a DNS subdomain: lower-case letters, digits, '-' and '.'", dnsSubdomain.String())
	utilitiesGitPath = newFormat("utilities path", "it is a folder of the utilities repository, relative, such as \"out/prod/utilities\"", `^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$`)
)

// provisioner checks the provisioner block, and that no app takes the
// name of its Application.
func (c *checker) provisioner(env *Environment) {
	p := env.Provisioner
	if p == nil {
		return
	}
	c.check(containerImage, p.Image, at(p.ImageRange, p.DeclRange))
	c.check(provisionerTag, p.Tag, p.TagRange)
	c.check(appNamespace, p.Namespace, at(p.NamespaceRange, p.DeclRange))
	c.check(roleARN, p.RoleARN, p.RoleARNRange)
	c.check(s3Bucket, p.StateStore, p.StateStoreRange)
	c.check(secretName, p.DatabaseSecret, p.DatabaseSecretRange)
	c.check(secretName, p.SSHSecret, p.SSHSecretRange)
	c.httpURL("Invalid utilities repository", "utilities_git_url", p.UtilitiesGitURL, at(p.UtilitiesGitURLRange, p.DeclRange), "https")
	if !set(p.UtilitiesGitPathRange) {
		c.errorf(p.DeclRange, "Missing required argument",
			"The provisioner needs utilities_git_path: current servers refuse to start without --utilities-git-path, the folder of the utilities repository with the values of what it installs into each cluster it creates.")
	} else {
		c.check(utilitiesGitPath, p.UtilitiesGitPath, p.UtilitiesGitPathRange)
	}
}

// workloadLogs: the provisioner's workload clusters ship their logs to
// Elasticsearch through the private ingress, at its host in the private
// zone (out/<env>/utilities); an Elasticsearch without a host, or on the
// public ingress, leaves them without a destination or sends them over
// the internet.
func (c *checker) workloadLogs(env *Environment) {
	es := env.EnabledApp("elasticsearch")
	if env.Provisioner == nil || es == nil {
		return
	}
	switch {
	case es.Public():
		c.errorf(es.VisibilityRange, "Elasticsearch on the public ingress",
			"The workload clusters of the provisioner ship their logs to the app %q through the private ingress; make it private (the default), so Elasticsearch is not reachable from the internet.", es.Name)
	case es.Host == "":
		c.warnf(es.NameRange, "Workload logs without a destination",
			"The environment has a provisioner, whose workload clusters ship their logs to Elasticsearch on the private ingress, but the app %q has no host, so they cannot reach it and fleetgen renders no log shipper values for them. Set host (such as \"elasticsearch\").", es.Name)
	}
}

// fluentdClient: fluentd's newest image variant for Elasticsearch is
// elasticsearch8 (the fluentd chart's variants), while the eck-elasticsearch
// chart runs the Elasticsearch its values' version names, 9 since chart
// 0.17 (9.5.0 for 0.20.0): the client would be a major version behind the
// server. Fluent Bit's es output has no such pin.
func (c *checker) fluentdClient(env *Environment) {
	fluentd, es := env.EnabledApp("fluentd"), env.EnabledApp("elasticsearch")
	if fluentd == nil || es == nil || fluentd.Chart != KnownApps["fluentd"].Chart || es.Chart != KnownApps["elasticsearch"].Chart {
		return
	}
	if strings.HasPrefix(valueAt(es.Values, []string{"version"}), "8.") {
		return
	}
	c.warnf(fluentd.NameRange, "Fluentd older than Elasticsearch",
		"The newest Elasticsearch image variant of fluentd is elasticsearch8, but the chart of %q deploys Elasticsearch 9 unless its values.version names another; ship the logs with the app \"fluent-bit\" instead, or set values.version of %q to an 8.x release.", es.Name, es.Name)
}
