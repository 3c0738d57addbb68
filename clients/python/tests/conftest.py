"""pytest fixtures: a fresh server per test and a client connected to it."""

import pytest

from harness import Server  # first: it puts clients/python on sys.path

import vouchstream  # noqa: I100


@pytest.fixture
def server(tmp_path):
    s = Server(str(tmp_path / "events.db"))
    yield s
    s.stop()


@pytest.fixture
def client(server):
    with vouchstream.Client(server.target) as c:
        yield c
