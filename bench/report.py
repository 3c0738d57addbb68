#!/usr/bin/env python3
"""Writes bench/run's report from one results folder.

    bench/report.py RESULTS_DIR

Reads RESULTS_DIR/meta.txt (key=value), micro/*.json (Google Benchmark's
JSON) and e2e.tsv (one row per load step); writes report.md, summary.json,
summary.txt, and plot.gp + plot-*.dat for gnuplot (bench/run draws
plot.png from them). Standard library only (Debian's python3).

"Sustained" throughput of a target is the highest throughput among its
load steps with no errors and no non-2xx answers that kept up with the
offered load (closed loop, or open loop achieving >= 95 % of the rate with
a p99 at most twice the closed loop's); its p99 is that step's.
"""

import csv
import json
import os
import sys

KEEP_UP = 0.95
# An open-loop step whose p99 exceeds this many times the closed loop's was
# queueing (noise on a shared machine moves p99 by tens of percent; a queue
# moves it by multiples).
QUEUE_P99_FACTOR = 2.0
# Cores of other work on the machine during a step that make it "noisy".
NOISY_CORES = 0.3
TARGETS = {
    "ours": "vouchstream-gateway → vouchstream-server (signature check, "
    "unknown-field accounting, raw body kept)",
    "peer": "go-protojson-gateway (grpc-gateway v2's request path) → the "
    "same vouchstream-server",
    "ceiling": 'http_ceiling_server: bare Beast "return 200", no work',
}


def read_meta(folder):
    meta = {}
    with open(os.path.join(folder, "meta.txt")) as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition("=")
            meta[key] = value
    return meta


def number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def read_steps(folder, meta):
    path = os.path.join(folder, "e2e.tsv")
    if not os.path.exists(path):
        return []
    hz = number(meta.get("clk_tck")) or 100.0
    steps = []
    with open(path) as f:
        for row in csv.DictReader(f, delimiter="\t"):
            step = {
                "target": row["target"],
                "offered": int(row["offered"]),
                "rps": number(row["rps"]) or 0.0,
                "p50_ms": number(row["p50_ms"]),
                "p90_ms": number(row["p90_ms"]),
                "p99_ms": number(row["p99_ms"]),
                "max_ms": number(row["max_ms"]),
                "requests": int(number(row["requests"]) or 0),
                # A missing count means gateway_load did not finish: an error.
                "non_2xx": int(number(row["non_2xx"]) or 0),
                "errors": int(number(row["errors"])
                              if number(row["errors"]) is not None else 1),
                "warmup_requests": int(number(row["warmup_requests"]) or 0),
                "delivered": (int(row["delivered"])
                              if row["delivered"] not in ("", None) else None),
            }
            n = step["requests"]
            gw = number(row["gateway_cpu_ticks"]) or 0.0
            svc = number(row["service_cpu_ticks"]) or 0.0
            step["gateway_cpu_us"] = gw / hz / n * 1e6 if n else None
            step["service_cpu_us"] = (svc / hz / n * 1e6
                                      if n and step["target"] != "ceiling"
                                      else None)
            # Other work on the machine during the step, in cores (older
            # results folders have no such columns).
            busy = number(row.get("machine_busy_ticks"))
            ours = number(row.get("step_cpu_ticks"))
            gen = number(row.get("loadgen_cpu_ticks"))
            secs = number(row.get("seconds"))
            step["other_cores"] = (
                round(max(0.0, busy - ours - gen) / hz / secs, 2)
                if None not in (busy, ours, gen) and secs else None)
            step["clean"] = step["errors"] == 0 and step["non_2xx"] == 0
            steps.append(step)
    mark_kept_up(steps)
    return steps


def mark_kept_up(steps):
    """Sets `kept_up` on every step.

    An open-loop step kept up when it achieved >= 95 % of its rate and its
    p99 is at most twice the target's best closed-loop p99. The generator
    keeps one request in flight per connection, so a p99 well above the
    closed loop's means the requests waited in the generator, behind
    schedule: the queue was growing even though the throughput still looked
    like the offered rate.
    """
    for step in steps:
        closed = [s for s in steps
                  if s["target"] == step["target"] and s["offered"] == 0]
        ref = max(closed, key=lambda s: s["rps"])["p99_ms"] if closed else None
        step["kept_up"] = step["offered"] == 0 or (
            step["rps"] >= KEEP_UP * step["offered"] and
            (ref is None or step["p99_ms"] is None or
             step["p99_ms"] <= QUEUE_P99_FACTOR * ref))


def sustained(steps, target):
    best = None
    for s in steps:
        if s["target"] == target and s["clean"] and s["kept_up"]:
            if best is None or s["rps"] > best["rps"]:
                best = s
    return best


def ratio(a, b):
    return round(a / b, 3) if a is not None and b else None


def fmt(value, digits=1):
    if value is None:
        return "–"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{digits}f}"


def read_micro(folder):
    micro = {}
    root = os.path.join(folder, "micro")
    if not os.path.isdir(root):
        return micro
    for name in sorted(os.listdir(root)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(root, name)) as f:
            data = json.load(f)
        rows = []
        for b in data.get("benchmarks", []):
            if b.get("run_type") == "aggregate":
                continue
            row = {
                "name": b["name"],
                "real_time": b["real_time"],
                "cpu_time": b["cpu_time"],
                "time_unit": b["time_unit"],
                "iterations": b["iterations"],
            }
            for key in ("items_per_second", "bytes_per_second",
                        "events_per_commit"):
                if key in b:
                    row[key] = b[key]
            rows.append(row)
        micro[name[:-len(".json")]] = rows
    return micro


def micro_time(value, unit):
    ns = value * {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[unit]
    if ns < 1e3:
        return f"{ns:.0f} ns"
    if ns < 1e6:
        return f"{ns / 1e3:.1f} µs"
    return f"{ns / 1e6:.2f} ms"


def micro_rate(row):
    if "items_per_second" in row:
        return f"{row['items_per_second']:,.0f} items/s"
    if "bytes_per_second" in row:
        return f"{row['bytes_per_second'] / 1e6:,.0f} MB/s"
    return ""


def write_plot(folder, meta, steps, summary):
    for target in ("ours", "peer"):
        rows = sorted((s for s in steps
                       if s["target"] == target and s["offered"] > 0),
                      key=lambda s: s["offered"])
        with open(os.path.join(folder, f"plot-{target}.dat"), "w") as f:
            f.write("# offered rps p99_ms clean\n")
            for s in rows:
                f.write(f"{s['offered']} {s['rps']:.0f} "
                        f"{s['p99_ms'] or 0:.3f} {int(s['clean'])}\n")
    offered = [s["offered"] for s in steps if s["offered"] > 0]
    if not offered:
        return
    xmax = max(offered) * 1.05
    closed = {}
    for t in ("ours", "peer", "ceiling"):
        runs = [s for s in steps if s["target"] == t and s["offered"] == 0]
        closed[t] = max(runs, key=lambda s: s["rps"]) if runs else None
    lines = [
        "set terminal pngcairo size 1000,1000 font 'DejaVu Sans,11'",
        f"set output '{os.path.join(folder, 'plot.png')}'",
        "set multiplot layout 2,1 title "
        f"\"vouchstream bench/run {meta.get('mode')} · {meta.get('stamp')} · "
        f"commit {meta.get('commit')} · {meta.get('nproc')} × "
        f"{meta.get('cpu')} · store {meta.get('store')} · "
        f"{meta.get('connections')} connections\" font ',12'",
        "set grid",
        "set key below",
        f"set xrange [0:{xmax:.0f}]",
        "set xlabel 'offered load (requests/s, open loop)'",
        "set ylabel 'achieved throughput (requests/s)'",
        "set title 'throughput vs offered load (dashed: closed-loop maximum)'",
        "set yrange [0:*]",
    ]
    arrows = []
    colors = {"ours": "#1f77b4", "peer": "#d62728", "ceiling": "#2ca02c"}
    for i, (t, s) in enumerate(closed.items(), start=1):
        if s is None:
            continue
        arrows.append(
            f"set arrow {i} from 0,{s['rps']:.0f} to {xmax:.0f},{s['rps']:.0f} "
            f"nohead dt 2 lw 1.5 lc rgb '{colors[t]}'")
        arrows.append(
            f"set label {i} '{t} closed loop {s['rps']:,.0f}' at "
            f"{xmax * 0.02:.0f},{s['rps']:.0f} left offset 0,0.7 "
            f"tc rgb '{colors[t]}'")
    # The ceiling is usually far above both gateways: drawn as a line only
    # when it fits without flattening them, else named in the title.
    gateways = [s["rps"] for s in steps if s["target"] != "ceiling"] + [xmax]
    top = max(gateways) * 1.15
    ceiling = closed.get("ceiling")
    if ceiling is not None and ceiling["rps"] <= 2 * top:
        top = max(top, ceiling["rps"] * 1.1)
    elif ceiling is not None:
        arrows = [a for a in arrows
                  if not a.startswith(("set arrow 3", "set label 3"))]
        lines.append(
            "set title 'throughput vs offered load (dashed: closed-loop "
            f"maximum; ceiling, off the scale: {ceiling['rps']:,.0f} req/s)'")
    lines.append(f"set yrange [0:{top:.0f}]")
    lines += arrows
    # Without a peer (bench/run had no --peer-dir) its curves are left out:
    # gnuplot fails on a data file with no points.
    peer = any(s["target"] == "peer" for s in steps)
    lines.append(
        "plot x title 'achieved = offered' dt 2 lw 1.5 lc rgb 'gray40', "
        f"'{folder}/plot-ours.dat' using 1:2 with linespoints lw 2 pt 7 "
        f"lc rgb '{colors['ours']}' title 'ours (vouchstream-gateway)'"
        + (f", '{folder}/plot-peer.dat' using 1:2 with linespoints lw 2 "
           f"pt 5 lc rgb '{colors['peer']}' title 'peer (grpc-gateway v2 "
           "path, Go)'" if peer else ""))
    lines += [
        "unset arrow",
        "unset label",
        "set title 'p99 latency vs offered load (latency counted from the "
        "scheduled send: includes queueing)'",
        "set ylabel 'p99 (ms, log scale)'",
        "set logscale y",
        "set yrange [*:*]",
        f"plot '{folder}/plot-ours.dat' using 1:3 with linespoints lw 2 pt 7 "
        f"lc rgb '{colors['ours']}' title 'ours p99'"
        + (f", '{folder}/plot-peer.dat' using 1:3 with linespoints lw 2 "
           f"pt 5 lc rgb '{colors['peer']}' title 'peer p99'" if peer
           else ""),
        "unset multiplot",
    ]
    with open(os.path.join(folder, "plot.gp"), "w") as f:
        f.write("\n".join(lines) + "\n")


def store_rows(steps, meta):
    """Ours on each store, closed loop: the first store's `ours` and every
    `ours@STORE`, best step of each, with ratios to the first store."""
    first = meta.get("store") or "sqlite"
    names = [first] + sorted({s["target"][len("ours@"):] for s in steps
                              if s["target"].startswith("ours@")})
    rows = []
    for name in names:
        target = "ours" if name == first else f"ours@{name}"
        runs = [s for s in steps
                if s["target"] == target and s["offered"] == 0]
        if not runs:
            continue
        best = max(runs, key=lambda s: s["rps"] if s["clean"] else -1)
        rows.append({"store": name, "runs": len(runs), "rps": best["rps"],
                     "p99_ms": best["p99_ms"], "clean": best["clean"],
                     "service_cpu_us": best["service_cpu_us"],
                     "delivered": best["delivered"],
                     "expected": best["warmup_requests"] + best["requests"]})
    base = rows[0]["rps"] if rows else None
    for row in rows:
        row["ratio_rps_over_first"] = ratio(row["rps"], base)
    return rows


def peer_notes(w, signature_us):
    """What differs between ours and the peer, under the end-to-end table."""
    w("Not the same work: ours also checks the HMAC-SHA256 signature "
      "of every body, records every JSON path the contract does not know "
      "in `Event.unknown_fields`, and keeps the raw body in `Event.raw` "
      "(so the service stores about twice the bytes). The peer checks "
      "no signature (it gets unsigned requests), drops unknown fields "
      "silently (`DiscardUnknown`), and keeps no raw body."
      + (f" The signature check alone costs {signature_us:.1f} µs CPU "
         "per request (`signature_benchmark`, below)."
         if signature_us else ""))
    w("")
    w("The transports differ by design: our gateway forwards over two "
      "long-lived `PublishStream` calls, the peer makes one unary "
      "`Publish` per request, as grpc-gateway does. That is part of what "
      "is compared, and it shows in the service's CPU per request.")
    w("")
    w("The peer's body is the same webhook JSON under "
      "`publication_succeeded`, with the publication id also as the "
      "event's `id` (`-wrap event`, see `peer_body.json`): a "
      "grpc-gateway mapping puts the body into one request field and "
      "cannot derive the id the service requires, so with "
      "`-wrap event.publication_succeeded` every request is refused "
      "(422, `id: is required`). Our gateway takes the id from the "
      "publication itself.")
    w("")


def main():
    folder = sys.argv[1]
    meta = read_meta(folder)
    steps = read_steps(folder, meta)
    micro = read_micro(folder)

    best = {t: sustained(steps, t) for t in TARGETS}
    signature = next((r for r in micro.get("signature_benchmark", [])
                      if r["name"] == "BM_VerifySeedSignature"), None)
    signature_us = (round(signature["cpu_time"] * {"ns": 1e-3, "us": 1,
                                                  "ms": 1e3}[
                                                      signature["time_unit"]],
                          2) if signature else None)

    def pick(t, key):
        return best[t][key] if best.get(t) else None

    # The highest open-loop rate both gateways kept up with, cleanly.
    common = None
    for rate in sorted({s["offered"] for s in steps if s["offered"] > 0}):
        pair = [next((s for s in steps if s["target"] == t and
                      s["offered"] == rate), None) for t in ("ours", "peer")]
        if all(p and p["clean"] and p["kept_up"] for p in pair):
            common = {"offered": rate, "ours_p99_ms": pair[0]["p99_ms"],
                      "peer_p99_ms": pair[1]["p99_ms"],
                      "ratio_p99_ours_over_peer": ratio(pair[0]["p99_ms"],
                                                        pair[1]["p99_ms"])}

    def closed(t, key):
        """`key` of the target's best closed-loop step."""
        runs = [s for s in steps if s["target"] == t and s["offered"] == 0]
        return max(runs, key=lambda s: s["rps"])[key] if runs else None

    stores = store_rows(steps, meta)

    summary = {
        "stamp": meta.get("stamp"),
        "mode": meta.get("mode"),
        "commit": meta.get("commit"),
        "dirty_tracked_files": int(meta.get("dirty", "0") or 0),
        "machine": {
            "nproc": int(meta.get("nproc", "0")),
            "cpu": meta.get("cpu"),
            "kernel": meta.get("kernel"),
            "loadavg_start": meta.get("loadavg_start"),
            "loadavg_end": meta.get("loadavg_end"),
        },
        "store": meta.get("store"),
        # Ours on every store of the run (closed loop), the first first.
        "stores": stores,
        "connections": int(meta.get("connections", "0")),
        "seconds_per_step": number(meta.get("seconds")),
        "wall_seconds": int(meta.get("wall_seconds", "0")),
        "ours_rps": pick("ours", "rps"),
        "ours_p99_ms": pick("ours", "p99_ms"),
        "ours_at_offered": pick("ours", "offered"),
        # False when bench/run had no --peer-dir: every peer_* key is null.
        "peer_measured": any(s["target"] == "peer" for s in steps),
        "peer_rps": pick("peer", "rps"),
        "peer_p99_ms": pick("peer", "p99_ms"),
        "peer_at_offered": pick("peer", "offered"),
        "ceiling_rps": pick("ceiling", "rps"),
        "ceiling_p99_ms": pick("ceiling", "p99_ms"),
        "ours_signature_check_cpu_us": signature_us,
        "ratio_rps_ours_over_peer": ratio(pick("ours", "rps"),
                                          pick("peer", "rps")),
        "ratio_p99_ours_over_peer": ratio(pick("ours", "p99_ms"),
                                          pick("peer", "p99_ms")),
        "ratio_rps_ours_over_ceiling": ratio(pick("ours", "rps"),
                                             pick("ceiling", "rps")),
        "ours_gateway_cpu_us_per_request": closed("ours", "gateway_cpu_us"),
        "peer_gateway_cpu_us_per_request": closed("peer", "gateway_cpu_us"),
        "ours_service_cpu_us_per_request": closed("ours", "service_cpu_us"),
        "peer_service_cpu_us_per_request": closed("peer", "service_cpu_us"),
        "p99_at_common_rate": common,
        "noisy_steps": sum(1 for s in steps
                           if (s["other_cores"] or 0) >= NOISY_CORES),
        "max_other_cores": max((s["other_cores"] or 0 for s in steps),
                               default=None),
        "steps": steps,
        "micro": micro,
    }
    with open(os.path.join(folder, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2, ensure_ascii=False)
        f.write("\n")

    out = []
    w = out.append
    w(f"# vouchstream benchmarks ({meta.get('mode')} run, {meta.get('stamp')})")
    w("")
    dirty = summary["dirty_tracked_files"]
    w(f"Commit `{meta.get('commit')}`"
      + (f" plus {dirty} modified tracked file(s)" if dirty else "")
      + f"; {meta.get('build_type')} build. Machine: {meta.get('nproc')} × "
      f"{meta.get('cpu')}, Linux {meta.get('kernel')}; load average "
      f"{meta.get('loadavg_start')} at the start, {meta.get('loadavg_end')} at "
      f"the end. Nothing pinned. Wall time {meta.get('wall_seconds')} s.")
    w("")
    if steps:
        w("## End to end: ours vs the peer vs the ceiling")
        w("")
        w(f"Same load generator (`gateway_load`, one thread, "
          f"{meta.get('connections')} keep-alive connections, a unique "
          f"publication id in every body), the same `vouchstream-server` "
          f"with a fresh `{meta.get('store')}` store and one live subscriber "
          f"per step, {meta.get('seconds')} s per step after "
          f"{meta.get('warmup')} s of warm-up. Sustained = the highest "
          "throughput of a step with no errors that kept up with its offered "
          "load (closed loop, or open loop at >= 95 % of the rate with a p99 "
          "at most twice the closed loop's, so no queue was building); p99 "
          "is at that step.")
        w("")
        w("| | sustained req/s | p99 at that load | "
          "gateway CPU µs/req | service CPU µs/req |")
        w("|---|---|---|---|---|")
        for t, label in (("ours", "**ours**"), ("peer", "peer"),
                         ("ceiling", "ceiling")):
            if t not in {s["target"] for s in steps}:
                continue
            w(f"| {label} | {fmt(pick(t, 'rps'), 0)} | "
              f"{fmt(pick(t, 'p99_ms'), 2)} ms | "
              f"{fmt(closed(t, 'gateway_cpu_us'))} | "
              f"{fmt(closed(t, 'service_cpu_us'))} |")
        w("")
        if not summary["peer_measured"]:
            w("**The peer was not measured**: bench/run had no peer "
              "sources (`--peer-dir=DIR` or `VS_PEER_DIR`), so every ours/peer "
              "ratio below is –.")
            w("")
        w(f"**Ratios (same run):** throughput ours/peer = "
          f"{fmt(summary['ratio_rps_ours_over_peer'], 2)}×, "
          f"p99 ours/peer = {fmt(summary['ratio_p99_ours_over_peer'], 2)} "
          f"(below 1 is better), throughput ours/ceiling = "
          + (f"{summary['ratio_rps_ours_over_ceiling'] * 100:.0f} %."
             if summary["ratio_rps_ours_over_ceiling"] else "– (no ceiling)."))
        if common:
            out[-1] += (f" At the highest rate both sustained "
                        f"({common['offered']:,} req/s offered), p99 is "
                        f"{fmt(common['ours_p99_ms'], 2)} ms (ours) vs "
                        f"{fmt(common['peer_p99_ms'], 2)} ms (peer).")
        w("")
        noisy = summary["noisy_steps"]
        if noisy:
            w(f"**Other work ran on the machine during {noisy} of "
              f"{len(steps)} steps** (≥ {NOISY_CORES} cores besides this "
              f"run's processes and load generator, up to "
              f"{summary['max_other_cores']} cores; marked ⚡ below): their "
              "figures understate what this machine can do. Compare ratios "
              "from steps without ⚡, or rerun on a quiet machine.")
            w("")
        w("CPU per request is the process's user+system time over the "
          "measured step divided by its requests, from the best closed-loop step.")
        w("")
        if summary["peer_measured"]:
            peer_notes(w, signature_us)
        if len(stores) > 1:
            w("## Stores side by side: ours, closed loop")
            w("")
            w("The same gateway, service and load on each store: `sqlite` is "
              "one local file (group commit, fsync per commit), `nats` one "
              "`nats-server -js` on loopback, `nats3` a 3-node JetStream "
              "cluster on loopback with stream replicas 3 (every append is "
              "acknowledged by a quorum); the nats processes' CPU runs on "
              "the same two cores. Best closed-loop step of each.")
            w("")
            w("| store | steps | req/s | p99 ms | service CPU µs/req | "
              "delivered to the subscriber | req/s vs "
              f"{stores[0]['store']} |")
            w("|---|---|---|---|---|---|---|")
            for row in stores:
                delivered = ("–" if row["delivered"] is None else
                             f"{row['delivered']:,} of {row['expected']:,}")
                flag = "" if row["clean"] else " ⚠"
                w(f"| {row['store']}{flag} | {row['runs']} | "
                  f"{fmt(row['rps'], 0)} | {fmt(row['p99_ms'], 2)} | "
                  f"{fmt(row['service_cpu_us'])} | {delivered} | "
                  f"{fmt(row['ratio_rps_over_first'], 2)}× |")
            w("")
        w("### Every step")
        w("")
        w("| target | offered req/s | achieved req/s | p50 ms | p90 ms | "
          "p99 ms | max ms | requests | non-2xx | errors | gateway CPU "
          "µs/req | service CPU µs/req | delivered to the subscriber | "
          "other work (cores) |")
        w("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for s in steps:
            offered = "closed loop" if s["offered"] == 0 else f"{s['offered']:,}"
            expected = s["warmup_requests"] + s["requests"]
            delivered = ("–" if s["delivered"] is None else
                         f"{s['delivered']:,} of {expected:,}")
            flag = "" if s["clean"] and s["kept_up"] else " ⚠"
            if (s["other_cores"] or 0) >= NOISY_CORES:
                flag += " ⚡"
            w(f"| {s['target']}{flag} | {offered} | {fmt(s['rps'], 0)} | "
              f"{fmt(s['p50_ms'], 2)} | {fmt(s['p90_ms'], 2)} | "
              f"{fmt(s['p99_ms'], 2)} | {fmt(s['max_ms'], 1)} | "
              f"{s['requests']:,} | {s['non_2xx']:,} | {s['errors']:,} | "
              f"{fmt(s['gateway_cpu_us'])} | {fmt(s['service_cpu_us'])} | "
              f"{delivered} | {fmt(s['other_cores'], 2)} |")
        w("")
        w("⚠ = errors, non-2xx answers, achieved < 95 % of the offered "
          "rate, or a p99 above twice the closed loop's (saturated: a queue was "
          "building): not counted as sustained. Delivered counts the "
          "events (warm-up included) the subscriber had received 0.5 s after "
          "the step: each request stored once, none deduplicated. Other work = "
          "the machine's busy CPU time during the step minus this step's "
          "processes and the load generator, in cores; ⚡ = at least "
          f"{NOISY_CORES}.")
        w("")
        w("![throughput and p99 vs offered load](plot.png)")
        w("")
        w("| target | what runs |")
        w("|---|---|")
        measured = {s["target"] for s in steps}
        for t, label in TARGETS.items():
            if t in measured:
                w(f"| {t} | {label} |")
        w("")
    if micro:
        w("## Micro benchmarks (Google Benchmark)")
        w("")
        w("| program | benchmark | time/op (wall) | CPU/op | rate | "
          "events/commit |")
        w("|---|---|---|---|---|---|")
        for program, rows in micro.items():
            for r in rows:
                epc = r.get("events_per_commit")
                w(f"| {program} | `{r['name']}` | "
                  f"{micro_time(r['real_time'], r['time_unit'])} | "
                  f"{micro_time(r['cpu_time'], r['time_unit'])} | "
                  f"{micro_rate(r)} | {fmt(epc) if epc else ''} |")
        w("")
    w("Raw data beside this file: `meta.txt`, `e2e.tsv`, `e2e/*/` (each "
      "step's load generator output and server logs), `micro/*.json`, "
      "`summary.json`.")
    with open(os.path.join(folder, "report.md"), "w") as f:
        f.write("\n".join(out) + "\n")

    write_plot(folder, meta, steps, summary)

    with open(os.path.join(folder, "summary.txt"), "w") as f:
        f.write(
            f"ours {fmt(summary['ours_rps'], 0)} req/s p99 "
            f"{fmt(summary['ours_p99_ms'], 2)} ms | peer "
            f"{fmt(summary['peer_rps'], 0)} req/s p99 "
            f"{fmt(summary['peer_p99_ms'], 2)} ms | ceiling "
            f"{fmt(summary['ceiling_rps'], 0)} req/s | ours/peer "
            f"{fmt(summary['ratio_rps_ours_over_peer'], 2)}x rps, "
            f"{fmt(summary['ratio_p99_ours_over_peer'], 2)}x p99 | "
            f"ours/ceiling {fmt(summary['ratio_rps_ours_over_ceiling'], 2)}\n")


if __name__ == "__main__":
    main()
