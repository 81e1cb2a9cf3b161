package registration

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/mattermost/fleetgen/internal/atomicfile"
)

// A Decision is what the events of one cluster ask of the inventory.
type Decision struct {
	Cluster string    `json:"cluster"`
	Present bool      `json:"present"`  // a workload_cluster block, or none
	EventID string    `json:"event_id"` // the event that decided it
	At      time.Time `json:"at"`
	// Settled: the fleet repository's main branch reflects it. A settled
	// decision is kept: a late or repeated event must not undo it.
	Settled bool `json:"settled,omitempty"`
}

// An Outcome says what an event did to the ledger.
type Outcome struct {
	Changed bool   // a new decision was recorded (and synced)
	Reason  string // why nothing changed, for the response and the metrics
}

// The reasons an accepted event changes nothing; the metrics label them.
const (
	ReasonNotCluster  = "not a cluster event"
	ReasonOtherEnv    = "another environment"
	ReasonOtherState  = "a state registration does not act on"
	ReasonDuplicate   = "already recorded"
	ReasonDeletedOnce = "the cluster was deleted; the provisioner never reuses an ID"
	ReasonRegistered  = "the cluster is registered already"
)

// journalName is the ledger's file in the service's data folder.
const journalName = "events.jsonl"

// A Ledger records decisions durably. Record returns only once the
// decision is on disk, so an event the service answered 200 survives a
// crash; the file is replayed on open. One line per record: a decision,
// or a note that main reflects one.
type Ledger struct {
	env  string
	path string

	mu        sync.Mutex
	file      *os.File
	decisions map[string]*Decision
	events    map[string]bool // IDs of the events behind the decisions
	lines     int
}

type journalLine struct {
	Decision *Decision `json:"decision,omitempty"`
	Settle   *Decision `json:"settle,omitempty"`
}

// OpenLedger opens (or creates) the ledger of environment env in dir.
// A last line cut short by a crash was never acknowledged: it is dropped.
func OpenLedger(dir, env string) (*Ledger, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	l := &Ledger{env: env, path: filepath.Join(dir, journalName), decisions: map[string]*Decision{}, events: map[string]bool{}}
	data, err := os.ReadFile(l.path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if err := l.replay(data); err != nil {
		return nil, fmt.Errorf("%s: %w", l.path, err)
	}
	if err := l.compact(); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *Ledger) replay(data []byte) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		n++
		var line journalLine
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			complete := bytes.Count(data, []byte("\n"))
			if n > complete {
				break // the torn tail of a crash, never acknowledged
			}
			return fmt.Errorf("line %d: %v", n, err)
		}
		switch {
		case line.Decision != nil:
			d := *line.Decision
			l.decisions[d.Cluster] = &d
			l.events[d.EventID] = true
		case line.Settle != nil:
			if d := l.decisions[line.Settle.Cluster]; d != nil && d.EventID == line.Settle.EventID {
				d.Settled = true
			}
		}
	}
	return sc.Err()
}

// compact rewrites the journal with one line per decision and opens it for
// appending.
func (l *Ledger) compact() error {
	var buf bytes.Buffer
	for _, c := range slices.Sorted(maps.Keys(l.decisions)) {
		line, err := json.Marshal(journalLine{Decision: l.decisions[c]})
		if err != nil {
			return err
		}
		buf.Write(append(line, '\n'))
	}
	if l.file != nil {
		l.file.Close()
		l.file = nil
	}
	if err := atomicfile.WriteFile(l.path, buf.Bytes(), 0o600); err != nil {
		return err
	}
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	l.file, l.lines = f, len(l.decisions)
	return nil
}

// Record decides what an event asks for and, when that is new, writes it
// down before returning.
//   - Only cluster events of the ledger's environment count.
//   - "stable" registers a cluster the first time; after an upgrade or a
//     resize the cluster is stable again and nothing changes.
//   - "deleted" is final: a later (or reordered, older) "stable" of the
//     same cluster changes nothing.
func (l *Ledger) Record(e Event) (Outcome, error) {
	switch {
	case e.Type != typeCluster:
		return Outcome{Reason: ReasonNotCluster}, nil
	case e.Environment != l.env:
		return Outcome{Reason: ReasonOtherEnv}, nil
	case e.NewState != stateStable && e.NewState != stateDeleted:
		return Outcome{Reason: ReasonOtherState}, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.events[e.ID] {
		return Outcome{Reason: ReasonDuplicate}, nil
	}
	present := e.NewState == stateStable
	if d := l.decisions[e.Cluster()]; d != nil {
		switch {
		case !d.Present:
			return Outcome{Reason: ReasonDeletedOnce}, nil
		case present:
			return Outcome{Reason: ReasonRegistered}, nil
		}
	}
	d := &Decision{Cluster: e.Cluster(), Present: present, EventID: e.ID, At: e.At}
	if err := l.append(journalLine{Decision: d}); err != nil {
		return Outcome{}, err
	}
	l.decisions[d.Cluster] = d
	l.events[e.ID] = true
	return Outcome{Changed: true}, nil
}

// Cluster is the ID of the cluster a cluster event is about.
func (e Event) Cluster() string { return e.Resource }

func (l *Ledger) append(line journalLine) error {
	data, err := json.Marshal(line)
	if err != nil {
		return err
	}
	if _, err := l.file.Write(append(data, '\n')); err != nil {
		return fmt.Errorf("recording an event: %w", err)
	}
	if err := l.file.Sync(); err != nil {
		return fmt.Errorf("recording an event: %w", err)
	}
	l.lines++
	return nil
}

// Pending returns the decisions main does not reflect yet, by cluster ID.
func (l *Ledger) Pending() []Decision {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Decision
	for _, c := range slices.Sorted(maps.Keys(l.decisions)) {
		if d := l.decisions[c]; !d.Settled {
			out = append(out, *d)
		}
	}
	return out
}

// Decisions returns every decision, settled or not, by cluster ID.
func (l *Ledger) Decisions() []Decision {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Decision
	for _, c := range slices.Sorted(maps.Keys(l.decisions)) {
		out = append(out, *l.decisions[c])
	}
	return out
}

// Settle notes that main reflects these decisions. A decision replaced by
// a newer event since is left as it is.
func (l *Ledger) Settle(done []Decision) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range done {
		d := l.decisions[s.Cluster]
		if d == nil || d.EventID != s.EventID || d.Settled {
			continue
		}
		if err := l.append(journalLine{Settle: &Decision{Cluster: s.Cluster, EventID: s.EventID}}); err != nil {
			return err
		}
		d.Settled = true
	}
	if l.lines > 2*len(l.decisions)+64 {
		return l.compact()
	}
	return nil
}

// Close closes the journal.
func (l *Ledger) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.file == nil {
		return nil
	}
	err := l.file.Close()
	l.file = nil
	return err
}
