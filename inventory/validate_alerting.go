package inventory

import (
	"fmt"
	"net"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/mattermost/fleetgen/internal/suggest"
)

// Formats of the alerting block's names.
var (
	alertReceiverName = newFormat("alert receiver name", dnsLabelRule, dnsLabelRe)
	alertSecretName   = newFormat("Secret name", `it names a Kubernetes Secret in the prometheus app's namespace, mounted as the volume "secret-<name>": a DNS label of at most 56 characters (lower-case letters, digits and hyphens, starting and ending with a letter or digit)`, `^[a-z0-9]([a-z0-9-]{0,54}[a-z0-9])?$`)
	alertSecretKey    = newFormat("Secret key", "it is a key of the Secret's data, which becomes a file name: letters, digits, '-', '_' and '.'", `^[A-Za-z0-9_.-]{1,253}$`)
	chatChannel       = newFormat("chat channel", `it is the channel's name as the chat's URLs spell it ("town-square", "#alerts") or a user ("@alice"): letters, digits, '-', '_' and '.', after an optional '#' or '@'`, `^[#@]?[A-Za-z0-9][A-Za-z0-9_.-]*$`)
)

// Credential-looking values of a secret attribute, which names a Secret
// and never holds what it holds.
var (
	hexKey   = regexp.MustCompile(`^[0-9a-fA-F]{32}$`)
	tokenish = regexp.MustCompile(`^[A-Za-z0-9+/=_.-]{20,}$`)
)

func (c *checker) alerting(env *Environment) {
	a := env.Alerting
	if a == nil {
		return
	}
	if p := env.EnabledApp("prometheus"); p == nil || p.Chart != "prometheus" {
		c.errorf(a.DeclRange, "Alerting without the central Prometheus",
			`The alerting block configures the Alertmanager of the central Prometheus (the enabled "prometheus" app with the prometheus-community "prometheus" chart), which environment %q does not have. Enable that app or remove the block.`, env.Name)
	} else {
		walkValues(p.Values, "values", func(path, _ string, v cty.Value) {
			if path == "values.alertmanager.enabled" && v.Type() == cty.Bool && v.IsKnown() && !v.IsNull() && v.False() {
				c.errorf(p.ValuesRange, "Alerting with the Alertmanager disabled",
					"The prometheus app's %s = false removes the Alertmanager the alerting block configures, so no alert would be delivered. Remove the override or the alerting block.", path)
			}
		})
	}
	receivers := firstSeen{}
	names := []string{WatchdogDiscard}
	for _, r := range a.Receivers {
		if !c.check(alertReceiverName, r.Name, r.NameRange) {
			continue
		}
		if r.Name == WatchdogDiscard {
			c.errorf(r.NameRange, "Reserved alert receiver name",
				"The receiver name %q is fleetgen's: it discards the Watchdog alert when no watchdog_receiver is set. Choose another name.", r.Name)
			continue
		}
		if earlier, dup := receivers.dup(r.Name, r.NameRange); dup {
			c.errorf(r.NameRange, "Duplicate alert receiver", "The receiver %q was already declared at %s.", r.Name, earlier)
			continue
		}
		names = append(names, r.Name)
		c.alertReceiver(r)
	}
	c.receiverRef("default_receiver", a.DefaultReceiver, a.DefaultReceiverRange, names, true)
	if set(a.WatchdogReceiverRange) {
		c.receiverRef("watchdog_receiver", a.WatchdogReceiver, a.WatchdogReceiverRange, names, false)
	}
	if len(a.GroupBy) == 0 {
		c.errorf(a.GroupByRange, "Invalid label name", "The group_by list must name at least one label; remove it to use the default.")
	}
	for _, l := range a.GroupBy {
		c.check(promLabelName, l, at(a.GroupByRange, a.DeclRange))
	}
	c.duration("repeat_interval", a.RepeatInterval, at(a.RepeatIntervalRange, a.DeclRange))
	for _, r := range a.Routes {
		c.receiverRef("receiver", r.Receiver, r.ReceiverRange, names, true)
		if len(r.Matchers) == 0 {
			c.errorf(r.MatchersRange, "Route without matchers",
				`A route sends the alerts its matchers select; without any it would take every alert. Give matchers such as ["severity=critical"], or send everything to default_receiver.`)
		}
		for _, m := range r.Matchers {
			if _, err := ParseMatcher(m); err != nil {
				c.errorf(r.MatchersRange, "Invalid alert matcher", "The matcher %q is not valid: %v.", m, err)
			}
		}
	}
}

// receiverRef checks a reference to a declared receiver; only the
// Watchdog may go to the discarding one (delivers is false for the rest).
func (c *checker) receiverRef(attr, name string, rng hcl.Range, declared []string, delivers bool) {
	if slices.Contains(declared, name) && !(delivers && name == WatchdogDiscard) {
		return
	}
	c.errorf(rng, "Unknown alert receiver", "The %s %q names no receiver block of the alerting block.%s", attr, name, suggest.DidYouMean(name, declared[1:]))
}

func (c *checker) alertReceiver(r *AlertReceiver) {
	if r.Notifiers() == 0 {
		c.errorf(r.DeclRange, "Alert receiver without notifiers",
			"The receiver %q has no mattermost, slack, pagerduty or email block, so the alerts routed to it would reach no one.", r.Name)
	}
	for _, n := range append(slices.Clone(r.Mattermost), r.Slack...) {
		c.secretRef(n.Secret, n.SecretRange, n.SecretKey, n.SecretKeyRange)
		if set(n.ChannelRange) {
			c.check(chatChannel, n.Channel, n.ChannelRange)
		}
	}
	for _, n := range r.PagerDuty {
		c.secretRef(n.Secret, n.SecretRange, n.SecretKey, n.SecretKeyRange)
	}
	for _, n := range r.Email {
		c.email(n)
	}
}

// secretRef checks a reference to a key of a Secret, refusing what looks
// like the credential itself written in its place.
func (c *checker) secretRef(name string, rng hcl.Range, key string, keyRange hcl.Range) {
	if looksInline(name) {
		c.credentialf(rng, "The secret attribute names the Kubernetes Secret that holds a credential, but this value looks like the credential itself (a URL, a key or a token). The inventory holds no secrets: create a Secret in the prometheus app's namespace holding it, name that Secret here, and rotate the credential.")
		return
	}
	c.check(alertSecretName, name, rng)
	if set(keyRange) {
		c.check(alertSecretKey, key, keyRange)
	}
}

// looksInline reports a value that looks like a credential rather than a
// Secret's name.
func looksInline(s string) bool {
	return strings.Contains(s, "://") || strings.Contains(s, "/hooks/") || strings.HasPrefix(s, "hooks.") ||
		hexKey.MatchString(s) || (tokenish.MatchString(s) && strings.ContainsAny(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ+/=_"))
}

func (c *checker) email(n *EmailNotifier) {
	if list, err := mail.ParseAddressList(n.To); err != nil || len(list) == 0 {
		c.errorf(n.ToRange, "Invalid e-mail address", "The to %q is not a list of e-mail addresses, such as \"oncall@example.com\" or \"a@example.com, b@example.com\".", n.To)
	}
	if _, err := mail.ParseAddress(n.From); err != nil {
		c.errorf(n.FromRange, "Invalid e-mail address", "The from %q is not an e-mail address, such as \"alertmanager@example.com\".", n.From)
	}
	host, port, err := net.SplitHostPort(n.Smarthost)
	if err != nil || host == "" || !validPort(port) {
		c.errorf(n.SmarthostRange, "Invalid SMTP smarthost", "The smarthost %q must be the SMTP relay as host:port, such as \"smtp.example.com:587\".", n.Smarthost)
	}
	withSecret := set(n.SecretRange)
	switch {
	case withSecret && n.AuthUsername == "":
		c.errorf(n.SecretRange, "Incomplete SMTP authentication", "The secret holds the SMTP password, which needs auth_username too.")
	case !withSecret && n.AuthUsername != "":
		c.errorf(n.AuthUsernameRange, "Incomplete SMTP authentication", "With auth_username, name the Secret holding the SMTP password in secret (key %q by default).", DefaultPasswordKey)
	}
	if withSecret {
		c.secretRef(n.Secret, n.SecretRange, n.SecretKey, n.SecretKeyRange)
	}
}

// Matcher is one Alertmanager label matcher: Name Op Value.
type Matcher struct {
	Name, Op, Value string
}

// String is the matcher in Alertmanager's syntax, its value quoted.
func (m Matcher) String() string { return m.Name + m.Op + strconv.Quote(m.Value) }

var matcherRe = regexp.MustCompile(`^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$`)

// ParseMatcher parses `name op value`, the value in double quotes or bare
// (letters, digits and _ . : / -), as Alertmanager's matchers do.
func ParseMatcher(s string) (Matcher, error) {
	m := matcherRe.FindStringSubmatch(s)
	if m == nil {
		return Matcher{}, fmt.Errorf(`it must be a label name, an operator (=, !=, =~ or !~) and a value, such as severity="critical"`)
	}
	value := m[3]
	if strings.HasPrefix(value, `"`) {
		v, err := strconv.Unquote(value)
		if err != nil {
			return Matcher{}, fmt.Errorf("its quoted value does not end or escape right")
		}
		value = v
	} else if strings.ContainsFunc(value, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("_.:/-", r))
	}) {
		return Matcher{}, fmt.Errorf("a value with characters other than letters, digits and _ . : / - must be in double quotes")
	}
	if strings.ContainsFunc(value, func(r rune) bool { return !unicode.IsPrint(r) }) {
		return Matcher{}, fmt.Errorf("its value holds a control character")
	}
	if m[2] == "=~" || m[2] == "!~" {
		if _, err := regexp.Compile("^(?:" + value + ")$"); err != nil {
			return Matcher{}, fmt.Errorf("its regular expression does not compile: %v", err)
		}
	}
	return Matcher{Name: m[1], Op: m[2], Value: value}, nil
}
