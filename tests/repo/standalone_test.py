#!/usr/bin/env python3
"""The repository stands on its own: no file of it, documentation aside,
names a path that climbs out of it (the reference folder beside it, or a
root variable followed by `/..`). A clone with nothing beside it must build,
test, benchmark and run.

    python3 tests/repo/standalone_test.py      (ctest: repo_standalone_test)

The one exception is bench/run's default for the optional Go peer, which it
measures only when that folder exists (see bench/run --peer-dir).
"""

import os
import re
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SELF = os.path.relpath(os.path.abspath(__file__), REPO)

# Prose may mention paths outside (history, the reference material).
DOCUMENTATION = (".md",)
# (file, what the line must contain) pairs allowed to climb out.
ALLOWED = (("bench/run", "shared/peers/go-protojson-gateway"),)
# What climbs out, whatever the file's folder: the reference folder beside
# the repository, or a variable holding the repository's root followed by
# "/..". Spelled in pieces so that this file does not match itself.
DOTS = r"\.\."
CLIMBS = [
    # The folder beside the repository, also spelled as path arguments.
    re.compile(DOTS + r"['\"]?\s*[/\\,]\s*['\"]?shared\b"),
    re.compile(r"\$\{?(PROJECT_SOURCE_DIR|CMAKE_SOURCE_DIR|repo|root)\}?/"
               + DOTS + r"(/|\b)"),
]
# A run of relative ".." steps ("../../x", or "..", ".." as arguments).
STEPS = re.compile(r"(?:" + DOTS + r"[/\\])+|(?:['\"]" + DOTS
                   + r"['\"]\s*,\s*)+")


def files(root):
    """The files of the checkout at `root`: git's list when it is one."""
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "-z"],
                             check=True, capture_output=True).stdout
        return [f for f in out.decode().split("\0") if f]
    except (OSError, subprocess.CalledProcessError):
        return [os.path.relpath(os.path.join(d, f), root)
                for d, _, names in os.walk(root) for f in names]


def climbs(path, line):
    """Whether `line` of `path` (relative to the root) names a path outside
    the root: a known pattern, or more relative ".." steps than the file's
    folder is deep."""
    if any(p.search(line) for p in CLIMBS):
        return True
    depth = path.count("/")
    for run in STEPS.finditer(line):
        steps = run.group(0).count("..")
        if steps > depth:
            return True
    return False


def offenders(root):
    found = []
    for path in files(root):
        if path.endswith(DOCUMENTATION) or path == SELF:
            continue
        full = os.path.join(root, path)
        if not os.path.isfile(full) or os.path.islink(full):
            continue
        try:
            with open(full, encoding="utf-8") as f:
                lines = f.readlines()
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(lines, start=1):
            if not climbs(path, line):
                continue
            if any(path == f and allowed in line for f, allowed in ALLOWED):
                continue
            found.append(f"{path}:{number}: {line.strip()}")
    return found


class StandaloneTest(unittest.TestCase):

    def test_no_file_names_a_path_outside_the_repository(self):
        found = offenders(REPO)
        self.assertEqual(found, [], "paths outside the repository "
                         "(keep what the project needs inside it):\n"
                         + "\n".join(found))

    def test_the_check_finds_what_climbs_out(self):
        # A made-up tree: each of these must be found, and only these.
        outside = "." + "./shared/contract/x.json"
        with tempfile.TemporaryDirectory() as root:
            def write(path, text):
                os.makedirs(os.path.dirname(os.path.join(root, path)),
                            exist_ok=True)
                with open(os.path.join(root, path), "w") as f:
                    f.write(text)
            write("CMakeLists.txt",
                  'set(D "${PROJECT_SOURCE_DIR}/' + '../x")\n')
            write("tests/a/x.cc", 'Read("' + outside + '");\n')
            write("tests/b.py", 'os.path.join(HERE, "..", "..", "x")\n')
            write("bench/go.sh", 'seed=$here/' + '../../x.json\n')
            write("bench/ok.sh", 'seed=$here/' + '../testdata/x.json\n')
            write("clients/t.js",
                  "path.resolve(REPO, '..', 'shared', 'x.json')\n")
            write("tests/a/ok.py", 'os.path.join(HERE, "..", "..", "x")\n')
            write("README.md", "read " + outside + "\n")
            found = sorted(line.split(":")[0] for line in offenders(root))
        self.assertEqual(found, ["CMakeLists.txt", "bench/go.sh",
                                 "clients/t.js",
                                 "tests/a/x.cc", "tests/b.py"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
