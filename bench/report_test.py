#!/usr/bin/env python3
"""Tests bench/report.py on a made-up results folder: which step counts as
sustained, the ratios, and the summary.json keys scripts rely on.

    python3 bench/report_test.py      (ctest: bench_report_test)
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
HEADER = ("target offered rps p50_ms p90_ms p99_ms max_ms requests non_2xx "
          "errors gateway_cpu_ticks service_cpu_ticks warmup_requests "
          "delivered seconds loadgen_cpu_ticks step_cpu_ticks "
          "machine_busy_ticks").split()


def step(target, offered, rps, p99, errors=0, non_2xx=0, busy=400):
    """A step of 10 s; this run's processes used 300 ticks + the load
    generator 100 (4 cores at 100 Hz), the machine `busy` ticks."""
    requests = int(rps * 10)
    return [target, offered, rps, 1.0, 2.0, p99, p99 + 1, requests, non_2xx,
            errors, 100, 200, 10, "" if target == "ceiling" else requests + 10,
            10.0, 100, 300, busy]


class ReportTest(unittest.TestCase):

    def run_report(self, steps, micro=None):
        folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, folder)
        with open(os.path.join(folder, "meta.txt"), "w") as f:
            f.write("stamp=T\nmode=quick\nnproc=2\ncpu=Test CPU\ncommit=abc\n"
                    "dirty=0\nstore=sqlite\nconnections=64\nseconds=10\n"
                    "warmup=1\nclk_tck=100\nwall_seconds=5\n")
        with open(os.path.join(folder, "e2e.tsv"), "w") as f:
            f.write("\t".join(HEADER) + "\n")
            for s in steps:
                f.write("\t".join(str(v) for v in s) + "\n")
        if micro:
            os.mkdir(os.path.join(folder, "micro"))
            for name, rows in micro.items():
                with open(os.path.join(folder, "micro", name + ".json"),
                          "w") as f:
                    json.dump({"benchmarks": rows}, f)
        subprocess.run([sys.executable, os.path.join(HERE, "report.py"),
                        folder], check=True)
        with open(os.path.join(folder, "summary.json")) as f:
            summary = json.load(f)
        with open(os.path.join(folder, "report.md")) as f:
            report = f.read()
        return folder, summary, report

    def test_stores_side_by_side(self):
        _, summary, report = self.run_report([
            step("ours", 0, 3000, 50),
            step("peer", 0, 2000, 70),
            step("ours@nats", 0, 1500, 60),
            step("ours@nats3", 0, 600, 150),
            step("ours@nats3", 0, 450, 160, errors=2),  # not the best
        ])
        stores = summary["stores"]
        self.assertEqual([r["store"] for r in stores],
                         ["sqlite", "nats", "nats3"])
        self.assertEqual([r["rps"] for r in stores], [3000, 1500, 600])
        self.assertEqual([r["runs"] for r in stores], [1, 1, 2])
        self.assertEqual([r["ratio_rps_over_first"] for r in stores],
                         [1.0, 0.5, 0.2])
        self.assertIn("## Stores side by side", report)
        self.assertIn("| nats3 | 2 | 600 |", report)
        # The other stores do not count as ours on the first store.
        self.assertEqual(summary["ours_rps"], 3000)

    def test_without_a_peer_the_report_says_it_was_not_measured(self):
        _, summary, report = self.run_report([
            step("ours", 0, 3000, 50),
            step("ceiling", 0, 15000, 10),
            step("ours", 1500, 1500, 20),
        ])
        self.assertFalse(summary["peer_measured"])
        self.assertIsNone(summary["peer_rps"])
        self.assertIsNone(summary["ratio_rps_ours_over_peer"])
        self.assertEqual(summary["ratio_rps_ours_over_ceiling"], 0.2)
        self.assertIn("The peer was not measured", report)
        self.assertNotIn("| peer |", report)

    def test_with_a_peer_the_report_has_its_row(self):
        _, summary, report = self.run_report([
            step("ours", 0, 3000, 50),
            step("peer", 0, 2000, 70),
        ])
        self.assertTrue(summary["peer_measured"])
        self.assertNotIn("The peer was not measured", report)
        self.assertIn("| peer | 2,000 |", report)

    def test_one_store_has_no_side_by_side_table(self):
        _, summary, report = self.run_report([step("ours", 0, 3000, 50)])
        self.assertEqual([r["store"] for r in summary["stores"]], ["sqlite"])
        self.assertNotIn("Stores side by side", report)

    def test_sustained_skips_saturated_and_failing_steps(self):
        _, summary, _ = self.run_report([
            step("ours", 0, 3000, 50),
            step("peer", 0, 2000, 70),
            step("ceiling", 0, 15000, 10),
            step("ours", 2000, 1990, 30),
            step("peer", 2000, 1500, 900),   # saturated: 75 % of offered
            step("ours", 4000, 3500, 800),   # saturated, though the most rps
            step("peer", 1000, 2100, 40, errors=3),    # errors
            step("peer", 1100, 2200, 40, non_2xx=1),   # non-2xx answers
            # 99 % of the rate, but p99 above the closed loop's: queueing.
            step("ours", 3100, 3070, 400),
        ])
        self.assertEqual(summary["ours_rps"], 3000)
        self.assertEqual(summary["ours_p99_ms"], 50)
        self.assertEqual(summary["peer_rps"], 2000)
        self.assertEqual(summary["peer_p99_ms"], 70)
        self.assertEqual(summary["ceiling_rps"], 15000)
        self.assertEqual(summary["ratio_rps_ours_over_peer"], 1.5)
        self.assertEqual(summary["ratio_p99_ours_over_peer"], 0.714)
        self.assertEqual(summary["ratio_rps_ours_over_ceiling"], 0.2)
        # Only 2000 was offered to both, and the peer did not keep up there.
        self.assertIsNone(summary["p99_at_common_rate"])
        print("report_test: sustained ours 3000, peer 2000, ceiling 15000 "
              "of 9 steps; the saturated, failing and queueing steps were "
              "passed over")

    def test_open_loop_step_that_keeps_up_can_be_the_best(self):
        _, summary, report = self.run_report([
            step("ours", 0, 3000, 50),
            step("peer", 0, 2000, 70),
            step("ours", 3100, 3050, 45),   # 98 % of offered: kept up
            step("peer", 3100, 2000, 900),
            step("ours", 1500, 1500, 20),
            step("peer", 1500, 1490, 60),
            step("ours", 2000, 1995, 90),   # p99 1.8x the closed loop's: noise
        ])
        self.assertTrue(summary["steps"][-1]["kept_up"])
        self.assertEqual(summary["ours_rps"], 3050)
        self.assertEqual(summary["ours_at_offered"], 3100)
        self.assertEqual(summary["p99_at_common_rate"],
                         {"offered": 1500, "ours_p99_ms": 20,
                          "peer_p99_ms": 60,
                          "ratio_p99_ours_over_peer": 0.333})
        self.assertIsNone(summary["ceiling_rps"])
        self.assertIn("| **ours** | 3,050 | 45.00 ms |", report)
        self.assertIn("throughput ours/ceiling = – ", report)
        self.assertNotIn(" ⚡ |", report)
        # Saturated steps are flagged in the per-step table.
        self.assertIn("| peer ⚠ | 3,100 |", report)

    def test_flags_steps_that_ran_beside_other_work(self):
        _, summary, report = self.run_report([
            step("ours", 0, 3000, 50, busy=1300),  # 0.9 cores of other work
            step("peer", 0, 2000, 70),             # none
        ])
        self.assertEqual(summary["noisy_steps"], 1)
        self.assertEqual(summary["max_other_cores"], 0.9)
        self.assertEqual([s["other_cores"] for s in summary["steps"]],
                         [0.9, 0.0])
        self.assertIn("| ours ⚡ | closed loop |", report)
        self.assertIn("| peer | closed loop |", report)
        self.assertIn("during 1 of 2 steps", report)

    def test_summary_has_the_keys_scripts_compare(self):
        folder, summary, report = self.run_report(
            [step("ours", 0, 3000, 50), step("peer", 0, 2000, 70),
             step("ceiling", 0, 15000, 10), step("ours", 1000, 1000, 20),
             step("peer", 1000, 1000, 30)],
            micro={"signature_benchmark": [
                {"name": "BM_VerifySeedSignature", "run_type": "iteration",
                 "real_time": 4100.0, "cpu_time": 2700.0, "time_unit": "ns",
                 "iterations": 1000, "bytes_per_second": 9.6e8}]})
        for key in ("ours_rps", "ours_p99_ms", "ceiling_rps", "peer_rps",
                    "peer_p99_ms", "commit", "machine"):
            self.assertIn(key, summary)
        self.assertEqual(summary["ours_signature_check_cpu_us"], 2.7)
        # CPU per request: 100 ticks at 100 Hz over 30,000 requests.
        self.assertAlmostEqual(
            summary["ours_gateway_cpu_us_per_request"], 1e6 / 30000)
        self.assertIn("signature check alone costs 2.7 µs", report)
        self.assertIn("`BM_VerifySeedSignature`", report)
        with open(os.path.join(folder, "plot.gp")) as f:
            self.assertIn("plot-ours.dat", f.read())
        with open(os.path.join(folder, "plot-peer.dat")) as f:
            self.assertEqual(f.read().splitlines()[1:], ["1000 1000 30.000 1"])


if __name__ == "__main__":
    unittest.main()
