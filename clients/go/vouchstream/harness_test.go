package vouchstream_test

// Test harness: a real vouchstream-server on a free loopback port, child
// processes read line by line with deadlines, and test events from the seed.
// The server binary comes from $VOUCHSTREAM_SERVER (ctest passes the CMake
// target's path), else <repo>/build/bin/vouchstream-server. A missing binary
// fails the test; nothing is skipped.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/vouchstream/vouchstream/clients/go/vouchstream"
	v1 "github.com/vouchstream/vouchstream/gen/go/vouchstream/v1"
)

const deadline = 20 * time.Second

// repoRoot resolves the GOPATH symlink back to the checkout.
func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := filepath.EvalSymlinks(wd)
	if err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(filepath.Join(dir, "..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// lineReader yields a child's stdout lines on a channel.
type lineReader struct{ lines chan string }

func newLineReader(r io.Reader) *lineReader {
	l := &lineReader{lines: make(chan string, 1024)}
	go func() {
		scanner := bufio.NewScanner(r)
		for scanner.Scan() {
			l.lines <- scanner.Text()
		}
		close(l.lines)
	}()
	return l
}

// readline returns the next line; ok is false at EOF. Fails at the deadline.
func (l *lineReader) readline(t *testing.T, until time.Time) (line string, ok bool) {
	t.Helper()
	select {
	case line, ok = <-l.lines:
		return line, ok
	case <-time.After(time.Until(until)):
		t.Fatal("no line before the deadline")
		return "", false
	}
}

type server struct {
	cmd    *exec.Cmd
	target string
	port   int
}

func startServer(t *testing.T, store string, port int) *server {
	t.Helper()
	return startServerWith(t, store, port, nil)
}

// startServerWith starts the server with more flags (e.g. --tls-cert=...);
// dial are the options of the start-up health check (TLS for a TLS server).
func startServerWith(t *testing.T, store string, port int, extraArgs []string, dial ...grpc.DialOption) *server {
	t.Helper()
	bin := os.Getenv("VOUCHSTREAM_SERVER")
	if bin == "" {
		bin = filepath.Join(repoRoot(t), "build", "bin", "vouchstream-server")
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("vouchstream-server not found at %s: build it (ninja -C build vouchstream-server) or set $VOUCHSTREAM_SERVER", bin)
	}
	args := append([]string{fmt.Sprintf("--listen=127.0.0.1:%d", port), "--store=sqlite:" + store}, extraArgs...)
	cmd := exec.Command(bin, args...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd}
	t.Cleanup(s.stop)
	reader := newLineReader(stdout)
	until := time.Now().Add(deadline)
	for s.target == "" {
		line, ok := reader.readline(t, until)
		if !ok {
			t.Fatal("server exited before listening")
		}
		if strings.HasPrefix(line, "listening on ") {
			s.target = strings.TrimPrefix(line, "listening on ")
		}
	}
	go func() { // keep draining stdout so the server never blocks on it
		for range reader.lines {
		}
	}()
	s.port, _ = strconv.Atoi(s.target[strings.LastIndex(s.target, ":")+1:])
	waitServing(t, s.target, until, dial...)
	return s
}

func waitServing(t *testing.T, target string, until time.Time, dial ...grpc.DialOption) {
	t.Helper()
	if len(dial) == 0 {
		dial = []grpc.DialOption{grpc.WithInsecure()}
	}
	conn, err := grpc.Dial(target, dial...)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	health := healthpb.NewHealthClient(conn)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		resp, err := health.Check(ctx, &healthpb.HealthCheckRequest{})
		cancel()
		if err == nil && resp.Status == healthpb.HealthCheckResponse_SERVING {
			return
		}
		if time.Now().After(until) {
			t.Fatalf("%s not SERVING before the deadline: %v", target, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *server) stop() {
	if s.cmd.ProcessState != nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(deadline):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

func loadSeed(t *testing.T) map[string]interface{} {
	t.Helper()
	path := os.Getenv("VOUCHSTREAM_SEED")
	if path == "" {
		path = filepath.Join(repoRoot(t), "testdata", "voucherify", "publication.succeeded.seed.json")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var seed map[string]interface{}
	if err := json.Unmarshal(data, &seed); err != nil {
		t.Fatal(err)
	}
	return seed
}

// loadEventFixture reads testdata/voucherify/events/<eventType>.json.
func loadEventFixture(t *testing.T, eventType string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "testdata", "voucherify", "events", eventType+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

type object = map[string]interface{}

// publication is a valid publication.succeeded event with ids made from n.
func publication(t *testing.T, n int, campaign, customer string) *v1.Event {
	t.Helper()
	body := loadSeed(t) // a fresh copy each time
	voucherID := fmt.Sprintf("v_go%06d", n)
	body["campaign"].(object)["id"] = campaign
	body["customer"].(object)["id"] = customer
	for _, v := range body["vouchers"].([]interface{}) {
		voucher := v.(object)
		voucher["id"] = voucherID
		voucher["campaign_id"] = campaign
		voucher["holder_id"] = customer
	}
	pub := body["publication"].(object)
	pub["id"] = fmt.Sprintf("pub_go%06d", n)
	pub["customer_id"] = customer
	pub["customer"].(object)["id"] = customer
	pub["vouchers_id"] = []string{voucherID}
	data, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	event, err := vouchstream.PublicationSucceededEvent(data)
	if err != nil {
		t.Fatal(err)
	}
	return event
}

// otherEvent is an event of a type the contract does not type (generic data).
func otherEvent(t *testing.T, n int, campaign string) *v1.Event {
	t.Helper()
	data, err := structpb.NewStruct(object{"voucher": object{
		"id": fmt.Sprintf("v_goo%06d", n), "campaign_id": campaign}})
	if err != nil {
		t.Fatal(err)
	}
	return &v1.Event{Id: fmt.Sprintf("evvp_go%06d", n), Type: "voucher.published",
		Payload: &v1.Event_Data{Data: data}}
}
