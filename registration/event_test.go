package registration

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

const clusterA = "a1b2c3d4e5f6g7h8i9j0k1l2m3"

// The two forms, with the field names of the provisioner's
// model.StateChangeEventPayload and model.WebhookPayload.
func TestDecodeBothForms(t *testing.T) {
	at := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	want := Event{ID: "ev1", At: at, Resource: clusterA, Type: "cluster", NewState: "stable", OldState: "provision-in-progress", Environment: "prod"}
	for name, body := range map[string]string{
		"subscription": `{"eventId":"ev1","timestamp":` + itoa(at.UnixMilli()) + `,"resourceId":"` + clusterA + `","resourceType":"cluster","newState":"stable","oldState":"provision-in-progress","ExtraData":{"Environment":"prod"}}`,
		"webhook":      `{"event_id":"ev1","timestamp":` + itoa(at.UnixNano()) + `,"id":"` + clusterA + `","type":"cluster","new_state":"stable","old_state":"provision-in-progress","extra_data":{"Environment":"prod"},"newer_field":1}`,
	} {
		got, err := Decode([]byte(body))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got != want {
			t.Errorf("%s: got %+v, want %+v", name, got, want)
		}
	}
}

func TestDecodeRefusals(t *testing.T) {
	for name, body := range map[string]string{
		"not JSON":       `stable`,
		"array":          `[1]`,
		"neither form":   `{"id":"x"}`,
		"both forms":     `{"eventId":"a","event_id":"b"}`,
		"two values":     `{"event_id":"e","timestamp":1,"id":"` + clusterA + `","type":"cluster","new_state":"stable","extra_data":{"Environment":"p"}} {}`,
		"no event ID":    `{"eventId":"","timestamp":1,"resourceId":"` + clusterA + `","resourceType":"cluster","newState":"stable","ExtraData":{"Environment":"p"}}`,
		"no timestamp":   `{"eventId":"e","resourceId":"` + clusterA + `","resourceType":"cluster","newState":"stable","ExtraData":{"Environment":"p"}}`,
		"no state":       `{"eventId":"e","timestamp":1,"resourceId":"` + clusterA + `","resourceType":"cluster","ExtraData":{"Environment":"p"}}`,
		"bad cluster ID": `{"eventId":"e","timestamp":1,"resourceId":"../../etc","resourceType":"cluster","newState":"stable","ExtraData":{"Environment":"p"}}`,
		"upper-case ID":  `{"eventId":"e","timestamp":1,"resourceId":"A1B2C3D4E5F6G7H8I9J0K1L2M3","resourceType":"cluster","newState":"stable","ExtraData":{"Environment":"p"}}`,
		"no environment": `{"eventId":"e","timestamp":1,"resourceId":"` + clusterA + `","resourceType":"cluster","newState":"stable"}`,
		"wrong type":     `{"eventId":7,"timestamp":1}`,
		"long event ID":  `{"eventId":"` + strings.Repeat("e", 65) + `","timestamp":1,"resourceId":"` + clusterA + `","resourceType":"cluster","newState":"stable","ExtraData":{"Environment":"p"}}`,
	} {
		_, err := Decode([]byte(body))
		var perr *PayloadError
		if !errors.As(err, &perr) {
			t.Errorf("%s: got %v, want a PayloadError", name, err)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
