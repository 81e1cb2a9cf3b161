package prometheus

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/mattermost/fleetgen/internal/tooltest"
	"github.com/mattermost/fleetgen/render/internal/alertmanager"
	"github.com/mattermost/fleetgen/render/internal/rendertest"
)

// TestAlertmanagerEndToEnd runs the real Alertmanager (Debian's
// prometheus-alertmanager) on loopback with the lab's rendered
// configuration, its Secret folder (alertmanager.SecretsDir) moved into a
// temporary folder holding the files the Secrets would, and group_wait cut
// to 0s so it notifies at once. An alert posted to its API reaches a
// loopback server standing in for the Mattermost and Slack incoming
// webhooks at the URLs read from those files, as Slack payloads with the
// alert in them; after the Mattermost webhook's file is rewritten (a
// rotated Secret), the next alert goes to the new URL without a restart.
func TestAlertmanagerEndToEnd(t *testing.T) {
	bin := tooltest.Look(t, "prometheus-alertmanager")

	hooks := &webhookServer{got: map[string][]slackPayload{}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: hooks}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	hookURL := "http://" + l.Addr().String()

	secrets := t.TempDir()
	writeSecret := func(secret, key, value string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(secrets, secret), 0o755); err != nil {
			t.Fatal(err)
		}
		rendertest.WriteFile(t, filepath.Join(secrets, secret, key), value)
	}
	writeSecret("am-mattermost", "url", hookURL+"/hooks/first")
	writeSecret("am-slack", "webhook.url", hookURL+"/services/slack")

	data := alertmanagerFile(t, rendertest.LoadEnv(t, promLab))
	var cfg map[string]any
	if err := yaml.Unmarshal(bytes.ReplaceAll(data, []byte(alertmanager.SecretsDir), []byte(secrets)), &cfg); err != nil {
		t.Fatal(err)
	}
	cfg["route"].(map[string]any)["group_wait"] = "0s"
	out, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(t.TempDir(), "alertmanager.yml")
	rendertest.WriteFile(t, config, string(out))
	am := startAlertmanager(t, bin, config)

	postAlert(t, am, map[string]string{"alertname": "FederationScrapeSlow", "severity": "warning", "clusterID": "aaaa1111", "environment": "lab"})
	poll(t, "notifications at both webhooks", func() error {
		return hooks.expect("/hooks/first", "lab-alerts", "FederationScrapeSlow", "/services/slack")
	})

	writeSecret("am-mattermost", "url", hookURL+"/hooks/rotated")
	postAlert(t, am, map[string]string{"alertname": "FederatedClusterSendsNoSeries", "severity": "warning", "clusterID": "bbbb2222", "environment": "lab"})
	poll(t, "a notification at the rotated webhook", func() error {
		return hooks.expect("/hooks/rotated", "lab-alerts", "FederatedClusterSendsNoSeries")
	})
}

// slackPayload is what Alertmanager posts to a Slack-compatible webhook.
type slackPayload struct {
	Channel     string `json:"channel"`
	Attachments []struct {
		Title string `json:"title"`
		Text  string `json:"text"`
	} `json:"attachments"`
}

// webhookServer records the payloads posted to it, by path.
type webhookServer struct {
	mu  sync.Mutex
	got map[string][]slackPayload
}

func (s *webhookServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var p slackPayload
	if err := json.Unmarshal(body, &p); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.got[r.URL.Path] = append(s.got[r.URL.Path], p)
	s.mu.Unlock()
	w.Write([]byte("ok"))
}

// expect reports whether path got a payload for channel naming alert, and
// each of the others got one naming alert.
func (s *webhookServer) expect(path, channel, alert string, others ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	has := func(path, channel string) bool {
		for _, p := range s.got[path] {
			for _, a := range p.Attachments {
				if (channel == "" || p.Channel == channel) && strings.Contains(a.Title+a.Text, alert) {
					return true
				}
			}
		}
		return false
	}
	if !has(path, channel) {
		return fmt.Errorf("no %s notification for channel %q at %s; got %v", alert, channel, path, s.got)
	}
	for _, o := range others {
		if !has(o, "") {
			return fmt.Errorf("no %s notification at %s; got %v", alert, o, s.got)
		}
	}
	return nil
}

// startAlertmanager runs Alertmanager on a free loopback port, without
// clustering, until the test ends, and returns its address once ready.
func startAlertmanager(t *testing.T, bin, config string) string {
	t.Helper()
	addr := freeLoopbackAddr(t)
	return startServer(t, addr, bin,
		"--config.file="+config,
		"--storage.path="+t.TempDir(),
		"--web.listen-address="+addr,
		"--cluster.listen-address=",
		"--log.level=warn")
}

// postAlert fires one alert through Alertmanager's API v2.
func postAlert(t *testing.T, addr string, labels map[string]string) {
	t.Helper()
	body, err := json.Marshal([]map[string]any{{"labels": labels, "annotations": map[string]string{"summary": labels["alertname"] + " fired"}}})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post("http://"+addr+"/api/v2/alerts", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(resp.Body)
		t.Fatalf("posting an alert: %s: %s", resp.Status, msg)
	}
}
