package vouchstream_test

// TLS, mTLS and the bearer token (issue 8), against the real server.
// Certificates come from scripts/make_test_certs.sh into a temp dir. The
// token test checks only that the client SENDS the header, on an in-process
// recording server; the real server's checking of it belongs to the auth
// tests.

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/vouchstream/vouchstream/clients/go/vouchstream"
	v1 "github.com/vouchstream/vouchstream/gen/go/vouchstream/v1"
)

type testPKI struct {
	ca, serverCert, serverKey, clientCert, clientKey string
	otherClientCert, otherClientKey                  string
}

func makeTestCerts(t *testing.T) testPKI {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "pki")
	cmd := exec.Command("/bin/bash", filepath.Join(repoRoot(t), "scripts", "make_test_certs.sh"), dir)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("make_test_certs.sh: %v", err)
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	return testPKI{p("ca.pem"), p("server.pem"), p("server.key"), p("client.pem"),
		p("client.key"), p("other-client.pem"), p("other-client.key")}
}

func startMTLSServer(t *testing.T, pki testPKI) *server {
	t.Helper()
	dial, err := vouchstream.Security{CA: pki.ca, Cert: pki.clientCert, Key: pki.clientKey}.DialOptions()
	if err != nil {
		t.Fatal(err)
	}
	return startServerWith(t, filepath.Join(t.TempDir(), "events.db"), 0,
		[]string{"--tls-cert=" + pki.serverCert, "--tls-key=" + pki.serverKey, "--client-ca=" + pki.ca},
		dial...)
}

// getEvent fails fast (no WaitForReady), so a refused handshake shows.
func getEvent(client *vouchstream.Client, seq uint64) (*v1.GetEventResponse, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return client.Stub.GetEvent(ctx, &v1.GetEventRequest{Key: &v1.GetEventRequest_Seq{Seq: seq}})
}

func TestMTLSPublishSubscribeAndRefusals(t *testing.T) {
	pki := makeTestCerts(t)
	s := startMTLSServer(t, pki)

	client, err := vouchstream.DialSecure(s.target, vouchstream.Security{
		CA: pki.ca, Cert: pki.clientCert, Key: pki.clientKey, ServerName: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	published, err := client.Publish(ctx, publication(t, 900001, "camp_goTLS", "cust_go1"))
	if err != nil {
		t.Fatalf("publish over mTLS: %v", err)
	}
	var got *v1.Event
	subCtx, stop := context.WithCancel(ctx)
	err = client.Subscribe(subCtx, vouchstream.SubscribeOptions{
		Filter: &v1.EventFilter{Types: []string{"publication.*"}},
	}, func(e *v1.Event) error { got = e; stop(); return nil })
	if err != nil && err != context.Canceled {
		t.Fatalf("subscribe over mTLS: %v", err)
	}
	if got == nil || got.Seq != published.Seq {
		t.Fatalf("subscribe got %v, want seq %d", got, published.Seq)
	}
	if resp, err := getEvent(client, published.Seq); err != nil || resp.Event.Id != got.Id {
		t.Fatalf("get over mTLS: %v %v", resp, err)
	}

	refusals := map[string]vouchstream.Security{
		"without a client certificate":     {CA: pki.ca},
		"with a certificate of another CA": {CA: pki.ca, Cert: pki.otherClientCert, Key: pki.otherClientKey},
		"in plaintext":                     {},
	}
	for name, security := range refusals {
		refused, err := vouchstream.DialSecure(s.target, security)
		if err != nil {
			t.Fatal(err)
		}
		_, err = getEvent(refused, 1)
		refused.Close()
		if status.Code(err) != codes.Unavailable {
			t.Errorf("%s: got %v, want Unavailable", name, err)
		}
	}
	if _, err := vouchstream.DialSecure(s.target, vouchstream.Security{CA: pki.ca, Cert: pki.clientCert}); err == nil ||
		!strings.Contains(err.Error(), "Cert and Key") {
		t.Errorf("Cert without Key: got %v", err)
	}
}

func TestExampleConsumerOverMTLS(t *testing.T) {
	pki := makeTestCerts(t)
	s := startMTLSServer(t, pki)
	client, err := vouchstream.DialSecure(s.target, vouchstream.Security{CA: pki.ca, Cert: pki.clientCert, Key: pki.clientKey})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	published, err := client.Publish(ctx, publication(t, 900002, "camp_goTLS", "cust_go1"))
	if err != nil {
		t.Fatal(err)
	}
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("consumer-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(buildConsumer(t), "--server="+s.target, "--types=publication.*",
		"--cursor="+filepath.Join(t.TempDir(), "cursor"), "--ca="+pki.ca,
		"--cert="+pki.clientCert, "--key="+pki.clientKey, "--token-file="+tokenFile)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	line, ok := newLineReader(stdout).readline(t, time.Now().Add(deadline))
	if !ok {
		t.Fatal("consumer exited without an event")
	}
	var e struct {
		Seq uint64 `json:"seq"`
	}
	if err := json.Unmarshal([]byte(line), &e); err != nil || e.Seq != published.Seq {
		t.Fatalf("consumer line %q (%v), want seq %d", line, err, published.Seq)
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("consumer exit: %v", err)
	}
}

func TestTokenIsSentOnEveryCall(t *testing.T) {
	pki := makeTestCerts(t)
	for _, useTLS := range []bool{false, true} {
		var mu sync.Mutex
		var seen []string
		// Every call is unknown here: the handler records the header and
		// answers Unimplemented.
		opts := []grpc.ServerOption{grpc.UnknownServiceHandler(
			func(_ interface{}, stream grpc.ServerStream) error {
				md, _ := metadata.FromIncomingContext(stream.Context())
				mu.Lock()
				seen = append(seen, strings.Join(md.Get("authorization"), ","))
				mu.Unlock()
				return status.Error(codes.Unimplemented, "recorder")
			})}
		security := vouchstream.Security{Token: "go-t0ken"}
		if useTLS {
			pair, err := tls.LoadX509KeyPair(pki.serverCert, pki.serverKey)
			if err != nil {
				t.Fatal(err)
			}
			opts = append(opts, grpc.Creds(credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{pair}})))
			security.CA = pki.ca
		}
		listener, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		recorder := grpc.NewServer(opts...)
		go func() { _ = recorder.Serve(listener) }()
		client, err := vouchstream.DialSecure(listener.Addr().String(), security)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			if _, err := getEvent(client, 1); status.Code(err) != codes.Unimplemented {
				t.Errorf("tls=%v: got %v, want Unimplemented", useTLS, err)
			}
		}
		client.Close()
		recorder.Stop()
		mu.Lock()
		if len(seen) != 2 || seen[0] != "Bearer go-t0ken" || seen[1] != "Bearer go-t0ken" {
			t.Errorf("tls=%v: authorization headers %q", useTLS, seen)
		}
		mu.Unlock()
	}
}
