package registration

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const clusterB = "b7kq2m9x4w8r1t6y3u5i0o2p4a"

func clusterEvent(id, cluster, state string, at int) Event {
	return Event{ID: id, At: time.Unix(int64(at), 0).UTC(), Resource: cluster, Type: typeCluster, NewState: state, Environment: "prod"}
}

func TestLedgerRules(t *testing.T) {
	l, err := OpenLedger(t.TempDir(), "prod")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	steps := []struct {
		e      Event
		reason string // "" when the event changes the ledger
	}{
		{clusterEvent("e1", clusterA, "creation-requested", 1), ReasonOtherState},
		{clusterEvent("e2", clusterA, "stable", 2), ""},
		{clusterEvent("e2", clusterA, "stable", 2), ReasonDuplicate},
		{clusterEvent("e3", clusterA, "upgrade-requested", 3), ReasonOtherState},
		{clusterEvent("e4", clusterA, "stable", 4), ReasonRegistered}, // after the upgrade
		{Event{ID: "e5", At: time.Unix(5, 0), Resource: clusterB, Type: "installation", NewState: "stable", Environment: "prod"}, ReasonNotCluster},
		{Event{ID: "e6", At: time.Unix(6, 0), Resource: clusterB, Type: typeCluster, NewState: "stable", Environment: "dev"}, ReasonOtherEnv},
		// Reordered: the deletion arrives before the cluster's stable.
		{clusterEvent("e8", clusterB, "deleted", 8), ""},
		{clusterEvent("e7", clusterB, "stable", 7), ReasonDeletedOnce},
		{clusterEvent("e9", clusterA, "deleted", 9), ""},
		{clusterEvent("e9b", clusterA, "deleted", 9), ReasonDeletedOnce},
	}
	for _, s := range steps {
		out, err := l.Record(s.e)
		if err != nil {
			t.Fatal(err)
		}
		if out.Changed != (s.reason == "") || out.Reason != s.reason {
			t.Errorf("event %s (%s of %s): got %+v, want reason %q", s.e.ID, s.e.NewState, s.e.Resource, out, s.reason)
		}
	}
	want := []Decision{
		{Cluster: clusterA, Present: false, EventID: "e9", At: time.Unix(9, 0).UTC()},
		{Cluster: clusterB, Present: false, EventID: "e8", At: time.Unix(8, 0).UTC()},
	}
	if diff := cmp.Diff(want, l.Pending()); diff != "" {
		t.Errorf("pending (-want +got):\n%s", diff)
	}
}

// What was recorded survives a restart; a settled decision still blocks
// a late event; a torn last line (a crash in the middle of a write, never
// acknowledged) is dropped; compaction keeps every decision.
func TestLedgerSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	l, err := OpenLedger(dir, "prod")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []Event{clusterEvent("e1", clusterA, "stable", 1), clusterEvent("e2", clusterB, "stable", 2), clusterEvent("e3", clusterB, "deleted", 3)} {
		if _, err := l.Record(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Settle([]Decision{{Cluster: clusterA, EventID: "e1"}, {Cluster: clusterB, EventID: "e2"}}); err != nil {
		t.Fatal(err)
	}
	l.Close()
	f, err := os.OpenFile(filepath.Join(dir, journalName), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"decision":{"cluster":"zzzz`)
	f.Close()

	l, err = OpenLedger(dir, "prod")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	want := []Decision{
		{Cluster: clusterA, Present: true, EventID: "e1", At: time.Unix(1, 0).UTC(), Settled: true},
		{Cluster: clusterB, Present: false, EventID: "e3", At: time.Unix(3, 0).UTC()}, // e2's settle came too late for e3
	}
	if diff := cmp.Diff(want, l.Decisions()); diff != "" {
		t.Errorf("decisions after restart (-want +got):\n%s", diff)
	}
	if out, _ := l.Record(clusterEvent("e4", clusterA, "stable", 4)); out.Changed {
		t.Error("a stable after a restart registered the cluster again")
	}
	if out, _ := l.Record(clusterEvent("e2", clusterB, "stable", 2)); out.Changed {
		t.Error("a repeated event changed the ledger after a restart")
	}
}

// A line in the middle that is not JSON is damage, not a crash: refuse
// to start rather than drop decisions.
func TestLedgerRefusesDamage(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, journalName), []byte("garbage\n{}\n"), 0o600)
	if _, err := OpenLedger(dir, "prod"); err == nil {
		t.Fatal("a damaged ledger was opened")
	}
}
