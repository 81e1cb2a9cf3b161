package inventory

import (
	"bytes"
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// A secretKind is one kind of credential screenSecrets looks for.
type secretKind struct {
	what   string // "an AWS access key ID"
	advice string
	// find returns the [start, end) byte spans of the secrets in src.
	find func(src []byte) [][2]int
}

const (
	adviceAWS  = "Terraform assumes terraform.role_arn; static AWS keys are never used by fleetgen. Remove the key from the file and from the Git history, and rotate it."
	adviceKey  = "Only public keys belong in the inventory: give host_key and tunnel_key in their .pub form (\"ssh-ed25519 AAAA…\"). Remove the private key from the file and from the Git history, and replace it."
	adviceURL  = "Give the URL without credentials and provide access outside the inventory (an SSH deploy key or a Kubernetes Secret); rotate the credential."
	adviceHook = "Whoever knows an incoming webhook's URL can post with it: keep it in a Kubernetes Secret and name that Secret in a notifier of the alerting block (docs/inventory.md). Rotate the webhook."
)

var (
	privateKeyBegin = regexp.MustCompile(`-----BEGIN ([A-Z ]*)PRIVATE KEY-----`)
	awsAccessKeyID  = regexp.MustCompile(`\b(?:AKIA|ASIA)[A-Z0-9]{16}\b`)
	awsSecretKey    = regexp.MustCompile(`(?i)aws_secret_access_key["']?\s*[=:]\s*["']?([^\s"',}]+)`)
	// urlUserinfo finds scheme://userinfo@: the userinfo holds a password
	// when it has a colon, and with http(s) a bare user is a token.
	urlUserinfo = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*)://([^\s/?#@"'<>\\]+)@`)
	// webhookURL finds the secret part of Slack's (hooks.slack.com/…) and
	// Mattermost's (<server>/hooks/<26 letters and digits>) incoming webhooks.
	webhookURL = regexp.MustCompile(`(?i)(?:hooks\.slack\.com/(?:services|workflows|triggers)/[^\s"'<>]+|/hooks/[a-z0-9]{20,}\b)`)

	attrOnLine    = regexp.MustCompile(`^\s*"?([A-Za-z_][A-Za-z0-9_-]*)"?\s*[=:]`)
	heredocOpener = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*<<-?[A-Za-z_][A-Za-z0-9_]*\s*$`)
)

var secretKinds = []secretKind{
	{"a private key block", adviceKey, findPrivateKeys},
	{"an AWS access key ID", adviceAWS, findAWSAccessKeyIDs},
	{"an AWS secret access key", adviceAWS, findAWSSecretKeys},
	{"a password or token in a URL", adviceURL, findURLCredentials},
	{"an incoming webhook URL", adviceHook, findWebhookURLs},
}

// screenSecrets reports credential-looking text in the raw bytes of src
// (comments and unknown attributes included) and returns src with each one
// masked by '*', newlines kept, so every other byte, line and column is
// unchanged and no diagnostic can ever print the secret.
func screenSecrets(path string, src []byte) ([]byte, hcl.Diagnostics) {
	type found struct {
		span [2]int
		kind *secretKind
	}
	var all []found
	for i := range secretKinds {
		for _, span := range secretKinds[i].find(src) {
			all = append(all, found{span, &secretKinds[i]})
		}
	}
	if len(all) == 0 {
		return src, nil
	}
	slices.SortStableFunc(all, func(a, b found) int { return cmp.Compare(a.span[0], b.span[0]) })

	masked := bytes.Clone(src)
	var diags hcl.Diagnostics
	end := 0
	for _, f := range all {
		if f.span[0] < end {
			continue // inside a secret already reported, such as a key block
		}
		end = f.span[1]
		detail := fmt.Sprintf("This line holds what looks like %s.", f.kind.what)
		if attr := attributeAt(src, f.span[0]); attr != "" {
			detail = fmt.Sprintf("The %q attribute holds what looks like %s.", attr, f.kind.what)
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Credential in inventory",
			Detail:   detail + " The inventory holds no secrets, and fleetgen has masked it. " + f.kind.advice,
			Subject:  &hcl.Range{Filename: path, Start: posAt(src, f.span[0]), End: posAt(src, f.span[1])},
			// The line may hold another credential this scan cannot see.
			Extra: hiddenSource{},
		})
		for i := f.span[0]; i < f.span[1]; i++ {
			if masked[i] != '\n' && masked[i] != '\r' {
				masked[i] = '*'
			}
		}
	}
	return masked, diags
}

// findPrivateKeys spans each PEM or OpenSSH private key block from its
// BEGIN line through the matching END line, or to the end of src when the
// block is not closed.
func findPrivateKeys(src []byte) [][2]int {
	var spans [][2]int
	for from := 0; from < len(src); {
		m := privateKeyBegin.FindSubmatchIndex(src[from:])
		if m == nil {
			break
		}
		start := from + m[0]
		endMarker := []byte("-----END " + string(src[from+m[2]:from+m[3]]) + "PRIVATE KEY-----")
		end := len(src)
		if i := bytes.Index(src[from+m[1]:], endMarker); i >= 0 {
			end = from + m[1] + i + len(endMarker)
		}
		spans = append(spans, [2]int{start, end})
		from = end
	}
	return spans
}

// The regular expressions below take milliseconds per inventory file, so
// each runs only where a plain byte search shows it could match.

// findAWSAccessKeyIDs spans AWS access key IDs. Every one holds AKIA or ASIA.
func findAWSAccessKeyIDs(src []byte) [][2]int {
	if !bytes.Contains(src, []byte("AKIA")) && !bytes.Contains(src, []byte("ASIA")) {
		return nil
	}
	return submatchSpans(awsAccessKeyID, src, 0)
}

// findAWSSecretKeys spans the values of aws_secret_access_key settings.
// Every match holds "ecret_acce" in some letter case: none of these letters
// has a non-ASCII case variant (as k and s have) that (?i) would also match.
func findAWSSecretKeys(src []byte) [][2]int {
	if !bytes.Contains(bytes.ToLower(src), []byte("ecret_acce")) {
		return nil
	}
	return submatchSpans(awsSecretKey, src, 1)
}

// findURLCredentials spans the user information of URLs that carry a
// password, or a token in place of the user of an http(s) URL. A match
// holds "://" and never a newline, so only the lines holding "://" are
// searched, each on its own (its ends are word boundaries as the newlines
// around it are).
func findURLCredentials(src []byte) [][2]int {
	var spans [][2]int
	for from := 0; ; {
		i := bytes.Index(src[from:], []byte("://"))
		if i < 0 {
			return spans
		}
		start := from + bytes.LastIndexByte(src[from:from+i], '\n') + 1
		end := len(src)
		if j := bytes.IndexByte(src[from+i:], '\n'); j >= 0 {
			end = from + i + j
		}
		for _, m := range urlUserinfo.FindAllSubmatchIndex(src[start:end], -1) {
			scheme, userinfo := bytes.ToLower(src[start+m[2]:start+m[3]]), src[start+m[4]:start+m[5]]
			if bytes.ContainsRune(userinfo, ':') || string(scheme) == "http" || string(scheme) == "https" {
				spans = append(spans, [2]int{start + m[4], start + m[5]})
			}
		}
		from = end
	}
}

// findWebhookURLs spans the secret part of incoming webhook URLs. Every
// match holds "hooks".
func findWebhookURLs(src []byte) [][2]int {
	if !bytes.Contains(bytes.ToLower(src), []byte("hooks")) {
		return nil
	}
	return submatchSpans(webhookURL, src, 0)
}

// submatchSpans spans submatch group of every match of re.
func submatchSpans(re *regexp.Regexp, src []byte, group int) [][2]int {
	var spans [][2]int
	for _, m := range re.FindAllSubmatchIndex(src, -1) {
		spans = append(spans, [2]int{m[2*group], m[2*group+1]})
	}
	return spans
}

// attributeAt names the attribute written on the line holding offset, or
// the one whose heredoc the line is in, or "" (a comment, say).
func attributeAt(src []byte, offset int) string {
	lineStart := bytes.LastIndexByte(src[:offset], '\n') + 1
	if m := attrOnLine.FindSubmatch(src[lineStart:offset]); m != nil {
		return string(m[1])
	}
	// Look back a few lines for the heredoc opener; an attribute line
	// before it means the text is not in a heredoc.
	for end, n := lineStart-1, 0; end > 0 && n < 20; n++ {
		start := bytes.LastIndexByte(src[:end], '\n') + 1
		line := bytes.TrimRight(src[start:end], "\r")
		if m := heredocOpener.FindSubmatch(line); m != nil {
			return string(m[1])
		}
		if attrOnLine.Match(line) {
			return ""
		}
		end = start - 1
	}
	return ""
}

// posAt is the HCL position of a byte offset: 1-based line and column,
// columns counted in characters as HCL counts them.
func posAt(src []byte, offset int) hcl.Pos {
	line := 1 + bytes.Count(src[:offset], []byte("\n"))
	lineStart := bytes.LastIndexByte(src[:offset], '\n') + 1
	return hcl.Pos{Line: line, Column: 1 + utf8.RuneCount(src[lineStart:offset]), Byte: offset}
}
