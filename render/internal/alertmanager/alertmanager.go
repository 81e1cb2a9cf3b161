package alertmanager

import (
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/mattermost/fleetgen/inventory"
)

// SecretsDir is where each Secret a notifier names is mounted, one folder
// per Secret. No subPath: the kubelet then updates the files when the
// Secret changes, and Alertmanager reads them at every notification, so a
// rotated webhook needs no restart.
const SecretsDir = "/etc/alertmanager/secrets"

// Timing of notifications: Alertmanager's defaults, written out so the
// chart's own defaults (group_wait 10s, repeat_interval 3h) do not apply
// unnoticed. The Watchdog repeats often: a heartbeat service pages when it
// stops arriving.
const (
	groupWait              = "30s"
	groupInterval          = "5m"
	watchdogRepeatInterval = "5m"
)

// Config is an Alertmanager configuration file, in the order its
// documentation lists the sections.
type Config struct {
	Route        Route         `yaml:"route"`
	InhibitRules []InhibitRule `yaml:"inhibit_rules,omitempty"`
	Receivers    []Receiver    `yaml:"receivers"`
}

// Route is a node of the routing tree.
type Route struct {
	Receiver       string   `yaml:"receiver"`
	GroupBy        []string `yaml:"group_by,omitempty"`
	GroupWait      string   `yaml:"group_wait,omitempty"`
	GroupInterval  string   `yaml:"group_interval,omitempty"`
	RepeatInterval string   `yaml:"repeat_interval,omitempty"`
	Matchers       []string `yaml:"matchers,omitempty"`
	Continue       bool     `yaml:"continue,omitempty"`
	Routes         []Route  `yaml:"routes,omitempty"`
}

// InhibitRule mutes the target alerts while a source alert fires with the
// same values of the equal labels.
type InhibitRule struct {
	SourceMatchers []string `yaml:"source_matchers"`
	TargetMatchers []string `yaml:"target_matchers"`
	Equal          []string `yaml:"equal"`
}

// Receiver is a named set of notifiers; the Watchdog's discarding one has
// none.
type Receiver struct {
	Name             string            `yaml:"name"`
	SlackConfigs     []SlackConfig     `yaml:"slack_configs,omitempty"`
	PagerDutyConfigs []PagerDutyConfig `yaml:"pagerduty_configs,omitempty"`
	EmailConfigs     []EmailConfig     `yaml:"email_configs,omitempty"`
}

// SlackConfig posts to a Slack or Mattermost incoming webhook.
type SlackConfig struct {
	APIURLFile   string `yaml:"api_url_file"`
	Channel      string `yaml:"channel,omitempty"`
	SendResolved bool   `yaml:"send_resolved"`
}

// PagerDutyConfig sends to a PagerDuty Events API v2 integration.
type PagerDutyConfig struct {
	RoutingKeyFile string `yaml:"routing_key_file"`
	SendResolved   bool   `yaml:"send_resolved"`
}

// EmailConfig sends mail through an SMTP relay.
type EmailConfig struct {
	To               string `yaml:"to"`
	From             string `yaml:"from"`
	Smarthost        string `yaml:"smarthost"`
	AuthUsername     string `yaml:"auth_username,omitempty"`
	AuthPasswordFile string `yaml:"auth_password_file,omitempty"`
	RequireTLS       bool   `yaml:"require_tls"`
	SendResolved     bool   `yaml:"send_resolved"`
}

// SecretMount is one entry of the alertmanager chart's extraSecretMounts.
type SecretMount struct {
	Name       string `yaml:"name"`
	MountPath  string `yaml:"mountPath"`
	SecretName string `yaml:"secretName"`
	ReadOnly   bool   `yaml:"readOnly"`
}

// The federation alerts a FederatedClusterDown of the same cluster makes
// redundant: a cluster that cannot be scraped also fails, is slow and
// sends nothing. Their names are the rules' (render/internal/federation).
var (
	clusterDown    = `alertname="FederatedClusterDown"`
	clusterDegrade = `alertname=~"FederationScrapesFailing|FederationScrapeSlow|FederatedClusterSendsNoSeries"`
)

// Of is env's Alertmanager configuration and the Secret mounts it reads,
// or ok false when env has no alerting block. Validation refuses every
// value it could not use.
func Of(env *inventory.Environment) (cfg Config, mounts []SecretMount, ok bool) {
	a := env.Alerting
	if a == nil {
		return Config{}, nil, false
	}
	watchdog := a.WatchdogReceiver
	if watchdog == "" {
		watchdog = inventory.WatchdogDiscard
	}
	routes := []Route{{
		Receiver:       watchdog,
		Matchers:       []string{`alertname="Watchdog"`},
		GroupWait:      "0s",
		RepeatInterval: watchdogRepeatInterval,
	}}
	for _, r := range a.Routes {
		route := Route{Receiver: r.Receiver, Continue: r.Continue}
		for _, s := range r.Matchers {
			m, err := inventory.ParseMatcher(s)
			if err != nil {
				panic("alertmanager: matcher " + s + ": " + err.Error() + ": validation let it through")
			}
			route.Matchers = append(route.Matchers, m.String())
		}
		routes = append(routes, route)
	}
	cfg.Route = Route{
		Receiver:       a.DefaultReceiver,
		GroupBy:        slices.Clone(a.GroupBy),
		GroupWait:      groupWait,
		GroupInterval:  groupInterval,
		RepeatInterval: a.RepeatInterval,
		Routes:         routes,
	}
	cfg.InhibitRules = []InhibitRule{{
		SourceMatchers: []string{clusterDown},
		TargetMatchers: []string{clusterDegrade},
		Equal:          []string{"environment", "clusterID"},
	}}

	secrets := map[string]bool{}
	file := func(secret, key string) string {
		secrets[secret] = true
		return path.Join(SecretsDir, secret, key)
	}
	if watchdog == inventory.WatchdogDiscard {
		cfg.Receivers = append(cfg.Receivers, Receiver{Name: inventory.WatchdogDiscard})
	}
	for _, r := range a.Receivers {
		rc := Receiver{Name: r.Name}
		for _, n := range append(slices.Clone(r.Mattermost), r.Slack...) {
			rc.SlackConfigs = append(rc.SlackConfigs, SlackConfig{APIURLFile: file(n.Secret, n.SecretKey), Channel: n.Channel, SendResolved: true})
		}
		for _, n := range r.PagerDuty {
			rc.PagerDutyConfigs = append(rc.PagerDutyConfigs, PagerDutyConfig{RoutingKeyFile: file(n.Secret, n.SecretKey), SendResolved: true})
		}
		for _, n := range r.Email {
			ec := EmailConfig{To: n.To, From: n.From, Smarthost: n.Smarthost, RequireTLS: n.RequireTLS, SendResolved: true}
			if n.Secret != "" {
				ec.AuthUsername = n.AuthUsername
				ec.AuthPasswordFile = file(n.Secret, n.SecretKey)
			}
			rc.EmailConfigs = append(rc.EmailConfigs, ec)
		}
		cfg.Receivers = append(cfg.Receivers, rc)
	}
	slices.SortStableFunc(cfg.Receivers, func(x, y Receiver) int { return strings.Compare(x.Name, y.Name) })

	for _, s := range slices.Sorted(maps.Keys(secrets)) {
		mounts = append(mounts, SecretMount{Name: "secret-" + s, MountPath: path.Join(SecretsDir, s), SecretName: s, ReadOnly: true})
	}
	return cfg, mounts, true
}
