package federation

import (
	"fmt"
	"strconv"
	"time"

	"github.com/prometheus/common/model"
)

// RuleFile is a Prometheus rule file, in the order Prometheus documents it.
type RuleFile struct {
	Groups []RuleGroup `yaml:"groups"`
}

type RuleGroup struct {
	Name  string      `yaml:"name"`
	Rules []AlertRule `yaml:"rules"`
}

type AlertRule struct {
	Alert       string            `yaml:"alert"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for,omitempty"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

// Severities route alerts: critical pages, warning opens a ticket, none
// goes to no person (the watchdog's heartbeat).
const (
	severityCritical = "critical"
	severityWarning  = "warning"
	severityNone     = "none"
)

// federateJobs selects every federation job: "federate" and the per-scheme
// and per-prefix jobs named after it.
const federateJobs = `job=~"federate.*"`

// Rules are the alerts an SRE expects of a federation: a cluster
// that cannot be federated, scrapes that are slow or flaky, a client that
// answers but sends nothing, and the central Prometheus' own health. They
// name the cluster (clusterID, a target label of every federation target)
// and the environment. The slow-scrape threshold is 80% of the scrape
// timeout, past which a growing cluster starts losing whole scrapes.
func Rules(f *Model) (RuleFile, error) {
	timeout, err := model.ParseDuration(f.ScrapeTimeout)
	if err != nil {
		return RuleFile{}, fmt.Errorf("federation scrape_timeout: %w", err)
	}
	slow := strconv.FormatFloat(0.8*time.Duration(timeout).Seconds(), 'f', -1, 64)
	env := f.Environment
	alert := func(name, expr, forDur, severity, summary, description string) AlertRule {
		return AlertRule{
			Alert: name, Expr: expr, For: forDur,
			Labels:      map[string]string{"severity": severity},
			Annotations: map[string]string{"summary": summary, "description": description},
		}
	}
	federationGroup := RuleGroup{Name: "federation", Rules: []AlertRule{
		alert("FederatedClusterDown",
			`up{`+federateJobs+`} == 0`, "5m", severityCritical,
			"Cluster {{ $labels.clusterID }} cannot be federated",
			"The central Prometheus of "+env+" has failed to scrape the federation endpoint of cluster {{ $labels.clusterID }} ({{ $labels.instance }}) for 5 minutes: its metrics are missing from every dashboard and alert. Check the cluster's client Prometheus and its DNS record."),
		alert("FederationScrapesFailing",
			`avg_over_time(up{`+federateJobs+`}[15m]) < 0.9 > 0`, "15m", severityWarning,
			"Federation of cluster {{ $labels.clusterID }} keeps failing",
			"More than 10% of the federation scrapes of cluster {{ $labels.clusterID }} ({{ $labels.instance }}) in "+env+" failed over the last 15 minutes: its graphs have gaps."),
		alert("FederationScrapeSlow",
			`scrape_duration_seconds{`+federateJobs+`} > `+slow, "15m", severityWarning,
			"Federation of cluster {{ $labels.clusterID }} is slow",
			"Scraping the federation endpoint of cluster {{ $labels.clusterID }} in "+env+" takes {{ $value | humanizeDuration }}, close to the scrape timeout of "+f.ScrapeTimeout+": narrow its match[] selectors or raise the timeout before scrapes start failing."),
		alert("FederatedClusterSendsNoSeries",
			`scrape_samples_scraped{`+federateJobs+`} == 0 and on (job, instance) up{`+federateJobs+`} == 1`, "10m", severityWarning,
			"Cluster {{ $labels.clusterID }} sends no series",
			"The client Prometheus of cluster {{ $labels.clusterID }} in "+env+" answers the federation scrape but returns no series matching match[]: it lost its own targets or its recording rules stopped."),
	}}
	// The clients' own series reach the central Prometheus through
	// federation with the same job (match[] {job="prometheus"} and
	// honor_labels) but with their cluster's clusterID: only the series
	// without one are the central's own health.
	selfJob := `job="` + selfJobName + `",clusterID=""`
	centralGroup := RuleGroup{Name: "central-prometheus", Rules: []AlertRule{
		alert("CentralPrometheusConfigReloadFailed",
			`prometheus_config_last_reload_successful{`+selfJob+`} == 0`, "10m", severityWarning,
			"The central Prometheus of "+env+" runs a stale configuration",
			"Reloading the configuration of the central Prometheus ({{ $labels.instance }}) failed: it still federates the clusters of its previous configuration. Check its log."),
		alert("CentralPrometheusRuleEvaluationFailures",
			`increase(prometheus_rule_evaluation_failures_total{`+selfJob+`}[5m]) > 0`, "15m", severityCritical,
			"The central Prometheus of "+env+" fails to evaluate rules",
			"{{ $value | humanize }} rule evaluations failed in 5 minutes on the central Prometheus ({{ $labels.instance }}, group {{ $labels.rule_group }}): alerts may not fire."),
		alert("CentralPrometheusMissedRuleEvaluations",
			`increase(prometheus_rule_group_iterations_missed_total{`+selfJob+`}[5m]) > 0`, "15m", severityWarning,
			"The central Prometheus of "+env+" is too slow to evaluate its rules",
			"The rule group {{ $labels.rule_group }} of the central Prometheus ({{ $labels.instance }}) missed {{ $value | humanize }} evaluations in 5 minutes."),
		alert("CentralPrometheusTSDBCompactionsFailing",
			`increase(prometheus_tsdb_compactions_failed_total{`+selfJob+`}[3h]) > 0`, "", severityWarning,
			"The central Prometheus of "+env+" fails to compact its storage",
			"{{ $value | humanize }} TSDB compactions failed in 3 hours on the central Prometheus ({{ $labels.instance }}): its disk will fill up. Check its log and volume."),
		alert("CentralPrometheusNotificationsFailing",
			`increase(prometheus_notifications_errors_total{`+selfJob+`}[5m]) > 0`, "15m", severityCritical,
			"The central Prometheus of "+env+" cannot deliver alerts",
			"Sending alerts from the central Prometheus ({{ $labels.instance }}) to Alertmanager {{ $labels.alertmanager }} failed {{ $value | humanize }} times in 5 minutes: other alerts may never reach anyone."),
	}}
	// A dead man's switch: if the central Prometheus, its rule evaluation
	// or the way to Alertmanager breaks, the silence of this alert is the
	// only signal, so Alertmanager routes it to an external heartbeat
	// service that pages when it stops arriving.
	watchdogGroup := RuleGroup{Name: "watchdog", Rules: []AlertRule{
		alert("Watchdog", "vector(1)", "", severityNone,
			"The alerting pipeline of "+env+" is alive",
			"This alert always fires, so that its absence shows that the central Prometheus of "+env+", its rule evaluation or its way to Alertmanager is broken. Route it to a heartbeat (dead man's switch) service, never to people."),
	}}
	return RuleFile{Groups: []RuleGroup{federationGroup, centralGroup, watchdogGroup}}, nil
}
