package inventory

import "github.com/hashicorp/hcl/v2"

// Alerting is where the central Alertmanager (the prometheus app's
// alertmanager subchart) delivers the alerts of the central Prometheus.
// Every credential a notifier needs (a webhook URL, a routing key, an SMTP
// password) is a key of a Kubernetes Secret in the prometheus app's
// namespace, named here and mounted into Alertmanager: never the value.
type Alerting struct {
	DeclRange hcl.Range `hcl:",def_range"`

	DefaultReceiver       string    `hcl:"default_receiver"`
	DefaultReceiverRange  hcl.Range `hcl:"default_receiver,attr_value_range"`
	WatchdogReceiver      string    `hcl:"watchdog_receiver,optional"`
	WatchdogReceiverRange hcl.Range `hcl:"watchdog_receiver,attr_value_range"`
	GroupBy               []string  `hcl:"group_by,optional"`
	GroupByRange          hcl.Range `hcl:"group_by,attr_value_range"`
	RepeatInterval        string    `hcl:"repeat_interval,optional"`
	RepeatIntervalRange   hcl.Range `hcl:"repeat_interval,attr_value_range"`

	Receivers []*AlertReceiver `hcl:"receiver,block"`
	Routes    []*AlertRoute    `hcl:"route,block"`
}

// WatchdogDiscard is the receiver without notifiers that takes the
// Watchdog alert when no watchdog_receiver is set: it fires all the time
// and must never reach people.
const WatchdogDiscard = "watchdog-discard"

// AlertReceiver is one named set of notifiers.
type AlertReceiver struct {
	Name      string    `hcl:"name,label"`
	NameRange hcl.Range `hcl:"name,label_range"`
	DeclRange hcl.Range `hcl:",def_range"`

	Mattermost []*ChatNotifier      `hcl:"mattermost,block"`
	Slack      []*ChatNotifier      `hcl:"slack,block"`
	PagerDuty  []*PagerDutyNotifier `hcl:"pagerduty,block"`
	Email      []*EmailNotifier     `hcl:"email,block"`
}

// Notifiers counts r's notifiers.
func (r *AlertReceiver) Notifiers() int {
	return len(r.Mattermost) + len(r.Slack) + len(r.PagerDuty) + len(r.Email)
}

// Default Secret keys of each notifier kind.
const (
	DefaultWebhookKey    = "url"
	DefaultRoutingKeyKey = "routing-key"
	DefaultPasswordKey   = "password"
)

// ChatNotifier posts to a Mattermost or Slack incoming webhook, whose URL
// (the credential) is the key SecretKey of the Secret named Secret.
// Mattermost's incoming webhooks take Slack's payload.
type ChatNotifier struct {
	DeclRange hcl.Range `hcl:",def_range"`

	Secret         string    `hcl:"secret"`
	SecretRange    hcl.Range `hcl:"secret,attr_value_range"`
	SecretKey      string    `hcl:"secret_key,optional"`
	SecretKeyRange hcl.Range `hcl:"secret_key,attr_value_range"`
	Channel        string    `hcl:"channel,optional"`
	ChannelRange   hcl.Range `hcl:"channel,attr_value_range"`
}

// PagerDutyNotifier sends to a PagerDuty Events API v2 integration whose
// routing key is in a Secret.
type PagerDutyNotifier struct {
	DeclRange hcl.Range `hcl:",def_range"`

	Secret         string    `hcl:"secret"`
	SecretRange    hcl.Range `hcl:"secret,attr_value_range"`
	SecretKey      string    `hcl:"secret_key,optional"`
	SecretKeyRange hcl.Range `hcl:"secret_key,attr_value_range"`
}

// EmailNotifier sends mail through an SMTP relay, authenticating as
// AuthUsername with the password in a Secret when one is named.
type EmailNotifier struct {
	DeclRange hcl.Range `hcl:",def_range"`

	To                string    `hcl:"to"`
	ToRange           hcl.Range `hcl:"to,attr_value_range"`
	From              string    `hcl:"from"`
	FromRange         hcl.Range `hcl:"from,attr_value_range"`
	Smarthost         string    `hcl:"smarthost"`
	SmarthostRange    hcl.Range `hcl:"smarthost,attr_value_range"`
	AuthUsername      string    `hcl:"auth_username,optional"`
	AuthUsernameRange hcl.Range `hcl:"auth_username,attr_value_range"`
	Secret            string    `hcl:"secret,optional"`
	SecretRange       hcl.Range `hcl:"secret,attr_value_range"`
	SecretKey         string    `hcl:"secret_key,optional"`
	SecretKeyRange    hcl.Range `hcl:"secret_key,attr_value_range"`
	RequireTLS        bool      `hcl:"require_tls,optional"`
	RequireTLSRange   hcl.Range `hcl:"require_tls,attr_value_range"`
}

// AlertRoute sends the alerts its matchers select to a receiver; routes
// are tried in inventory order, and the first that matches wins unless it
// says continue.
type AlertRoute struct {
	DeclRange hcl.Range `hcl:",def_range"`

	Receiver      string    `hcl:"receiver"`
	ReceiverRange hcl.Range `hcl:"receiver,attr_value_range"`
	Matchers      []string  `hcl:"matchers"`
	MatchersRange hcl.Range `hcl:"matchers,attr_value_range"`
	Continue      bool      `hcl:"continue,optional"`
	ContinueRange hcl.Range `hcl:"continue,attr_value_range"`
}

// applyAlertingDefaults fills in the defaults docs/inventory.md lists.
func applyAlertingDefaults(a *Alerting) {
	if a == nil {
		return
	}
	setDefault(&a.GroupBy, a.GroupByRange, []string{"alertname", "environment", "clusterID"})
	setDefault(&a.RepeatInterval, a.RepeatIntervalRange, "4h")
	for _, r := range a.Receivers {
		for _, n := range append(r.Mattermost, r.Slack...) {
			setDefault(&n.SecretKey, n.SecretKeyRange, DefaultWebhookKey)
		}
		for _, n := range r.PagerDuty {
			setDefault(&n.SecretKey, n.SecretKeyRange, DefaultRoutingKeyKey)
		}
		for _, n := range r.Email {
			setDefault(&n.SecretKey, n.SecretKeyRange, DefaultPasswordKey)
			setDefault(&n.RequireTLS, n.RequireTLSRange, true)
		}
	}
}
