"""The vouchstream client: publish, subscribe with resume, a file cursor."""

import os
import random
import tempfile
import threading

import grpc
from google.protobuf import json_format

from vouchstream.v1 import api_pb2, api_pb2_grpc, event_pb2


class Backoff:
    """Exponential backoff with full jitter between reconnect attempts.

    Defaults: first delay up to `initial` = 0.1 s, doubling up to `maximum` =
    10 s. `reset()` after a successful read starts again from `initial`.
    """

    def __init__(self, initial=0.1, maximum=10.0, multiplier=2.0, rng=None):
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
        self._rng = rng or random.Random()
        self._next = initial

    def next_delay(self):
        delay = self._rng.uniform(0, self._next)
        self._next = min(self._next * self.multiplier, self.maximum)
        return delay

    def reset(self):
        self._next = self.initial


class FileCursor:
    """The last processed seq, persisted in a small text file.

    `save` writes a temporary file and renames it over the old one, so a crash
    leaves either the old or the new value, never a torn one.
    """

    def __init__(self, path):
        self.path = path

    def load(self):
        """The saved seq, or None when nothing was saved yet."""
        try:
            with open(self.path, encoding="ascii") as f:
                text = f.read().strip()
        except FileNotFoundError:
            return None
        return int(text) if text else None

    def save(self, seq):
        directory = os.path.dirname(os.path.abspath(self.path))
        fd, tmp = tempfile.mkstemp(prefix=".cursor-", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(f"{seq}\n")
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise


# Codes after which a new Subscribe may succeed: the server is restarting or
# unreachable. CANCELLED counts when we did not cancel: a C++ gRPC server
# that stops with a deadline (`Server::Shutdown`) cancels the streams still
# open. Any other error ends the subscription (a bad filter stays bad).
_RETRYABLE = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED}


class Subscription:
    """An iterator over the events of a Subscribe stream that resumes itself.

    Made by `Client.subscribe`. Iterating yields `vouchstream.v1.Event`s in log
    order. After UNAVAILABLE (or a CANCELLED it did not ask for), or when the
    server ends the stream (graceful shutdown), it waits per `backoff` and subscribes again after the last seq
    it yielded. Other errors are raised as `grpc.RpcError`. `cancel()` ends the
    iteration cleanly (StopIteration), also from a signal handler.
    """

    def __init__(self, stub, request, backoff, timeout_between_messages=None):
        self._stub = stub
        self._request = request
        self._backoff = backoff
        self._cancelled = threading.Event()
        self._lock = threading.Lock()
        self._call = None
        self.last_seq = (request.after_seq
                         if request.WhichOneof("start") == "after_seq"
                         else None)
        # Set once the server said catch-up is over (on the first stream).
        self.caught_up = threading.Event()
        # The seq the log had reached at the latest caught_up or heartbeat.
        self.server_last_seq = None
        self.reconnects = 0
        # Where a reconnect starts: the last event yielded, or further once a
        # caught_up said every match up to its seq was delivered (which also
        # keeps a `latest` stream from skipping what arrives meanwhile).
        self._resume_after = self.last_seq

    def cancel(self):
        self._cancelled.set()
        with self._lock:
            call = self._call
        if call is not None:
            call.cancel()

    def __iter__(self):
        return self._events()

    def _next_request(self):
        request = api_pb2.SubscribeRequest()
        request.CopyFrom(self._request)
        if self._resume_after is not None:
            request.after_seq = self._resume_after
        return request

    def _events(self):
        while not self._cancelled.is_set():
            call = self._stub.Subscribe(self._next_request())
            with self._lock:
                self._call = call
            if self._cancelled.is_set():
                call.cancel()
            try:
                for response in call:
                    self._backoff.reset()
                    kind = response.WhichOneof("kind")
                    if kind == "event":
                        self.last_seq = response.event.seq
                        self._resume_after = self.last_seq
                        yield response.event
                    elif kind == "caught_up":
                        self.server_last_seq = response.caught_up.last_seq
                        self._resume_after = max(self._resume_after or 0,
                                                 self.server_last_seq)
                        self.caught_up.set()
                    elif kind == "heartbeat":
                        self.server_last_seq = response.heartbeat.last_seq
            except grpc.RpcError as error:
                if self._cancelled.is_set():
                    return
                if error.code() not in _RETRYABLE:
                    raise
            finally:
                with self._lock:
                    self._call = None
            if self._cancelled.wait(self._backoff.next_delay()):
                return
            self.reconnects += 1


class _BearerToken(grpc.UnaryUnaryClientInterceptor,
                   grpc.UnaryStreamClientInterceptor,
                   grpc.StreamUnaryClientInterceptor,
                   grpc.StreamStreamClientInterceptor):
    """Adds `authorization: Bearer <token>` to every call's metadata.

    An interceptor rather than grpc.access_token_call_credentials: gRPC
    refuses call credentials on a plaintext channel, and a loopback
    deployment (plaintext) must be able to send the token too.
    """

    def __init__(self, token):
        self._header = ("authorization", f"Bearer {token}")

    def _details(self, details):
        metadata = list(details.metadata or []) + [self._header]
        return _CallDetails(details.method, details.timeout, metadata,
                            details.credentials, details.wait_for_ready,
                            details.compression)

    def intercept_unary_unary(self, continuation, details, request):
        return continuation(self._details(details), request)

    def intercept_unary_stream(self, continuation, details, request):
        return continuation(self._details(details), request)

    def intercept_stream_unary(self, continuation, details, requests):
        return continuation(self._details(details), requests)

    def intercept_stream_stream(self, continuation, details, requests):
        return continuation(self._details(details), requests)


class _CallDetails(grpc.ClientCallDetails):
    def __init__(self, method, timeout, metadata, credentials,
                 wait_for_ready, compression):
        self.method = method
        self.timeout = timeout
        self.metadata = metadata
        self.credentials = credentials
        self.wait_for_ready = wait_for_ready
        self.compression = compression


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def make_channel(target, tls=False, ca=None, cert=None, key=None,
                 server_name=None, token=None, options=()):
    """A gRPC channel to `target` ("host:port").

    Plaintext unless `tls`, `ca`, `cert` or `key` is given. `ca`: PEM file
    of the CA the server's certificate must chain to (default: the system's
    roots). `cert`, `key`: PEM files of a client certificate for mTLS (both
    or neither). `server_name`: the name expected in the server's
    certificate when it is not the host of `target`
    (grpc.ssl_target_name_override). `token`: sent as
    `authorization: Bearer <token>` on every call (readable by anyone on
    the path unless TLS is on). `options`: more channel arguments.
    Raises ValueError on options that do not go together, OSError when a
    file cannot be read.
    """
    if bool(cert) != bool(key):
        raise ValueError("cert and key (client certificate and key) go "
                         "together")
    options = list(options)
    if tls or ca or cert:
        credentials = grpc.ssl_channel_credentials(
            root_certificates=_read(ca) if ca else None,
            private_key=_read(key) if key else None,
            certificate_chain=_read(cert) if cert else None)
        if server_name:
            options.append(("grpc.ssl_target_name_override", server_name))
        channel = grpc.secure_channel(target, credentials, options=options)
    else:
        if server_name:
            raise ValueError("server_name needs TLS (tls=True or ca=...)")
        channel = grpc.insecure_channel(target, options=options)
    if token:
        channel = grpc.intercept_channel(channel, _BearerToken(token))
    return channel


class Client:
    """A connection to one vouchstream server ("host:port").

    Plaintext by default; TLS and a bearer token as in `make_channel`:

        vouchstream.Client("vs.internal:50051", ca="ca.pem",
                           cert="client.pem", key="client.key",
                           token=open("/run/secrets/token").read().strip())

    Pass `channel` to bring your own (interceptors, options).
    """

    def __init__(self, target=None, channel=None, **security):
        if channel is None:
            channel = make_channel(target, **security)
        elif security:
            raise ValueError("pass either channel or TLS/token options")
        self.channel = channel
        self.stub = api_pb2_grpc.EventServiceStub(channel)

    def close(self):
        self.channel.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def publish(self, event, timeout=10.0):
        """Appends `event`; returns PublishResponse {seq, duplicate}.

        Waits for the connection to be ready (wait_for_ready) up to `timeout`
        seconds, which is safe because Publish is idempotent on the event id.
        Raises grpc.RpcError: INVALID_ARGUMENT with the field violations when
        the event breaks a rule, UNAVAILABLE or DEADLINE_EXCEEDED when the
        server is not reachable.
        """
        return self.stub.Publish(api_pb2.PublishRequest(event=event),
                                 timeout=timeout, wait_for_ready=True)

    def subscribe(self, types=(), campaign_ids=(), customer_ids=(),
                  metadata=None, code_pattern="", after_seq=None,
                  latest=False, heartbeat_seconds=0, backoff=None):
        """Returns a `Subscription` over the matching events.

        Starts after `after_seq` when given (a resume), else at the latest
        end when `latest`, else at the earliest event the log holds. The
        filter criteria are ANDed; entries within one list are ORed; `types`
        may use `*` (e.g. "publication.*").
        """
        request = api_pb2.SubscribeRequest(
            filter=api_pb2.EventFilter(
                types=list(types), campaign_ids=list(campaign_ids),
                customer_ids=list(customer_ids), metadata=metadata or {},
                code_pattern=code_pattern),
            heartbeat_seconds=heartbeat_seconds)
        if after_seq is not None:
            request.after_seq = after_seq
        elif latest:
            setattr(request, "from", api_pb2.BOUNDARY_LATEST)
        else:
            setattr(request, "from", api_pb2.BOUNDARY_EARLIEST)
        return Subscription(self.stub, request, backoff or Backoff())

    def list_events(self, page_size=100, **filter_kwargs):
        """Yields every stored event matching the filter, page by page."""
        request = api_pb2.ListEventsRequest(
            filter=api_pb2.EventFilter(**filter_kwargs), page_size=page_size)
        while True:
            response = self.stub.ListEvents(request)
            yield from response.events
            if not response.next_page_token:
                return
            request.page_token = response.next_page_token


def publication_succeeded_event(body):
    """An Event for a bare publication.succeeded body (a dict of its JSON).

    The id is the body's `publication.id`, like the gateway's for bare bodies;
    the server sets `received_at` and `seq`. Fields the contract lacks are
    dropped here (the gateway keeps them in `raw` and `unknown_fields`).
    """
    event = event_pb2.Event(id=body["publication"]["id"],
                            type="publication.succeeded")
    json_format.ParseDict(body, event.publication_succeeded,
                          ignore_unknown_fields=True)
    return event
