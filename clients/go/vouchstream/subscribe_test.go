package vouchstream_test

// End-to-end: the Go client and example consumer against the real server.
// Filter: types ["publication.*"] and campaign campaign. Each batch mixes
// events of another campaign and of another type (filtered out) with
// matching ones, and ends with a matching one, so an exact list compare also
// proves that nothing extra was delivered in between.

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

	"github.com/vouchstream/vouchstream/clients/go/vouchstream"
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

func startConsumer(t *testing.T, bin, target, cursor string) *consumer {
	t.Helper()
	cmd := exec.Command(bin, "--server="+target, "--types=publication.*", "--campaign="+campaign, "--cursor="+cursor)
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
