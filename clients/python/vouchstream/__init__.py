"""A small client for the vouchstream event service (vouchstream.v1.EventService).

    import vouchstream

    client = vouchstream.Client("127.0.0.1:50051")
    # TLS: ca="ca.pem"; mTLS: also cert="client.pem", key="client.key";
    # token="..." sends "authorization: Bearer <token>" on every call.
    cursor = vouchstream.FileCursor("last_seq")
    for event in client.subscribe(types=["publication.*"],
                                  after_seq=cursor.load()):
        handle(event)             # a vouchstream.v1.Event
        cursor.save(event.seq)    # then resume after it on restart

`subscribe` resumes by itself after UNAVAILABLE (server restart, network
blip) with exponential backoff, from the last event it handed out, so the
stream has no gap and no duplicate. Across process restarts, the cursor file
carries the position. Delivery is at-least-once: an event handled but not yet
saved in the cursor is delivered again after a crash.

The protobuf/gRPC stubs are generated from proto/ on first import (see
`_stubs`); the generated modules are `vouchstream.v1.api_pb2`,
`vouchstream.v1.event_pb2`, `voucherify.v1.events_pb2`, ...

Thread-safety: a `Client` may be shared between threads; a `Subscription` is
iterated by one thread, and `cancel()` may be called from any thread or a
signal handler.
"""

from vouchstream import _stubs

_stubs.ensure(__path__)

from vouchstream.client import (  # noqa: E402  (needs the stubs first)
    Backoff, Client, FileCursor, Subscription, make_channel,
    publication_succeeded_event)

__all__ = ["Backoff", "Client", "FileCursor", "Subscription", "make_channel",
           "publication_succeeded_event"]
