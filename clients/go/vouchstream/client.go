// Package vouchstream is a small client for the vouchstream event service
// (vouchstream.v1.EventService): publish events, and subscribe to a filtered
// stream that resumes by itself after the server restarts.
//
//	client, err := vouchstream.Dial("127.0.0.1:50051")
//	cursor := vouchstream.FileCursor{Path: "last_seq"}
//	after, err := cursor.Load()
//	err = client.Subscribe(ctx, vouchstream.SubscribeOptions{
//		Filter:   &v1.EventFilter{Types: []string{"publication.*"}},
//		AfterSeq: after,
//	}, func(e *v1.Event) error {
//		handle(e)
//		return cursor.Save(e.Seq) // resume after it on restart
//	})
//
// Subscribe resumes after UNAVAILABLE (server restart, network blip) with
// exponential backoff, from the last event it handed to the handler: no gap,
// no duplicate. Across process restarts the cursor file carries the
// position. Delivery is at-least-once: an event handled but not saved is
// delivered again. A Client is safe for concurrent use.
package vouchstream

import (
	"context"
	"errors"
	"io"
	"math/rand"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	v1 "github.com/vouchstream/vouchstream/gen/go/vouchstream/v1"
)

// Client is a connection to one vouchstream server.
type Client struct {
	conn *grpc.ClientConn
	// Stub is the generated client, for the calls this package does not wrap.
	Stub v1.EventServiceClient
}

// Dial connects to target ("host:port") in plaintext; pass options (e.g.
// grpc.WithTransportCredentials) to override. The connection is lazy.
func Dial(target string, opts ...grpc.DialOption) (*Client, error) {
	if len(opts) == 0 {
		opts = []grpc.DialOption{grpc.WithInsecure()}
	}
	conn, err := grpc.Dial(target, opts...)
	if err != nil {
		return nil, err
	}
	return &Client{conn: conn, Stub: v1.NewEventServiceClient(conn)}, nil
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

// Publish appends event and returns its seq and whether its id was stored
// before. It waits for the connection to be ready (grpc.WaitForReady) until
// ctx's deadline, which is safe because Publish is idempotent on the event
// id. Errors carry a gRPC status: InvalidArgument (with a
// google.rpc.BadRequest detail) for an event that breaks a rule,
// Unavailable or DeadlineExceeded when the server cannot be reached.
func (c *Client) Publish(ctx context.Context, event *v1.Event, opts ...grpc.CallOption) (*v1.PublishResponse, error) {
	opts = append([]grpc.CallOption{grpc.WaitForReady(true)}, opts...)
	return c.Stub.Publish(ctx, &v1.PublishRequest{Event: event}, opts...)
}

// Backoff is exponential backoff with full jitter. The zero value uses
// Initial = 100ms, Max = 10s, doubling.
type Backoff struct {
	Initial, Max time.Duration
	next         time.Duration
}

func (b *Backoff) delay() time.Duration {
	if b.Initial <= 0 {
		b.Initial = 100 * time.Millisecond
	}
	if b.Max <= 0 {
		b.Max = 10 * time.Second
	}
	if b.next == 0 {
		b.next = b.Initial
	}
	d := time.Duration(rand.Int63n(int64(b.next) + 1))
	if b.next *= 2; b.next > b.Max {
		b.next = b.Max
	}
	return d
}

func (b *Backoff) reset() { b.next = b.Initial }

// SubscribeOptions says what to stream and from where.
type SubscribeOptions struct {
	// Filter: criteria are ANDed, entries within one are ORed; types may use
	// `*` (e.g. "publication.*"). Nil means every event.
	Filter *v1.EventFilter
	// AfterSeq, when > 0, starts after this seq (a resume). Otherwise the
	// stream starts at the earliest event, or at the latest end if Latest.
	AfterSeq uint64
	Latest   bool
	// HeartbeatSeconds: 0 means the server's default.
	HeartbeatSeconds uint32
	Backoff          Backoff
	// OnCaughtUp, if set, is called with the log's last seq when the server
	// says catch-up has ended (on every (re)connection).
	OnCaughtUp func(lastSeq uint64)
	// OnReconnect, if set, is called with the error before each reconnect.
	OnReconnect func(err error)
}

// Subscribe streams matching events to handle, in log order, until ctx is
// cancelled (it then returns ctx.Err()), handle returns an error (returned
// as is), or the server answers with an error other than Unavailable (or a
// Canceled that ctx did not cause).
// handle runs on the calling goroutine; the next event is requested only
// after it returns.
func (c *Client) Subscribe(ctx context.Context, opts SubscribeOptions, handle func(*v1.Event) error) error {
	last := opts.AfterSeq
	for {
		req := &v1.SubscribeRequest{Filter: opts.Filter, HeartbeatSeconds: opts.HeartbeatSeconds}
		switch {
		case last > 0:
			req.Start = &v1.SubscribeRequest_AfterSeq{AfterSeq: last}
		case opts.Latest:
			req.Start = &v1.SubscribeRequest_From{From: v1.Boundary_BOUNDARY_LATEST}
		default:
			req.Start = &v1.SubscribeRequest_From{From: v1.Boundary_BOUNDARY_EARLIEST}
		}
		err := c.stream(ctx, req, &opts, &last, handle)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var handlerErr handlerError
		if errors.As(err, &handlerErr) {
			return handlerErr.err
		}
		if err != nil && !retryable(status.Code(err)) {
			return err
		}
		// Retryable, or the server ended the stream (graceful shutdown).
		if opts.OnReconnect != nil {
			opts.OnReconnect(err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(opts.Backoff.delay()):
		}
	}
}

// retryable reports whether a new Subscribe may succeed: the server is
// restarting or unreachable. Canceled counts because ctx was checked first:
// a C++ gRPC server that stops with a deadline (Server::Shutdown) cancels
// the streams still open.
func retryable(code codes.Code) bool {
	return code == codes.Unavailable || code == codes.Canceled
}

type handlerError struct{ err error }

func (h handlerError) Error() string { return h.err.Error() }

// stream runs one Subscribe call; returns nil when the server ended it.
func (c *Client) stream(ctx context.Context, req *v1.SubscribeRequest, opts *SubscribeOptions, last *uint64, handle func(*v1.Event) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := c.Stub.Subscribe(ctx, req)
	if err != nil {
		return err
	}
	for {
		resp, err := stream.Recv()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		opts.Backoff.reset()
		switch kind := resp.Kind.(type) {
		case *v1.SubscribeResponse_Event:
			if err := handle(kind.Event); err != nil {
				return handlerError{err}
			}
			*last = kind.Event.Seq
		case *v1.SubscribeResponse_CaughtUp:
			// Everything up to LastSeq that matches has been delivered, so a
			// reconnect may start there (this also keeps a Latest stream from
			// skipping what arrives while it reconnects).
			if kind.CaughtUp.LastSeq > *last {
				*last = kind.CaughtUp.LastSeq
			}
			if opts.OnCaughtUp != nil {
				opts.OnCaughtUp(kind.CaughtUp.LastSeq)
			}
		}
	}
}
