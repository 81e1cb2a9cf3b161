package registration_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/registration"
	"github.com/mattermost/fleetgen/render/layout"
)

// An event body as the provisioner sends it: an event subscription's
// (camelCase, Unix milliseconds) or a webhook's (snake_case, nanoseconds).
func eventBody(webhook bool, id, cluster, typ, state, env string, at time.Time) string {
	if webhook {
		return fmt.Sprintf(`{"event_id":%q,"timestamp":%d,"id":%q,"type":%q,"new_state":%q,"old_state":"x","extra_data":{"Environment":%q}}`,
			id, at.UnixNano(), cluster, typ, state, env)
	}
	return fmt.Sprintf(`{"eventId":%q,"timestamp":%d,"resourceId":%q,"resourceType":%q,"newState":%q,"oldState":"x","ExtraData":{"Environment":%q}}`,
		id, at.UnixMilli(), cluster, typ, state, env)
}

func newID(r *rand.Rand) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 26)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

type request struct {
	body, secret string
	want         int
}

// A burst of 500 requests from 8 senders at once (creations, repeats,
// stable after an upgrade, deletions, a deletion overtaking its cluster's
// stable, events of another environment or resource, malformed, too large
// and unauthenticated requests) leaves the pushed branch with exactly the
// expected clusters, each added or removed as fleetgen add/remove would,
// rendered and checked. After the pull request merges, a new event gives
// a branch with that one change only, and the earlier decisions are
// settled.
func TestBurstBecomesOneReviewedChange(t *testing.T) {
	f := newFleet(t)
	base := f.clone(t, "origin/main")
	initial := clusters(t, base)
	s := newService(t, f, t.TempDir())
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	loop := make(chan struct{})
	go func() { defer close(loop); s.Run(ctx) }()
	defer func() { cancel(); <-loop }()

	r := rand.New(rand.NewPCG(1, 2))
	at := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	next := func() time.Time { at = at.Add(time.Second); return at }
	var reqs []request
	ev := 0
	event := func(cluster, typ, state, env string) request {
		ev++
		return request{body: eventBody(r.IntN(2) == 0, fmt.Sprintf("ev%04d", ev), cluster, typ, state, env, next()), secret: testSecret, want: 200}
	}
	want := slices.Clone(initial)
	var added, removed []string
	for i := range 60 {
		id := newID(r)
		reqs = append(reqs, event(id, "cluster", "creation-requested", testEnv), event(id, "cluster", "stable", testEnv))
		reqs = append(reqs, reqs[len(reqs)-1]) // a repeat of the same event
		switch {
		case i%6 == 0: // created, then deleted
			reqs = append(reqs, event(id, "cluster", "deletion-requested", testEnv), event(id, "cluster", "deleted", testEnv))
		case i%6 == 1: // the deletion overtakes the stable
			del := event(id, "cluster", "deleted", testEnv)
			reqs = slices.Insert(reqs, len(reqs)-3, del)
		default:
			reqs = append(reqs, event(id, "cluster", "upgrade-requested", testEnv), event(id, "cluster", "stable", testEnv))
			want = append(want, id)
			added = append(added, id)
		}
	}
	gone := initial[1]
	reqs = append(reqs, event(gone, "cluster", "deleted", testEnv), event(initial[0], "cluster", "stable", testEnv))
	want = slices.DeleteFunc(want, func(id string) bool { return id == gone })
	removed = append(removed, gone)
	for len(reqs) < 500 {
		switch len(reqs) % 6 {
		case 0:
			reqs = append(reqs, event(newID(r), "cluster", "stable", "dev")) // another environment
		case 1:
			reqs = append(reqs, event(newID(r), "installation", "stable", testEnv))
		case 2:
			reqs = append(reqs, request{body: `{"eventId":"x","resourceId":"../etc"`, secret: testSecret, want: 400})
		case 3:
			reqs = append(reqs, request{body: eventBody(false, "u1", newID(r), "cluster", "stable", testEnv, next()), secret: "", want: 401})
		case 4:
			reqs = append(reqs, request{body: eventBody(true, "u2", newID(r), "cluster", "stable", testEnv, next()), secret: testSecret + "x", want: 401})
		case 5:
			reqs = append(reqs, request{body: `{"eventId":"` + strings.Repeat("e", 5000) + `"}`, secret: testSecret, want: 413})
		}
	}
	slices.Sort(want)
	slices.Sort(added)

	// Eight senders; each keeps the order of its share, so a cluster's
	// events can overtake one another as they do between provisioner workers.
	var wg sync.WaitGroup
	var mu sync.Mutex
	var wrong []string
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(reqs); i += 8 {
				if got := post(srv.Client(), srv.URL, reqs[i].secret, reqs[i].body); got != reqs[i].want {
					mu.Lock()
					wrong = append(wrong, fmt.Sprintf("request %d: status %d, want %d", i, got, reqs[i].want))
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if len(wrong) > 0 {
		t.Fatalf("%d requests answered wrong:\n%s", len(wrong), strings.Join(wrong, "\n"))
	}

	var branch []string
	took := waitFor(t, 60*time.Second, "the branch holds the expected clusters", func() bool {
		c := f.branch(t)
		if c == "" {
			return false
		}
		branch = clusters(t, f.clone(t, c))
		return slices.Equal(branch, want)
	})
	t.Logf("500 requests: branch complete %s after the last answer", took.Round(time.Millisecond))
	head := f.branch(t)
	dir := f.clone(t, head)
	checkRendered(t, dir)
	v, err := registration.Verify(context.Background(), dir, "origin/main", "HEAD", testEnv, "environments", "out")
	if err != nil {
		t.Fatalf("verify-registration refuses the service's own branch: %v", err)
	}
	if diff := cmp.Diff(registration.Verification{Added: added, Removed: removed}, v); diff != "" {
		t.Errorf("the branch's change (-want +got):\n%s", diff)
	}
	scrapedAtProvisionerNames(t, dir, added, removed)
	metrics := get(t, srv.URL+registration.MetricsPath)
	for _, line := range []string{
		`fleetgen_registration_events_rejected_total{reason="unauthenticated"} ` + fmt.Sprint(count(reqs, 401)),
		`fleetgen_registration_events_rejected_total{reason="malformed"} ` + fmt.Sprint(count(reqs, 400)),
		`fleetgen_registration_events_rejected_total{reason="too_large"} ` + fmt.Sprint(count(reqs, 413)),
		`fleetgen_registration_events_received_total ` + fmt.Sprint(len(reqs)-count(reqs, 401)),
	} {
		if !strings.Contains(metrics, line+"\n") {
			t.Errorf("metrics lack %q", line)
		}
	}
	if strings.Contains(metrics, testSecret) {
		t.Error("the metrics show the secret")
	}

	// The pull request merges; one more cluster comes.
	f.merge(t, head)
	late := newID(r)
	if got := post(srv.Client(), srv.URL, testSecret, eventBody(false, "late", late, "cluster", "stable", testEnv, next())); got != 200 {
		t.Fatalf("late event: status %d", got)
	}
	waitFor(t, 30*time.Second, "the branch holds the late cluster", func() bool {
		c := f.branch(t)
		return c != head && c != "" && slices.Contains(clusters(t, f.clone(t, c)), late)
	})
	dir = f.clone(t, f.branch(t))
	v, err = registration.Verify(context.Background(), dir, "origin/main", "HEAD", testEnv, "environments", "out")
	if err != nil || !slices.Equal(v.Added, []string{late}) || len(v.Removed) != 0 {
		t.Errorf("after the merge the branch changes %+v (%v); want only %s added", v, err, late)
	}
	if p := s.Ledger.Pending(); len(p) != 1 || p[0].Cluster != late {
		t.Errorf("pending after the merge: %+v; want only %s", p, late)
	}
	// The push key's namespace holds: main cannot be pushed.
	cmdOut, err := gitPush(dir, "HEAD:refs/heads/main")
	if err == nil || !strings.Contains(cmdOut, "may push only") {
		t.Errorf("a push to main was not refused: %v\n%s", err, cmdOut)
	}
}

// scrapedAtProvisionerNames: the central Prometheus of the pushed branch
// scrapes each added cluster at the name the provisioner gives its
// Prometheus, "<cluster ID>.prometheus.<private zone domain>" (a private
// CNAME to the cluster's internal NGINX, port 80: mattermost-cloud's
// internal/provisioner/utility/prometheus_operator.go), in the Prometheus
// configuration and in the chart values Argo CD deploys, and no longer
// scrapes a removed one.
func scrapedAtProvisionerNames(t *testing.T, dir string, added, removed []string) {
	t.Helper()
	inv, _, diags := inventory.Load(filepath.Join(dir, "environments"), testEnv)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	domain := inv.Environments[0].DNS.PrivateDomain
	for _, file := range []string{layout.PrometheusConfig(testEnv), layout.HelmValues(testEnv, "prometheus")} {
		data, err := os.ReadFile(filepath.Join(dir, "out", file))
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range added {
			if target := fmt.Sprintf("- %s.prometheus.%s:80\n", id, domain); !strings.Contains(string(data), target) {
				t.Errorf("%s does not scrape %s", file, strings.TrimSpace(target))
			}
		}
		for _, id := range removed {
			if strings.Contains(string(data), id) {
				t.Errorf("%s still names the removed cluster %s", file, id)
			}
		}
	}
}

func count(reqs []request, status int) int {
	n := 0
	for _, r := range reqs {
		if r.want == status {
			n++
		}
	}
	return n
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func gitPush(dir, refspec string) (string, error) {
	out, err := execIn(dir, "git", "push", "origin", refspec)
	return out, err
}
