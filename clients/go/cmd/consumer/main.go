// Command consumer is an example vouchstream subscriber: it prints matching
// events, one JSON line each, and resumes after a restart.
//
//	clients/go/build.sh build
//	build/go/bin/vouchstream-go-consumer --server=127.0.0.1:50051 \
//	    --types='publication.*' --campaign=camp_EV79Z6CjaAMpX4pFxVivvzzk \
//	    --cursor=/tmp/consumer-go.seq
//
// TLS: --ca=ca.pem (or --tls for the system roots); mTLS: also
// --cert=client.pem --key=client.key; --server-name=NAME when the server's
// certificate does not name the --server host; --token-file=FILE (or
// $VOUCHSTREAM_TOKEN) sends "authorization: Bearer <token>" on every call.
//
// Each event is handled (printed), then its seq is saved in the cursor file;
// on restart the consumer resumes after the saved seq. SIGINT/SIGTERM stop it
// after the event in hand is handled and saved.
//
// A line is {"seq", "id", "type", "campaign_id", "customer_id"} (keys in
// encoding/json's sorted order); a redemption.* event whose payload is typed also gets "order_amount", the
// typed order.amount (smallest currency unit; null when the body has none).
// An untyped one (data) does not.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/vouchstream/vouchstream/clients/go/vouchstream"
	voucherifyv1 "github.com/vouchstream/vouchstream/gen/go/voucherify/v1"
	v1 "github.com/vouchstream/vouchstream/gen/go/vouchstream/v1"
)

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

// redemptionOrder returns the order of a redemption.* event's typed payload
// (RedemptionOutcome or RedemptionRollbackOutcome); ok is false for any
// other payload, data included.
func redemptionOrder(e *v1.Event) (order *voucherifyv1.Order, ok bool) {
	switch p := e.Payload.(type) {
	case *v1.Event_RedemptionSucceeded:
		return p.RedemptionSucceeded.GetOrder(), true
	case *v1.Event_RedemptionFailed:
		return p.RedemptionFailed.GetOrder(), true
	case *v1.Event_RedemptionRollbackSucceeded:
		return p.RedemptionRollbackSucceeded.GetOrder(), true
	case *v1.Event_RedemptionRollbackFailed:
		return p.RedemptionRollbackFailed.GetOrder(), true
	}
	return nil, false
}

// eventLine is the JSON line for e (encoding/json sorts the keys).
func eventLine(e *v1.Event) map[string]interface{} {
	line := map[string]interface{}{
		"seq": e.Seq, "id": e.Id, "type": e.Type,
		"campaign_id": e.GetEnrichment().GetCampaignId(),
		"customer_id": e.GetEnrichment().GetCustomerId(),
	}
	if order, ok := redemptionOrder(e); ok {
		// Amount is *int64 (proto3 optional): nil, printed as null, when the
		// body has none.
		var amount *int64
		if order != nil {
			amount = order.Amount
		}
		line["order_amount"] = amount
	}
	return line
}

func main() {
	server := flag.String("server", "127.0.0.1:50051", "vouchstream server host:port")
	cursorPath := flag.String("cursor", "consumer.seq", "file that keeps the last processed seq")
	var types, campaigns, customers list
	flag.Var(&types, "types", "event type, `*` wildcard; repeatable")
	flag.Var(&campaigns, "campaign", "campaign id; repeatable")
	flag.Var(&customers, "customer", "customer id; repeatable")
	var security vouchstream.Security
	flag.BoolVar(&security.TLS, "tls", false, "TLS with the system's roots")
	flag.StringVar(&security.CA, "ca", "", "PEM CA of the server (TLS)")
	flag.StringVar(&security.Cert, "cert", "", "PEM client certificate (mTLS)")
	flag.StringVar(&security.Key, "key", "", "PEM client key (mTLS)")
	flag.StringVar(&security.ServerName, "server-name", "", "name expected in the server's certificate")
	tokenFile := flag.String("token-file", "", "file with the bearer token (else $VOUCHSTREAM_TOKEN)")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("consumer: ")

	cursor := vouchstream.FileCursor{Path: *cursorPath}
	after, err := cursor.Load()
	if err != nil {
		log.Fatal(err)
	}
	security.Token = os.Getenv("VOUCHSTREAM_TOKEN")
	if *tokenFile != "" {
		token, err := os.ReadFile(*tokenFile)
		if err != nil {
			log.Fatal(err)
		}
		security.Token = strings.TrimSpace(string(token))
	}
	client, err := vouchstream.DialSecure(*server, security)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	log.Printf("subscribed to %s after seq %d", *server, after)
	out := json.NewEncoder(os.Stdout)
	err = client.Subscribe(ctx, vouchstream.SubscribeOptions{
		Filter:     &v1.EventFilter{Types: types, CampaignIds: campaigns, CustomerIds: customers},
		AfterSeq:   after,
		OnCaughtUp: func(seq uint64) { log.Printf("caught up at seq %d, now live", seq) },
	}, func(e *v1.Event) error {
		if err := out.Encode(eventLine(e)); err != nil {
			return err
		}
		return cursor.Save(e.Seq)
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		log.Fatal(err)
	}
	last, _ := cursor.Load()
	fmt.Fprintf(os.Stderr, "consumer: stopped after seq %d\n", last)
}
