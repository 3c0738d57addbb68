#!/usr/bin/env python3
"""clang-tidy over the given sources, skipping files already found clean.

A file is skipped when a clean result is recorded for the same key: the
SHA-256 of clang-tidy's version, the .clang-tidy file, the file's compile
flags and its preprocessed text with comments kept (so headers, macros and
NOLINT comments all count; the repository's own path is replaced by a
placeholder so that clones in other folders share the cache). Only clean
results are cached; a finding always reruns.

  scripts/tidy_cached.py BUILD_DIR CACHE_DIR JOBS FILE...

Prints each file's findings and exits 1 if any file has one.
"""

import concurrent.futures
import hashlib
import json
import os
import shlex
import subprocess
import sys


def preprocess_command(entry):
    """The file's compile command, changed to print preprocessed text."""
    args = (shlex.split(entry["command"]) if "command" in entry
            else list(entry["arguments"]))
    out = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg == "-o":
            skip = True
            continue
        if arg == "-c":
            continue
        out.append(arg)
    return out + ["-E", "-C"]


def key_for(entry, root, salt):
    text = subprocess.run(preprocess_command(entry), cwd=entry["directory"],
                          check=True, capture_output=True).stdout
    digest = hashlib.sha256(salt)
    digest.update(entry["command"].replace(root, "@ROOT@").encode()
                  if "command" in entry else b"")
    digest.update(text.replace(root.encode(), b"@ROOT@"))
    return digest.hexdigest()


def check(path, entry, build_dir, cache_dir, root, salt):
    """Returns (path, findings or '', cached?)."""
    try:
        key = key_for(entry, root, salt)
    except subprocess.CalledProcessError as error:
        return path, error.stderr.decode(errors="replace"), False
    marker = os.path.join(cache_dir, key)
    if os.path.exists(marker):
        return path, "", True
    result = subprocess.run(["clang-tidy", "-p", build_dir, "--quiet", path],
                            capture_output=True, text=True)
    if result.returncode != 0 or "warning:" in result.stdout \
            or "error:" in result.stdout:
        return path, result.stdout + result.stderr, False
    with open(marker, "w", encoding="utf-8"):
        pass
    return path, "", False


def main():
    build_dir, cache_dir, jobs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    files = [os.path.abspath(f) for f in sys.argv[4:]]
    root = os.getcwd()
    os.makedirs(cache_dir, exist_ok=True)
    with open(os.path.join(build_dir, "compile_commands.json"),
              encoding="utf-8") as f:
        entries = {os.path.abspath(os.path.join(e["directory"], e["file"])): e
                   for e in json.load(f)}
    version = subprocess.run(["clang-tidy", "--version"], check=True,
                             capture_output=True).stdout
    with open(".clang-tidy", "rb") as f:
        salt = version + f.read()

    missing = [f for f in files if f not in entries]
    if missing:
        print("tidy: not in the compile database: " + " ".join(missing))
        return 1
    failed = 0
    cached = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(check, f, entries[f], build_dir, cache_dir,
                               root, salt) for f in files]
        for future in concurrent.futures.as_completed(futures):
            path, findings, was_cached = future.result()
            cached += was_cached
            if findings:
                failed += 1
                print(f"== {os.path.relpath(path, root)}\n{findings}")
    print(f"clang-tidy: {len(files)} files, {cached} unchanged since a clean "
          f"run, {failed} with findings")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
