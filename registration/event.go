package registration

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"
)

// An Event is one state change of a provisioner resource, in either of the
// provisioner's delivery forms.
type Event struct {
	ID          string    `json:"event_id"`
	At          time.Time `json:"at"`
	Resource    string    `json:"resource"` // the cluster's ID
	Type        string    `json:"type"`     // "cluster", "installation", ...
	NewState    string    `json:"new_state"`
	OldState    string    `json:"old_state,omitempty"`
	Environment string    `json:"environment"` // the provisioner's, from ExtraData
}

// The cluster states registration acts on; every other one is ignored.
const (
	typeCluster   = "cluster"
	stateStable   = "stable"
	stateDeleted  = "deleted"
	envExtraField = "Environment"
)

// subscriptionPayload is what an event subscription delivers
// (model.StateChangeEventPayload of the provisioner): camelCase, timestamp
// in Unix milliseconds, ExtraData with Go's field name.
type subscriptionPayload struct {
	EventID      string            `json:"eventId"`
	Timestamp    int64             `json:"timestamp"`
	ResourceID   string            `json:"resourceId"`
	ResourceType string            `json:"resourceType"`
	NewState     string            `json:"newState"`
	OldState     string            `json:"oldState"`
	ExtraData    map[string]string `json:"ExtraData"`
}

// webhookPayload is what a webhook delivers (model.WebhookPayload):
// snake_case, timestamp in Unix nanoseconds.
type webhookPayload struct {
	EventID   string            `json:"event_id"`
	Timestamp int64             `json:"timestamp"`
	ID        string            `json:"id"`
	Type      string            `json:"type"`
	NewState  string            `json:"new_state"`
	OldState  string            `json:"old_state"`
	ExtraData map[string]string `json:"extra_data"`
}

// providerID is the form of the provisioner's IDs (model.NewID: 26
// characters of lower-case base32). Anything else is refused before it
// is accepted, so an accepted event can always be written as an inventory
// block.
var providerID = regexp.MustCompile(`^[a-z0-9]{26}$`)

// A PayloadError is a request the service refuses with a 4xx: the
// provisioner does not retry those, and nothing was recorded.
type PayloadError struct{ Reason string }

func (e *PayloadError) Error() string { return e.Reason }

func payloadErrorf(format string, args ...any) error {
	return &PayloadError{Reason: fmt.Sprintf(format, args...)}
}

// Decode reads one event. The form is told by its fields: eventId for a
// subscription, event_id for a webhook.
func Decode(body []byte) (Event, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(body, &probe); err != nil {
		return Event{}, payloadErrorf("the body is not a JSON object: %v", err)
	}
	_, sub := probe["eventId"]
	_, hook := probe["event_id"]
	var e Event
	var extra map[string]string
	switch {
	case sub && hook:
		return Event{}, payloadErrorf("the body has both eventId and event_id: not an event of the provisioner")
	case sub:
		var p subscriptionPayload
		if err := decodeOne(body, &p); err != nil {
			return Event{}, payloadErrorf("not a subscription event: %v", err)
		}
		e = Event{ID: p.EventID, At: time.UnixMilli(p.Timestamp).UTC(), Resource: p.ResourceID, Type: p.ResourceType, NewState: p.NewState, OldState: p.OldState}
		extra = p.ExtraData
	case hook:
		var p webhookPayload
		if err := decodeOne(body, &p); err != nil {
			return Event{}, payloadErrorf("not a webhook event: %v", err)
		}
		e = Event{ID: p.EventID, At: time.Unix(0, p.Timestamp).UTC(), Resource: p.ID, Type: p.Type, NewState: p.NewState, OldState: p.OldState}
		extra = p.ExtraData
	default:
		return Event{}, payloadErrorf("the body has neither eventId (event subscription) nor event_id (webhook)")
	}
	e.Environment = extra[envExtraField]
	return e, e.validate()
}

func decodeOne(body []byte, v any) error {
	// Unknown fields are allowed: a newer provisioner may add some.
	d := json.NewDecoder(bytes.NewReader(body))
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("more than one JSON value")
	}
	return nil
}

func (e Event) validate() error {
	switch {
	case e.ID == "":
		return payloadErrorf("the event has no ID")
	case len(e.ID) > 64:
		return payloadErrorf("the event ID has %d characters; the provisioner's have 26", len(e.ID))
	case e.Type == "":
		return payloadErrorf("the event %s has no resource type", e.ID)
	case e.NewState == "":
		return payloadErrorf("the event %s has no new state", e.ID)
	case e.At.Unix() <= 0:
		return payloadErrorf("the event %s has no timestamp", e.ID)
	}
	if e.Type == typeCluster {
		if !providerID.MatchString(e.Resource) {
			return payloadErrorf("the event %s names cluster %q; a provisioner cluster ID is 26 lower-case letters and digits", e.ID, e.Resource)
		}
		if e.Environment == "" {
			return payloadErrorf("the cluster event %s has no %s in its extra data", e.ID, envExtraField)
		}
	}
	return nil
}
