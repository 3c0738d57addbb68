#!/usr/bin/env python3
"""Every #include follows the layout's arrows (issue 14, item 7).

    python3 tests/repo/layering_test.py      (ctest: repo_layering_test)

The arrows run one way: binaries -> gateway / service / clients ->
transcode -> common, proto. Inside service/, core/ is the domain (no
transport, no storage engine), auth/ and store/ sit on it, app/ is what the
service does (admission, publishing, reads, subscriptions, cursors), rpc/ is
the gRPC edge over app/ and the only service folder that sees gRPC,
metrics/ implements core's telemetry, and server/ wires them all for the
binary. Every CMake target exports the project root, so the compiler
would accept a forbidden include: this test is what refuses it.

Each component may include its own files, the ones LAYERS lists for it, and
the generated contract (proto/). FORBIDDEN_SYSTEM names third-party headers
a component must not see (by their first path element). tests/ and bench/
may include anything; nothing else may include them.
"""

import os
import re
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

# component -> the components it may include (besides itself and the
# contract). A component is a folder; the longest matching prefix wins.
LAYERS = {
    "common": [],
    "transcode": ["common"],
    "service/core": ["common"],
    "service/auth": ["service/core", "common"],
    "service/store": ["service/core", "common"],
    "service/metrics": ["service/core", "transcode", "common"],
    # What the service does (issue 17): no gRPC, no engine.
    "service/app": ["service/core", "service/auth", "common"],
    "service/rpc": ["service/app", "service/core", "service/auth",
                    "transcode", "common"],
    "service/server": ["service/app", "service/core", "service/auth",
                       "service/store", "service/metrics", "service/rpc",
                       "transcode", "common"],
    # service/main.cc: the binary.
    "service": ["service/server", "service/auth", "common"],
    # The gateway in layers: http/ over webhook/ and upstream/; the folder
    # itself wires them for main.cc.
    "gateway/webhook": ["transcode", "common"],
    "gateway/upstream": ["common"],
    "gateway/http": ["gateway/webhook", "gateway/upstream", "transcode",
                     "common"],
    "gateway": ["gateway/http", "gateway/webhook", "gateway/upstream",
                "transcode", "common"],
    "clients/cpp/lib": ["common"],
    "clients/cpp/cli": ["clients/cpp/lib", "transcode", "common"],
    "clients/cpp/examples": ["clients/cpp/lib", "common"],
}

# Third-party headers (first path element, or the file name) a component
# must not include.
TRANSPORT = ["grpc", "grpcpp", "boost"]
ENGINES = ["sqlite3.h", "nats"]
FORBIDDEN_SYSTEM = {
    "common": ENGINES + ["boost"],
    "transcode": TRANSPORT + ENGINES,
    "service/core": TRANSPORT + ENGINES,
    "service/auth": TRANSPORT + ENGINES,
    "service/app": TRANSPORT + ENGINES,
    "service/store": TRANSPORT,
    "service/metrics": TRANSPORT + ENGINES,
    # service/rpc is the one service folder that sees gRPC: the server
    # wires its parts through rpc/grpc_server.h.
    "service/server": TRANSPORT,
    "service": TRANSPORT + ENGINES,
    "gateway": ENGINES,
    "gateway/webhook": ENGINES,
    "gateway/upstream": ENGINES + ["boost"],
    "gateway/http": ENGINES,
    "clients/cpp/lib": ENGINES + ["boost"],
    # `send` posts webhooks with Beast.
    "clients/cpp/cli": ENGINES,
    "clients/cpp/examples": ENGINES + ["boost"],
}

# The generated contract: every product component may include it.
CONTRACT_ROOTS = ("vouchstream/", "voucherify/", "proto/")
# Folders of the repository an #include may name.
PROJECT_ROOTS = ("common/", "transcode/", "service/", "gateway/", "clients/",
                 "tests/", "bench/")
# Anything may include these; they include anything.
FREE = ("tests", "bench", "tools", "proto")

INCLUDE = re.compile(r'^\s*#\s*include\s+[<"]([^">]+)[">]')


def component(path):
    """The LAYERS key owning `path` (a repository-relative file), or None
    for a folder outside the layout (tests, bench, tools, proto)."""
    if path.split("/")[0] in FREE:
        return None
    folder = os.path.dirname(path)
    best = None
    for name in LAYERS:
        if folder == name or folder.startswith(name + "/"):
            if best is None or len(name) > len(best):
                best = name
    return best


def violations(path, text):
    """(line number, message) for each forbidden include in `text`, the
    contents of the repository file `path`."""
    owner = component(path)
    if owner is None:
        return []
    allowed = set(LAYERS[owner]) | {owner}
    banned = FORBIDDEN_SYSTEM.get(owner, [])
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        match = INCLUDE.match(line)
        if not match:
            continue
        header = match.group(1)
        first = header.split("/")[0]
        if header.startswith(CONTRACT_ROOTS):
            continue
        if header.startswith(PROJECT_ROOTS):
            target = component(header)
            if target is None:
                found.append((number, f"{owner} includes {header}, which "
                              "belongs to tests or tools"))
            elif target not in allowed:
                found.append((number, f"{owner} may not include {target} "
                              f"({header})"))
            continue
        if first in banned or header in banned:
            found.append((number, f"{owner} may not see {header}"))
    return found


def repository_sources():
    listed = subprocess.run(
        ["git", "ls-files", "*.h", "*.cc"], cwd=REPO, check=True,
        capture_output=True, text=True).stdout.split()
    return [path for path in listed if os.path.isfile(os.path.join(REPO, path))]


class LayeringTest(unittest.TestCase):
    def test_every_include_follows_the_arrows(self):
        problems = []
        for path in repository_sources():
            with open(os.path.join(REPO, path), errors="replace") as source:
                for number, message in violations(path, source.read()):
                    problems.append(f"{path}:{number}: {message}")
        self.assertEqual(problems, [], "\n".join(problems))

    def test_every_product_folder_has_a_layer(self):
        # A new folder must be placed in LAYERS, not slip past the check.
        unplaced = sorted({
            os.path.dirname(path) for path in repository_sources()
            if path.split("/")[0] not in FREE and "/" in path
            and component(path) is None})
        self.assertEqual(unplaced, [])

    # The check itself must be able to fail.
    def test_refuses_an_upward_include(self):
        self.assertEqual(
            len(violations("transcode/x.cc", '#include "gateway/webhook/router.h"\n')),
            1)
        self.assertEqual(
            len(violations("service/core/x.h",
                           '#include "service/rpc/publisher.h"\n')), 1)
        self.assertEqual(
            len(violations("gateway/x.cc",
                           '#include "clients/cpp/lib/subscriber.h"\n')), 1)
        self.assertEqual(
            len(violations("common/x.cc", '#include "tests/testing/a.h"\n')),
            1)

    def test_refuses_transport_and_engines_in_the_domain(self):
        self.assertEqual(len(violations(
            "service/core/x.cc",
            "#include <grpcpp/grpcpp.h>\n#include <sqlite3.h>\n"
            '#include "nats/nats.h"\n')), 3)
        self.assertEqual(len(violations(
            "service/store/x.cc", '#include "grpcpp/server.h"\n')), 1)

    def test_only_rpc_sees_grpc_in_the_service(self):
        for folder in ("service/app", "service/auth", "service/server",
                       "service/core", "service/metrics", "service/store"):
            self.assertEqual(len(violations(
                f"{folder}/x.cc", '#include "grpcpp/grpcpp.h"\n')), 1, folder)
        self.assertEqual(violations(
            "service/rpc/x.cc", '#include "grpcpp/grpcpp.h"\n'
            '#include "service/app/reads.h"\n'), [])
        # The application does not reach back up to its gRPC edge.
        self.assertEqual(len(violations(
            "service/app/x.cc", '#include "service/rpc/event_service.h"\n')),
            1)

    def test_allows_the_arrows(self):
        self.assertEqual(violations(
            "service/server/x.cc",
            '#include "service/rpc/grpc_server.h"\n'
            '#include "service/app/publisher.h"\n'
            '#include "service/store/sqlite_event_log.h"\n'
            '#include "vouchstream/v1/event.pb.h"\n'), [])
        self.assertEqual(violations(
            "tests/x.cc", '#include "service/server/server.h"\n'), [])


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1] + sys.argv[1:])
