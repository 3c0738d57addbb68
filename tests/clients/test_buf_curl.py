"""`buf curl` (the npm @bufbuild/buf CLI) against vouchstream-server, with
the schema from gRPC server reflection: list services, unary calls, and a
Subscribe stream read while it is live.

The buf binary comes from $BUF, else <repo>/tools/node_modules/.bin/buf
(installed by scripts/setup.sh). Missing means failure, not a skip.
"""

import json
import os
import subprocess
import sys
import time

import pytest

REPO = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(REPO, "clients", "python", "tests"))

import harness  # noqa: E402
from harness import DEADLINE_S, Server  # noqa: E402

SERVICE = "vouchstream.v1.EventService"


def buf():
    path = os.environ.get(
        "BUF", os.path.join(REPO, "tools", "node_modules", ".bin", "buf"))
    if not os.access(path, os.X_OK):
        pytest.fail(f"buf not found at {path}: run scripts/setup.sh",
                    pytrace=False)
    return path


def curl(server, *args, data=None):
    """Runs `buf curl --protocol grpc ARGS URL`; returns stdout."""
    cmd = [buf(), "curl", "--protocol", "grpc"] + list(args[:-1])
    if data is not None:
        cmd += ["-d", json.dumps(data)]
    cmd.append(f"http://{server.target}{args[-1]}")
    result = subprocess.run(cmd, capture_output=True, text=True,
                            timeout=DEADLINE_S)
    assert result.returncode == 0, f"{cmd}: {result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Server(str(tmp_path_factory.mktemp("buf") / "events.db"))
    yield s
    s.stop()


@pytest.fixture(scope="module")
def published(server):
    """seq -> event id of what was published: 2 publications, 1 other type."""
    import vouchstream
    seed = harness.load_seed()
    events = [harness.publication(seed, 1, "camp_bufA", "cust_buf1"),
              harness.other_event(2, "camp_bufA"),
              harness.publication(seed, 3, "camp_bufB", "cust_buf2")]
    with vouchstream.Client(server.target) as client:
        return {client.publish(e).seq: e.id for e in events}


def test_lists_services_through_reflection(server):
    services = curl(server, "--list-services", "").split()
    assert SERVICE in services
    assert "grpc.health.v1.Health" in services


def test_reflection_v1alpha(server):
    services = curl(server, "--reflect-protocol", "grpc-v1alpha",
                    "--list-services", "").split()
    assert SERVICE in services


def test_reflection_v1(server):
    services = curl(server, "--reflect-protocol", "grpc-v1",
                    "--list-services", "").split()
    assert SERVICE in services
    assert "grpc.reflection.v1.ServerReflection" in services


@pytest.mark.parametrize("protocol", ["grpc-v1", "grpc-v1alpha"])
def test_every_method_is_described(server, protocol):
    # Listing methods needs each service's descriptors, health's included.
    methods = curl(server, "--reflect-protocol", protocol,
                   "--list-methods", "").split()
    assert f"{SERVICE}/Subscribe" in methods
    assert "grpc.health.v1.Health/Check" in methods


def test_list_events_with_filter(server, published):
    out = json.loads(curl(server, f"/{SERVICE}/ListEvents", data={
        "filter": {"types": ["publication.*"], "campaign_ids": ["camp_bufA"]},
    }))
    events = out["events"]
    assert [e["id"] for e in events] == ["pub_py000001"]
    # proto3 JSON: uint64 as a string, lowerCamelCase names, enums by name.
    assert events[0]["seq"] == str(min(published))
    assert events[0]["publicationSucceeded"]["campaign"]["id"] == "camp_bufA"


def test_get_event_by_id(server, published):
    seq, event_id = max(published.items())
    out = json.loads(curl(server, f"/{SERVICE}/GetEvent",
                          data={"id": event_id}))
    assert out["event"]["seq"] == str(seq)


class JsonObjectReader:
    """Splits buf curl's stream output (pretty-printed JSON objects, one
    after another) into objects, reading lines with a deadline."""

    def __init__(self, stream):
        self._lines = harness.LineReader(stream)
        self._decoder = json.JSONDecoder()
        self._buffered = ""

    def read_until(self, want, deadline):
        """Reads objects until want(objects) holds; returns them."""
        objects = []
        while not want(objects):
            line = self._lines.readline(deadline)
            assert line is not None, f"stream ended after {objects}"
            self._buffered += line + "\n"
            try:
                obj, end = self._decoder.raw_decode(self._buffered.strip())
            except json.JSONDecodeError:
                continue
            objects.append(obj)
            self._buffered = self._buffered.strip()[end:]
        return objects


def test_subscribe_streams_history_then_live(server, published):
    import vouchstream
    cmd = [buf(), "curl", "--protocol", "grpc", "-d", json.dumps({
        "filter": {"types": ["publication.*"]}, "heartbeat_seconds": 1}),
        f"http://{server.target}/{SERVICE}/Subscribe"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + DEADLINE_S
        reader = JsonObjectReader(proc.stdout)
        history = reader.read_until(
            lambda objs: any("caughtUp" in o for o in objs), deadline)
        pubs = sorted(s for s, i in published.items() if i.startswith("pub_"))
        assert [int(o["event"]["seq"]) for o in history if "event" in o] == pubs
        with vouchstream.Client(server.target) as client:
            live_seq = client.publish(harness.publication(
                harness.load_seed(), 4, "camp_bufA", "cust_buf1")).seq
        live = reader.read_until(
            lambda objs: any("event" in o for o in objs), deadline)
        assert [int(o["event"]["seq"]) for o in live if "event" in o] == \
            [live_seq]
    finally:
        proc.terminate()
        proc.wait(timeout=DEADLINE_S)
