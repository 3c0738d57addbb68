"""TLS, mTLS and the bearer token (issue 8), against the real server.

Certificates come from scripts/make_test_certs.sh into the test's tmp_path.
The token test checks only that the client SENDS the header, on an
in-process recording server; the real server's checking of it belongs to the
auth tests.
"""

import json
import os
import signal
import subprocess
import sys
import time
from concurrent import futures

import grpc
import pytest

import harness
from harness import Server

import vouchstream
from vouchstream.v1 import api_pb2


@pytest.fixture
def pki(tmp_path):
    return harness.make_test_certs(str(tmp_path / "pki"))


@pytest.fixture
def mtls_server(tmp_path, pki):
    s = Server(str(tmp_path / "events.db"),
               extra_args=[f"--tls-cert={pki['server_cert']}",
                           f"--tls-key={pki['server_key']}",
                           f"--client-ca={pki['ca']}"],
               security={"ca": pki["ca"], "cert": pki["client_cert"],
                         "key": pki["client_key"]})
    yield s
    s.stop()


def get_event(client, seq):
    """GetEvent, failing fast (no wait_for_ready) so a refusal shows."""
    return client.stub.GetEvent(api_pb2.GetEventRequest(seq=seq), timeout=10)


def test_mtls_publish_and_subscribe(mtls_server, pki):
    seed = harness.load_seed()
    with vouchstream.Client(mtls_server.target, ca=pki["ca"],
                            cert=pki["client_cert"], key=pki["client_key"],
                            server_name="localhost") as client:
        published = client.publish(
            harness.publication(seed, 900001, "camp_pyTLS", "cust_py1"))
        subscription = client.subscribe(types=["publication.*"])
        event = next(iter(subscription))
        subscription.cancel()
        assert event.seq == published.seq
        assert get_event(client, published.seq).event.id == event.id


def test_without_client_certificate_is_refused(mtls_server, pki):
    with vouchstream.Client(mtls_server.target, ca=pki["ca"]) as client:
        with pytest.raises(grpc.RpcError) as refused:
            get_event(client, 1)
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE


def test_certificate_of_another_ca_is_refused(mtls_server, pki):
    with vouchstream.Client(mtls_server.target, ca=pki["ca"],
                            cert=pki["other_client_cert"],
                            key=pki["other_client_key"]) as client:
        with pytest.raises(grpc.RpcError) as refused:
            get_event(client, 1)
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE


def test_plaintext_is_refused(mtls_server):
    with vouchstream.Client(mtls_server.target) as client:
        with pytest.raises(grpc.RpcError) as refused:
            get_event(client, 1)
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE


def test_cert_without_key_is_a_usage_error(pki):
    with pytest.raises(ValueError, match="cert and key"):
        vouchstream.Client("127.0.0.1:1", ca=pki["ca"],
                           cert=pki["client_cert"])


class _Recorder(grpc.ServerInterceptor):
    def __init__(self):
        self.authorizations = []

    def intercept_service(self, continuation, details):
        self.authorizations.append(
            dict(details.invocation_metadata).get("authorization"))
        return continuation(details)


@pytest.mark.parametrize("use_tls", [False, True])
def test_token_is_sent_on_every_call(pki, use_tls):
    recorder = _Recorder()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2),
                         interceptors=[recorder])
    if use_tls:
        with open(pki["server_key"], "rb") as k, \
                open(pki["server_cert"], "rb") as c:
            credentials = grpc.ssl_server_credentials([(k.read(), c.read())])
        port = server.add_secure_port("127.0.0.1:0", credentials)
        security = {"ca": pki["ca"]}
    else:
        port = server.add_insecure_port("127.0.0.1:0")
        security = {}
    server.start()
    try:
        with vouchstream.Client(f"127.0.0.1:{port}", token="py-t0ken",
                                **security) as client:
            for _ in range(2):
                with pytest.raises(grpc.RpcError) as unimplemented:
                    get_event(client, 1)
                assert (unimplemented.value.code()
                        == grpc.StatusCode.UNIMPLEMENTED)
    finally:
        server.stop(None)
    assert recorder.authorizations == ["Bearer py-t0ken"] * 2


def test_example_consumer_over_mtls(mtls_server, pki, tmp_path):
    seed = harness.load_seed()
    with vouchstream.Client(mtls_server.target, ca=pki["ca"],
                            cert=pki["client_cert"],
                            key=pki["client_key"]) as client:
        published = client.publish(
            harness.publication(seed, 900002, "camp_pyTLS", "cust_py1"))
    token_file = tmp_path / "token"
    token_file.write_text("consumer-token\n")
    consumer = subprocess.Popen(
        [sys.executable, os.path.join(harness.HERE, "..", "examples",
                                              "consumer.py"),
         f"--server={mtls_server.target}", "--types=publication.*",
         f"--cursor={tmp_path / 'cursor'}", f"--ca={pki['ca']}",
         f"--cert={pki['client_cert']}", f"--key={pki['client_key']}",
         f"--token-file={token_file}"],
        stdout=subprocess.PIPE, text=True)
    try:
        line = harness.LineReader(consumer.stdout).readline(
            time.monotonic() + harness.DEADLINE_S)
        assert line is not None
        assert json.loads(line)["seq"] == published.seq
    finally:
        consumer.send_signal(signal.SIGTERM)
        assert consumer.wait(timeout=harness.DEADLINE_S) == 0
