"""Generates the Python protobuf/gRPC stubs from proto/ and makes them importable.

The stubs are build output, never committed: protoc (Debian's
protobuf-compiler) and grpc_python_plugin (protobuf-compiler-grpc) write them
into a build directory, by default <repo>/build/gen/python, or the directory
named by $VOUCHSTREAM_PY_GEN. They are regenerated when a .proto file is newer
than the last generation.

The generated modules are named after the proto packages, so
`vouchstream.v1.api_pb2` lives under this package's name: `ensure()` appends
the generated `vouchstream/` directory to this package's `__path__` and the
generated root to `sys.path` (for `voucherify.v1`).
"""

import os
import shutil
import subprocess
import sys
import tempfile

_HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.normpath(os.path.join(_HERE, "..", "..", ".."))
_STAMP = "vouchstream/v1/api_pb2_grpc.py"


def proto_dir():
    """The import root of the contract (proto/), or $VOUCHSTREAM_PROTO_DIR."""
    return os.environ.get("VOUCHSTREAM_PROTO_DIR",
                          os.path.join(REPO_ROOT, "proto"))


def default_out_dir():
    return os.environ.get("VOUCHSTREAM_PY_GEN",
                          os.path.join(REPO_ROOT, "build", "gen", "python"))


def _protos(root):
    found = []
    for top in ("vouchstream", "voucherify"):
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            found += [os.path.relpath(os.path.join(dirpath, f), root)
                      for f in files if f.endswith(".proto")]
    return sorted(found)


def _stale(out_dir, root, protos):
    stamp = os.path.join(out_dir, _STAMP)
    if not os.path.exists(stamp):
        return True
    built = os.path.getmtime(stamp)
    return any(os.path.getmtime(os.path.join(root, p)) > built for p in protos)


def generate(out_dir=None, force=False):
    """Runs protoc into `out_dir` if the stubs are missing or stale; returns it.

    Raises RuntimeError (with protoc's message) when the tools are missing or
    the protos do not compile: a missing toolchain is an error, not a skip.
    """
    out_dir = os.path.abspath(out_dir or default_out_dir())
    root = proto_dir()
    protos = _protos(root)
    if not protos:
        raise RuntimeError(f"no .proto files under {root}")
    if not force and not _stale(out_dir, root, protos):
        return out_dir
    protoc = shutil.which("protoc")
    plugin = shutil.which("grpc_python_plugin")
    if not protoc or not plugin:
        raise RuntimeError(
            "protoc and grpc_python_plugin are required to generate the "
            "Python stubs: apt-get install protobuf-compiler "
            "protobuf-compiler-grpc (or run scripts/setup.sh)")
    parent = os.path.dirname(out_dir)
    os.makedirs(parent, exist_ok=True)
    # Generate beside the target and rename into place, so that concurrent
    # generators (parallel test runs) never see a half-written tree.
    tmp = tempfile.mkdtemp(prefix=".pygen-", dir=parent)
    try:
        cmd = [protoc, f"-I{root}", "-I/usr/include",
               f"--python_out={tmp}", f"--grpc_python_out={tmp}",
               f"--plugin=protoc-gen-grpc_python={plugin}"] + protos
        result = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"protoc failed: {result.stderr.strip()}")
        old = None
        if os.path.exists(out_dir):
            old = tempfile.mkdtemp(prefix=".pygen-old-", dir=parent)
            os.rename(out_dir, os.path.join(old, "x"))
        os.rename(tmp, out_dir)
        tmp = None
        if old:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    return out_dir


def ensure(package_path, out_dir=None):
    """Generates the stubs if needed and makes them importable."""
    out_dir = generate(out_dir)
    if out_dir not in sys.path:
        sys.path.append(out_dir)
    generated = os.path.join(out_dir, "vouchstream")
    if generated not in package_path:
        package_path.append(generated)
    return out_dir
