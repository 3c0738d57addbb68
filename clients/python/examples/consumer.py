#!/usr/bin/python3
"""Example consumer: prints matching events, one JSON line each, and resumes.

    /usr/bin/python3 clients/python/examples/consumer.py \
        --server=127.0.0.1:50051 --types='publication.*' \
        --campaign=camp_EV79Z6CjaAMpX4pFxVivvzzk --cursor=/tmp/consumer.seq

TLS: --ca=ca.pem (or --tls for the system roots); mTLS: also
--cert=client.pem --key=client.key; --server-name=NAME when the server's
certificate does not name the --server host; --token-file=FILE (or
$VOUCHSTREAM_TOKEN) sends "authorization: Bearer <token>" on every call.

Each event is handled (printed), then its seq is saved in the cursor file;
on restart the consumer resumes after the saved seq. SIGINT/SIGTERM stop it
after the event in hand is handled and saved.

A line is {"seq", "id", "type", "campaign_id", "customer_id"}; a redemption.*
event whose payload is typed also gets "order_amount", the typed
`order.amount` (smallest currency unit; null when the body has none). An
untyped one (`data`) does not.
"""

import argparse
import json
import os
import signal
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))

import vouchstream  # noqa: E402

# The typed payloads of redemption.* (proto/vouchstream/v1/event.proto):
# RedemptionOutcome and RedemptionRollbackOutcome, both with an `order`.
REDEMPTION_PAYLOADS = ("redemption_succeeded", "redemption_failed",
                       "redemption_rollback_succeeded",
                       "redemption_rollback_failed")


def event_line(event):
    """The JSON line for `event` (a vouchstream.v1.Event)."""
    line = {"seq": event.seq, "id": event.id, "type": event.type,
            "campaign_id": event.enrichment.campaign_id,
            "customer_id": event.enrichment.customer_id}
    payload = event.WhichOneof("payload")
    if payload in REDEMPTION_PAYLOADS:
        order = getattr(event, payload).order
        line["order_amount"] = (order.amount if order.HasField("amount")
                                else None)
    return json.dumps(line)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="127.0.0.1:50051")
    parser.add_argument("--types", action="append", default=[],
                        help="event type, `*` wildcard; repeatable")
    parser.add_argument("--campaign", action="append", default=[],
                        help="campaign id; repeatable")
    parser.add_argument("--customer", action="append", default=[],
                        help="customer id; repeatable")
    parser.add_argument("--cursor", default="consumer.seq",
                        help="file that keeps the last processed seq")
    parser.add_argument("--tls", action="store_true",
                        help="TLS with the system's roots")
    parser.add_argument("--ca", help="PEM CA of the server (TLS)")
    parser.add_argument("--cert", help="PEM client certificate (mTLS)")
    parser.add_argument("--key", help="PEM client key (mTLS)")
    parser.add_argument("--server-name",
                        help="name expected in the server's certificate")
    parser.add_argument("--token-file",
                        help="file with the bearer token (else "
                        "$VOUCHSTREAM_TOKEN)")
    args = parser.parse_args()
    token = os.environ.get("VOUCHSTREAM_TOKEN")
    if args.token_file:
        with open(args.token_file, encoding="utf-8") as f:
            token = f.read().strip()

    cursor = vouchstream.FileCursor(args.cursor)
    after = cursor.load()
    client = vouchstream.Client(args.server, tls=args.tls, ca=args.ca,
                                cert=args.cert, key=args.key,
                                server_name=args.server_name, token=token)
    subscription = client.subscribe(types=args.types,
                                    campaign_ids=args.campaign,
                                    customer_ids=args.customer,
                                    after_seq=after)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: subscription.cancel())
    print(f"consumer: subscribed to {args.server} after seq {after}",
          file=sys.stderr, flush=True)

    for event in subscription:
        print(event_line(event), flush=True)
        cursor.save(event.seq)
    client.close()
    print(f"consumer: stopped after seq {subscription.last_seq}",
          file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
