package vouchstream

import (
	"encoding/json"
	"fmt"

	"google.golang.org/protobuf/encoding/protojson"

	voucherifyv1 "github.com/vouchstream/vouchstream/gen/go/voucherify/v1"
	v1 "github.com/vouchstream/vouchstream/gen/go/vouchstream/v1"
)

// PublicationSucceededEvent makes an Event from a bare publication.succeeded
// body (its JSON, as Voucherify sends it). The id is the body's
// publication.id, as the gateway derives it for bare bodies; the server sets
// received_at and seq.
func PublicationSucceededEvent(body []byte) (*v1.Event, error) {
	payload := &voucherifyv1.PublicationSucceeded{}
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(body, payload); err != nil {
		return nil, fmt.Errorf("publication.succeeded body: %w", err)
	}
	var ids struct {
		Publication struct {
			ID string `json:"id"`
		} `json:"publication"`
	}
	if err := json.Unmarshal(body, &ids); err != nil {
		return nil, err
	}
	return &v1.Event{
		Id:      ids.Publication.ID,
		Type:    "publication.succeeded",
		Payload: &v1.Event_PublicationSucceeded{PublicationSucceeded: payload},
	}, nil
}
