"""End-to-end: the Python client and example consumer against the real server.

Filter: types ["publication.*"] and campaign CAMPAIGN. Each batch mixes
events of another campaign and of another type (filtered out) with matching
ones, and ends with a matching one, so an exact list compare also proves
that nothing extra was delivered in between. Then a redemption.succeeded
from its fixture, read typed under "redemption.*".
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time

from google.protobuf import json_format

import harness
from harness import DEADLINE_S, LineReader, Server

import vouchstream
from vouchstream.v1 import event_pb2

CAMPAIGN = "camp_pyA"
OTHER_CAMPAIGN = "camp_pyB"
CONSUMER = os.path.join(harness.HERE, "..", "examples", "consumer.py")


def publish_batch(client, first_n, count):
    """Publishes `count` events; returns the seqs the filter should pass."""
    seed = harness.load_seed()
    expected = []
    for i in range(count):
        n = first_n + i
        kind = i % 4
        if kind == 0:
            event = harness.publication(seed, n, OTHER_CAMPAIGN, "cust_py1")
        elif kind == 1:
            event = harness.other_event(n, CAMPAIGN)
        else:
            customer = "cust_py1" if kind == 2 else "cust_py2"
            event = harness.publication(seed, n, CAMPAIGN, customer)
        response = client.publish(event)
        assert not response.duplicate
        if kind >= 2:
            expected.append(response.seq)
    return expected


class Consumer:
    """The example consumer as a child process."""

    def __init__(self, target, cursor,
                 filters=("--types=publication.*", f"--campaign={CAMPAIGN}")):
        self.process = subprocess.Popen(
            [sys.executable, CONSUMER, f"--server={target}", *filters,
             f"--cursor={cursor}"],
            stdout=subprocess.PIPE, text=True)
        self.reader = LineReader(self.process.stdout)

    def read_events(self, count):
        deadline = time.monotonic() + DEADLINE_S
        events = []
        while len(events) < count:
            line = self.reader.readline(deadline)
            assert line is not None, f"consumer exited: {self.process.wait()}"
            events.append(json.loads(line))
        return events

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        assert self.process.wait(timeout=DEADLINE_S) == 0


def test_publish_is_idempotent(client):
    event = harness.publication(harness.load_seed(), 1, CAMPAIGN, "cust_py1")
    first = client.publish(event)
    again = client.publish(event)
    assert again.seq == first.seq
    assert again.duplicate


def test_example_consumer_filters_and_resumes(server, client, tmp_path):
    cursor = str(tmp_path / "consumer.seq")

    expected = publish_batch(client, 100, 12)
    consumer = Consumer(server.target, cursor)
    got = consumer.read_events(len(expected))
    assert [e["seq"] for e in got] == expected
    assert all(e["type"] == "publication.succeeded" for e in got)
    assert all(e["campaign_id"] == CAMPAIGN for e in got)

    # Live: published while the consumer is attached.
    live = publish_batch(client, 200, 8)
    assert [e["seq"] for e in consumer.read_events(len(live))] == live
    consumer.stop()
    assert vouchstream.FileCursor(cursor).load() == live[-1]

    # Published while it is down: it resumes after the saved seq, no gap,
    # no duplicate.
    missed = publish_batch(client, 300, 8)
    consumer = Consumer(server.target, cursor)
    assert [e["seq"] for e in consumer.read_events(len(missed))] == missed
    after = publish_batch(client, 400, 4)
    assert [e["seq"] for e in consumer.read_events(len(after))] == after
    consumer.stop()
    assert vouchstream.FileCursor(cursor).load() == after[-1]


def test_subscription_resumes_after_server_restart(tmp_path):
    store = str(tmp_path / "events.db")
    server = Server(store)
    try:
        client = vouchstream.Client(server.target)
        expected = publish_batch(client, 500, 8)
        subscription = client.subscribe(
            types=["publication.*"], campaign_ids=[CAMPAIGN],
            backoff=vouchstream.Backoff(initial=0.05, maximum=0.5))
        seen = []
        done = threading.Event()
        want = 2 * len(expected)  # this batch and the one after the restart

        def consume():
            for event in subscription:
                seen.append(event.seq)
                if len(seen) == want:
                    done.set()

        thread = threading.Thread(target=consume, daemon=True)
        thread.start()
        assert subscription.caught_up.wait(DEADLINE_S)

        # Same port, same store: the subscription reconnects by itself.
        port = server.port
        server.stop()
        server = Server(store, port=port)
        expected += publish_batch(client, 600, 8)
        assert done.wait(DEADLINE_S), f"got {seen}, want {expected}"
        subscription.cancel()
        thread.join(DEADLINE_S)
        assert not thread.is_alive()
        assert seen == expected
        assert subscription.reconnects >= 1
        client.close()
    finally:
        server.stop()


def test_redemption_arrives_typed(server, client, tmp_path):
    """A redemption.succeeded built from its fixture reaches "redemption.*"
    typed: the library's Event has `redemption_succeeded.order.amount` and the
    example consumer prints it as "order_amount". The same body published as
    untyped `data` is the control: no typed payload, no "order_amount"; so a
    payload that arrived as a Struct fails the typed checks."""
    body = harness.load_event_fixture("redemption.succeeded")
    want = body["order"]["amount"]
    typed = event_pb2.Event(id=body["redemption"]["id"],
                            type="redemption.succeeded")
    json_format.ParseDict(body, typed.redemption_succeeded,
                          ignore_unknown_fields=True)
    untyped = event_pb2.Event(id="evred_py_untyped",
                              type="redemption.succeeded")
    untyped.data.update(body)
    seqs = [client.publish(e).seq for e in (typed, untyped)]

    subscription = client.subscribe(types=["redemption.*"])
    watchdog = threading.Timer(DEADLINE_S, subscription.cancel)
    watchdog.start()
    got = []
    for event in subscription:
        got.append(event)
        if len(got) == 2:
            break
    subscription.cancel()
    watchdog.cancel()
    assert [e.seq for e in got] == seqs
    assert got[0].WhichOneof("payload") == "redemption_succeeded"
    assert got[0].redemption_succeeded.order.HasField("amount")
    assert got[0].redemption_succeeded.order.amount == want
    assert got[1].WhichOneof("payload") == "data"

    consumer = Consumer(server.target, str(tmp_path / "consumer.seq"),
                        filters=("--types=redemption.*",))
    lines = consumer.read_events(2)
    consumer.stop()
    assert [line["seq"] for line in lines] == seqs
    assert lines[0]["type"] == "redemption.succeeded"
    assert lines[0]["order_amount"] == want
    assert "order_amount" not in lines[1]
