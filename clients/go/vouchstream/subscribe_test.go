package vouchstream_test

// End-to-end: the Go client and example consumer against the real server.
// Filter: types ["publication.*"] and campaign campaign. Each batch mixes
// events of another campaign and of another type (filtered out) with
// matching ones, and ends with a matching one, so an exact list compare also
// proves that nothing extra was delivered in between. Then a
// redemption.succeeded from its fixture, read typed under "redemption.*".

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/vouchstream/vouchstream/clients/go/vouchstream"
	voucherifyv1 "github.com/vouchstream/vouchstream/gen/go/voucherify/v1"
	v1 "github.com/vouchstream/vouchstream/gen/go/vouchstream/v1"
)

const (
	campaign      = "camp_goA"
	otherCampaign = "camp_goB"
)

func publishBatch(t *testing.T, client *vouchstream.Client, firstN, count int) []uint64 {
	t.Helper()
	var expected []uint64
	for i := 0; i < count; i++ {
		n := firstN + i
		var event *v1.Event
		switch kind := i % 4; kind {
		case 0:
			event = publication(t, n, otherCampaign, "cust_go1")
		case 1:
			event = otherEvent(t, n, campaign)
		case 2:
			event = publication(t, n, campaign, "cust_go1")
		default:
			event = publication(t, n, campaign, "cust_go2")
		}
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		resp, err := client.Publish(ctx, event)
		cancel()
		if err != nil {
			t.Fatalf("publish %s: %v", event.Id, err)
		}
		if resp.Duplicate {
			t.Fatalf("publish %s: unexpected duplicate", event.Id)
		}
		if i%4 >= 2 {
			expected = append(expected, resp.Seq)
		}
	}
	return expected
}

func dial(t *testing.T, target string) *vouchstream.Client {
	t.Helper()
	client, err := vouchstream.Dial(target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return client
}

func TestPublishIsIdempotent(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "events.db"), 0)
	client := dial(t, s.target)
	event := publication(t, 1, campaign, "cust_go1")
	first, err := client.Publish(context.Background(), event)
	if err != nil {
		t.Fatal(err)
	}
	again, err := client.Publish(context.Background(), event)
	if err != nil {
		t.Fatal(err)
	}
	if again.Seq != first.Seq || !again.Duplicate {
		t.Fatalf("retry got seq %d duplicate %v, want seq %d duplicate true", again.Seq, again.Duplicate, first.Seq)
	}
}

type consumer struct {
	cmd    *exec.Cmd
	reader *lineReader
}

func buildConsumer(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "consumer")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/vouchstream/vouchstream/clients/go/cmd/consumer")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go build consumer: %v", err)
	}
	return bin
}

// startConsumer runs the example consumer; filters default to the
// publication.* filter of the batches.
func startConsumer(t *testing.T, bin, target, cursor string, filters ...string) *consumer {
	t.Helper()
	if len(filters) == 0 {
		filters = []string{"--types=publication.*", "--campaign=" + campaign}
	}
	args := append([]string{"--server=" + target, "--cursor=" + cursor}, filters...)
	cmd := exec.Command(bin, args...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return &consumer{cmd: cmd, reader: newLineReader(stdout)}
}

func (c *consumer) readSeqs(t *testing.T, count int) []uint64 {
	t.Helper()
	until := time.Now().Add(deadline)
	var seqs []uint64
	for len(seqs) < count {
		line, ok := c.reader.readline(t, until)
		if !ok {
			t.Fatalf("consumer exited after %v", seqs)
		}
		var e struct {
			Seq        uint64 `json:"seq"`
			Type       string `json:"type"`
			CampaignID string `json:"campaign_id"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("consumer line %q: %v", line, err)
		}
		if e.Type != "publication.succeeded" || e.CampaignID != campaign {
			t.Fatalf("consumer got an event outside the filter: %s", line)
		}
		seqs = append(seqs, e.Seq)
	}
	return seqs
}

// readLines returns the next count lines, each key with its raw JSON value.
func (c *consumer) readLines(t *testing.T, count int) []map[string]json.RawMessage {
	t.Helper()
	until := time.Now().Add(deadline)
	var lines []map[string]json.RawMessage
	for len(lines) < count {
		line, ok := c.reader.readline(t, until)
		if !ok {
			t.Fatalf("consumer exited after %d lines", len(lines))
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal([]byte(line), &fields); err != nil {
			t.Fatalf("consumer line %q: %v", line, err)
		}
		lines = append(lines, fields)
	}
	return lines
}

func (c *consumer) stop(t *testing.T) {
	t.Helper()
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	if err := c.cmd.Wait(); err != nil {
		t.Fatalf("consumer exit: %v", err)
	}
}

func loadCursor(t *testing.T, path string) uint64 {
	t.Helper()
	seq, err := vouchstream.FileCursor{Path: path}.Load()
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

func TestExampleConsumerFiltersAndResumes(t *testing.T) {
	dir := t.TempDir()
	cursor := filepath.Join(dir, "consumer.seq")
	bin := buildConsumer(t)
	s := startServer(t, filepath.Join(dir, "events.db"), 0)
	client := dial(t, s.target)

	expected := publishBatch(t, client, 100, 12)
	c := startConsumer(t, bin, s.target, cursor)
	if got := c.readSeqs(t, len(expected)); !reflect.DeepEqual(got, expected) {
		t.Fatalf("catch-up got %v, want %v", got, expected)
	}
	// Live: published while the consumer is attached.
	live := publishBatch(t, client, 200, 8)
	if got := c.readSeqs(t, len(live)); !reflect.DeepEqual(got, live) {
		t.Fatalf("live got %v, want %v", got, live)
	}
	c.stop(t)
	if got := loadCursor(t, cursor); got != live[len(live)-1] {
		t.Fatalf("cursor %d, want %d", got, live[len(live)-1])
	}

	// Published while it is down: it resumes after the saved seq, no gap,
	// no duplicate.
	missed := publishBatch(t, client, 300, 8)
	c = startConsumer(t, bin, s.target, cursor)
	if got := c.readSeqs(t, len(missed)); !reflect.DeepEqual(got, missed) {
		t.Fatalf("resume got %v, want %v", got, missed)
	}
	after := publishBatch(t, client, 400, 4)
	if got := c.readSeqs(t, len(after)); !reflect.DeepEqual(got, after) {
		t.Fatalf("live after resume got %v, want %v", got, after)
	}
	c.stop(t)
	if got := loadCursor(t, cursor); got != after[len(after)-1] {
		t.Fatalf("cursor %d, want %d", got, after[len(after)-1])
	}
}

func TestSubscribeResumesAfterServerRestart(t *testing.T) {
	store := filepath.Join(t.TempDir(), "events.db")
	s := startServer(t, store, 0)
	client := dial(t, s.target)
	expected := publishBatch(t, client, 500, 8)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var seen []uint64
	caughtUp := make(chan struct{}, 16)
	reconnects := 0
	done := make(chan struct{})
	want := 2 * len(expected) // this batch and the one after the restart
	result := make(chan error, 1)
	go func() {
		result <- client.Subscribe(ctx, vouchstream.SubscribeOptions{
			Filter:      &v1.EventFilter{Types: []string{"publication.*"}, CampaignIds: []string{campaign}},
			Backoff:     vouchstream.Backoff{Initial: 50 * time.Millisecond, Max: 500 * time.Millisecond},
			OnCaughtUp:  func(uint64) { caughtUp <- struct{}{} },
			OnReconnect: func(error) { mu.Lock(); reconnects++; mu.Unlock() },
		}, func(e *v1.Event) error {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, e.Seq)
			if len(seen) == want {
				close(done)
			}
			return nil
		})
	}()
	select {
	case <-caughtUp:
	case <-time.After(deadline):
		t.Fatal("no caught_up")
	}

	// Same port, same store: the subscription reconnects by itself.
	s.stop()
	s = startServer(t, store, s.port)
	expected = append(expected, publishBatch(t, client, 600, 8)...)
	select {
	case <-done:
	case <-time.After(deadline):
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("got %v, want %v", seen, expected)
	}
	cancel()
	if err := <-result; err != context.Canceled {
		t.Fatalf("Subscribe returned %v, want context.Canceled", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !reflect.DeepEqual(seen, expected) {
		t.Fatalf("got %v, want %v", seen, expected)
	}
	if reconnects < 1 {
		t.Fatal("no reconnect")
	}
}

// TestRedemptionArrivesTyped: a redemption.succeeded built from its fixture
// reaches "redemption.*" typed: the library's Event has
// redemption_succeeded.order.amount and the example consumer prints it as
// "order_amount". The same body published as untyped data is the control: no
// typed payload, no "order_amount"; so a payload that arrived as a Struct
// fails the typed checks.
func TestRedemptionArrivesTyped(t *testing.T) {
	dir := t.TempDir()
	bin := buildConsumer(t)
	s := startServer(t, filepath.Join(dir, "events.db"), 0)
	client := dial(t, s.target)

	body := loadEventFixture(t, "redemption.succeeded")
	var fixture struct {
		Order struct {
			Amount *int64 `json:"amount"`
		} `json:"order"`
		Redemption struct {
			ID string `json:"id"`
		} `json:"redemption"`
	}
	if err := json.Unmarshal(body, &fixture); err != nil || fixture.Order.Amount == nil {
		t.Fatalf("fixture order.amount: %v", err)
	}
	want := *fixture.Order.Amount
	payload := &voucherifyv1.RedemptionOutcome{}
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(body, payload); err != nil {
		t.Fatal(err)
	}
	data := &structpb.Struct{}
	if err := protojson.Unmarshal(body, data); err != nil {
		t.Fatal(err)
	}
	var seqs []uint64
	for _, event := range []*v1.Event{
		{Id: fixture.Redemption.ID, Type: "redemption.succeeded",
			Payload: &v1.Event_RedemptionSucceeded{RedemptionSucceeded: payload}},
		{Id: "evred_go_untyped", Type: "redemption.succeeded",
			Payload: &v1.Event_Data{Data: data}},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		resp, err := client.Publish(ctx, event)
		cancel()
		if err != nil {
			t.Fatalf("publish %s: %v", event.Id, err)
		}
		seqs = append(seqs, resp.Seq)
	}

	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	var got []*v1.Event
	err := client.Subscribe(ctx, vouchstream.SubscribeOptions{
		Filter: &v1.EventFilter{Types: []string{"redemption.*"}},
	}, func(e *v1.Event) error {
		got = append(got, e)
		if len(got) == 2 {
			cancel()
		}
		return nil
	})
	if err != context.Canceled || len(got) != 2 {
		t.Fatalf("Subscribe returned %v after %d events, want context.Canceled after 2", err, len(got))
	}
	if got[0].Seq != seqs[0] || got[1].Seq != seqs[1] {
		t.Fatalf("got seqs %d, %d, want %v", got[0].Seq, got[1].Seq, seqs)
	}
	typed, ok := got[0].Payload.(*v1.Event_RedemptionSucceeded)
	if !ok {
		t.Fatalf("payload %T, want redemption_succeeded", got[0].Payload)
	}
	if amount := typed.RedemptionSucceeded.GetOrder().Amount; amount == nil || *amount != want {
		t.Fatalf("redemption_succeeded.order.amount %v, want %d", amount, want)
	}
	if _, ok := got[1].Payload.(*v1.Event_Data); !ok {
		t.Fatalf("control payload %T, want data", got[1].Payload)
	}

	c := startConsumer(t, bin, s.target, filepath.Join(dir, "consumer.seq"), "--types=redemption.*")
	lines := c.readLines(t, 2)
	c.stop(t)
	for i, line := range lines {
		var seq uint64
		if err := json.Unmarshal(line["seq"], &seq); err != nil || seq != seqs[i] {
			t.Fatalf("line %d seq %s, want %d", i, line["seq"], seqs[i])
		}
	}
	var amount int64
	if raw, ok := lines[0]["order_amount"]; !ok || json.Unmarshal(raw, &amount) != nil || amount != want {
		t.Fatalf("typed line order_amount %s, want %d", lines[0]["order_amount"], want)
	}
	if raw, ok := lines[1]["order_amount"]; ok {
		t.Fatalf("untyped line has order_amount %s", raw)
	}
}
