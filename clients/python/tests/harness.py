"""Test harness: a real vouchstream-server on a free loopback port, events.

Used by this folder's pytest fixtures (conftest.py) and by
tests/clients/test_buf_curl.py.

The server binary comes from $VOUCHSTREAM_SERVER (ctest passes the CMake
target's path), else <repo>/build/bin/vouchstream-server. A missing binary
or toolchain fails the test run; nothing is skipped.
"""

import copy
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

import grpc  # noqa: E402
from google.protobuf import struct_pb2  # noqa: E402

import vouchstream  # noqa: E402
from vouchstream import _stubs  # noqa: E402
from vouchstream.v1 import event_pb2  # noqa: E402

SEED = os.environ.get(
    "VOUCHSTREAM_SEED",
    os.path.join(_stubs.REPO_ROOT, "testdata", "voucherify",
                 "publication.succeeded.seed.json"))
DEADLINE_S = 20.0


class LineReader:
    """Reads a process's stdout lines on a thread, so reads take a deadline."""

    def __init__(self, stream):
        self._lines = queue.Queue()
        self._thread = threading.Thread(target=self._pump, args=(stream,),
                                        daemon=True)
        self._thread.start()

    def _pump(self, stream):
        for line in stream:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def readline(self, deadline):
        """The next line; None at EOF; raises TimeoutError at `deadline`."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no line before the deadline")
        try:
            return self._lines.get(timeout=remaining)
        except queue.Empty:
            raise TimeoutError("no line before the deadline") from None


def server_binary():
    path = os.environ.get("VOUCHSTREAM_SERVER",
                          os.path.join(_stubs.REPO_ROOT, "build", "bin",
                                       "vouchstream-server"))
    if not os.access(path, os.X_OK):
        pytest.fail(f"vouchstream-server not found at {path}: build it "
                    "(ninja -C build vouchstream-server) or set "
                    "$VOUCHSTREAM_SERVER", pytrace=False)
    return path


def wait_serving(target, deadline, **security):
    """Polls grpc.health.v1.Health/Check until SERVING or the deadline.

    `security`: vouchstream.make_channel's TLS options, for a TLS server.
    """
    with vouchstream.make_channel(target, **security) as channel:
        # Health's request is empty (service ""), and its response's only
        # field is `status` (1 = SERVING), encoded as b"\x08\x01": no stubs
        # needed (grpc.health.* would clash with the grpc package's name).
        check = channel.unary_unary("/grpc.health.v1.Health/Check",
                                    request_serializer=lambda b: b,
                                    response_deserializer=lambda b: b)
        while True:
            try:
                if check(b"", timeout=1.0) == b"\x08\x01":
                    return
            except grpc.RpcError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{target} not SERVING before deadline")
            time.sleep(0.05)


class Server:
    """One vouchstream-server process on 127.0.0.1.

    `extra_args`: more flags (e.g. --tls-cert=...); `security`: the TLS
    options (vouchstream.make_channel's) of the start-up health check.
    """

    def __init__(self, store_path, port=0, extra_args=(), security=None):
        self.store_path = store_path
        self.process = subprocess.Popen(
            [server_binary(), f"--listen=127.0.0.1:{port}",
             f"--store=sqlite:{store_path}", *extra_args],
            stdout=subprocess.PIPE, text=True)
        reader = LineReader(self.process.stdout)
        deadline = time.monotonic() + DEADLINE_S
        self.target = None
        while self.target is None:
            line = reader.readline(deadline)
            if line is None:
                raise RuntimeError("server exited before listening: "
                                   f"{self.process.wait()}")
            if line.startswith("listening on "):
                self.target = line.split()[-1]
        self.port = int(self.target.rsplit(":", 1)[1])
        wait_serving(self.target, deadline, **(security or {}))

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=DEADLINE_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def make_test_certs(directory):
    """A throwaway PKI by scripts/make_test_certs.sh in `directory`.

    Returns a dict of paths: ca, server_cert, server_key, client_cert,
    client_key, other_ca, other_client_cert, other_client_key.
    """
    script = os.path.join(_stubs.REPO_ROOT, "scripts", "make_test_certs.sh")
    subprocess.run(["/bin/bash", script, directory], check=True)
    names = {"ca": "ca.pem", "server_cert": "server.pem",
             "server_key": "server.key", "client_cert": "client.pem",
             "client_key": "client.key", "other_ca": "other-ca.pem",
             "other_client_cert": "other-client.pem",
             "other_client_key": "other-client.key"}
    return {k: os.path.join(directory, v) for k, v in names.items()}


def load_seed():
    with open(SEED, encoding="utf-8") as f:
        return json.load(f)


def load_event_fixture(event_type):
    """testdata/voucherify/events/<event_type>.json as a dict."""
    path = os.path.join(_stubs.REPO_ROOT, "testdata", "voucherify", "events",
                        f"{event_type}.json")
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def publication(seed, n, campaign, customer):
    """A valid publication.succeeded event with ids made from `n`."""
    body = copy.deepcopy(seed)
    pub_id = f"pub_py{n:06d}"
    voucher_id = f"v_py{n:06d}"
    body["campaign"]["id"] = campaign
    body["customer"]["id"] = customer
    for voucher in body["vouchers"]:
        voucher["id"] = voucher_id
        voucher["campaign_id"] = campaign
        voucher["holder_id"] = customer
    body["publication"]["id"] = pub_id
    body["publication"]["customer_id"] = customer
    body["publication"]["customer"]["id"] = customer
    body["publication"]["vouchers_id"] = [voucher_id]
    return vouchstream.publication_succeeded_event(body)


def other_event(n, campaign):
    """An event of a type the contract does not type (generic `data`)."""
    data = struct_pb2.Struct()
    data.update({"voucher": {"id": f"v_pyo{n:06d}", "campaign_id": campaign}})
    return event_pb2.Event(id=f"evvp_py{n:06d}", type="voucher.published",
                           data=data)
