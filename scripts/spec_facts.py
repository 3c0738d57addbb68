#!/usr/bin/env python3
"""Writes the facts of Voucherify's published webhook schema that the
project's tests need, as a small, diffable JSON snapshot.

    scripts/spec_facts.py SPEC.json [--event-types TYPES.md] \\
        [--source "OWNER/REPO, PATH at commit SHA"] \\
        [--out testdata/voucherify/spec/webhooks.facts.json]

SPEC.json is Voucherify's OpenAPI document of its webhooks (the
`reference/OpenAPIWebhooks.json` of its public OpenAPI repository, or a copy
of it). TYPES.md, when given, is the table of documented event type strings
and the webhook key whose schema types each (`| \\`type\\` | ... | KEY |`).

The snapshot keeps facts only: for each webhook, the schema of its request
body; for each component schema, its JSON types, formats, enums, `$ref`s
(shortened to the schema's name), properties, items, `allOf`/`anyOf`/
`oneOf`, `required`, `nullable`, `additionalProperties` and numeric/string
bounds. Descriptions, titles, examples and defaults are dropped, so the
snapshot's diff after a refresh shows what changed in the contract and
nothing else. Its header names the spec's source and commit: from
--source, else from the spec's `info.x-vouchstream-source`, else "unknown".

Refreshing when Voucherify publishes a new spec is this one command; then
run the contract tests (the drift check reads the snapshot).
"""

import argparse
import json
import re
import sys

# The schema keywords that are facts about the contract.
KEEP = ("type", "format", "enum", "const", "$ref", "properties", "items",
        "allOf", "anyOf", "oneOf", "required", "nullable",
        "additionalProperties", "minimum", "maximum", "minItems", "maxItems",
        "maxProperties", "pattern")
REF_PREFIX = "#/components/schemas/"


def facts(schema):
    """The facts of one (sub)schema, recursively."""
    if isinstance(schema, bool):
        return schema
    out = {}
    for key in KEEP:
        if key not in schema:
            continue
        value = schema[key]
        if key == "$ref":
            out[key] = (value[len(REF_PREFIX):]
                        if value.startswith(REF_PREFIX) else value)
        elif key == "properties":
            out[key] = {name: facts(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties"):
            out[key] = facts(value)
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [facts(sub) for sub in value]
        else:
            out[key] = value
    return out


def body_schema(webhook):
    """The schema name of a webhook's request body, or None."""
    for operation in webhook.values():
        content = operation.get("requestBody", {}).get("content", {})
        for media in content.values():
            ref = media.get("schema", {}).get("$ref", "")
            if ref.startswith(REF_PREFIX):
                return ref[len(REF_PREFIX):]
    return None


def event_types(path):
    """{type string: webhook key or None} from the types table."""
    types = {}
    row = re.compile(r"^\|\s*`([^`]+)`\s*\|[^|]*\|\s*([^|]+?)\s*\|\s*$")
    with open(path, encoding="utf-8") as f:
        for line in f:
            match = row.match(line)
            if match:
                key = match.group(2)
                types[match.group(1)] = (key if key.startswith("EVENTS.")
                                         else None)
    return types


def parse_source(text):
    """Splits "OWNER/REPO, PATH at commit SHA ..." into its parts."""
    match = re.match(r"\s*([\w.-]+/[\w.-]+),\s*(\S+)\s+at commit\s+"
                     r"([0-9a-f]{7,40})", text or "")
    if not match:
        return {"repository": None, "path": None, "commit": None,
                "as_given": text or "unknown"}
    return {"repository": match.group(1), "path": match.group(2),
            "commit": match.group(3), "as_given": text}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("spec")
    parser.add_argument("--event-types")
    parser.add_argument("--source")
    parser.add_argument("--out",
                        default="testdata/voucherify/spec/webhooks.facts.json")
    args = parser.parse_args()

    with open(args.spec, encoding="utf-8") as f:
        spec = json.load(f)
    info = spec.get("info", {})
    source = parse_source(args.source or info.get("x-vouchstream-source"))
    snapshot = {
        "generated_by": "scripts/spec_facts.py",
        "source": source,
        "openapi": spec.get("openapi"),
        "spec_version": info.get("version"),
        "webhooks": {key: body_schema(hook)
                     for key, hook in sorted(spec["webhooks"].items())},
    }
    if args.event_types:
        snapshot["event_types"] = dict(sorted(
            event_types(args.event_types).items()))
        unknown = sorted(k for k in snapshot["event_types"].values()
                         if k and k not in snapshot["webhooks"])
        if unknown:
            sys.exit(f"spec_facts: {args.event_types} names webhooks the "
                     f"spec lacks: {', '.join(unknown)}")
    snapshot["schemas"] = {
        name: facts(schema)
        for name, schema in sorted(spec["components"]["schemas"].items())}
    missing = sorted(s for s in snapshot["webhooks"].values()
                     if s and s not in snapshot["schemas"])
    if missing:
        sys.exit(f"spec_facts: body schemas missing from components: "
                 f"{', '.join(missing)}")
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(snapshot, f, indent=1, sort_keys=False, ensure_ascii=False)
        f.write("\n")
    print(f"spec_facts: {len(snapshot['webhooks'])} webhooks, "
          f"{len(snapshot['schemas'])} schemas"
          + (f", {len(snapshot['event_types'])} event types"
             if args.event_types else "")
          + f" -> {args.out}")


if __name__ == "__main__":
    main()
