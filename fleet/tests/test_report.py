import json
import os
import tempfile
import unittest

from tests import helpers  # noqa: F401
from roleboot_fleet import report, rollout
from roleboot_fleet.result import HostResult


def results(*pairs):
    return [HostResult(h, v, role="demo" if v not in ("unreachable", "skipped") else None,
                       version=2, duration_s=0.26) for h, v in pairs]


class Closing(unittest.TestCase):
    def test_the_four_lines(self):
        rs = results(("a", "in-sync"), ("b", "drifted"), ("c", "failed"), ("d", "unreachable"))
        self.assertEqual(report.closing_line("check", report.counts("check", rs)),
                         "fleet: 1 in sync, 1 drifted, 1 failed, 1 unreachable of 4")
        rs = results(("a", "in-sync"), ("b", "applied"), ("c", "applied"), ("d", "skipped"))
        self.assertEqual(report.closing_line("apply", report.counts("apply", rs)),
                         "fleet: 1 in sync, 2 applied, 0 failed, 0 unreachable, 1 skipped of 4")
        rs = results(("a", "applied"), ("b", "none"))
        self.assertEqual(report.closing_line("status", report.counts("status", rs)),
                         "fleet: 1 applied, 1 none, 0 failed, 0 unreachable of 2")
        rs = results(("a", "ok"), ("b", "failed"), ("c", "unreachable"))
        self.assertEqual(report.closing_line("run", report.counts("run", rs)),
                         "fleet: 1 ok, 1 failed, 1 unreachable of 3")

    def test_stop_lines(self):
        ro = rollout.Rollout(results=[], stopped="canary", canary_host="10.0.0.2")
        self.assertEqual(report.stop_line(ro), "rollout stopped: canary host 10.0.0.2 failed")
        ro = rollout.Rollout(results=[], stopped="max-failures", failures=3)
        self.assertEqual(report.stop_line(ro, 3), "rollout stopped: 3 failures (--max-failures 3)")
        self.assertIsNone(report.stop_line(rollout.Rollout(results=[])))

    def test_tally(self):
        rs = [HostResult("h%d" % i, "applied", role="demo", version=1 if i < 3 else 2)
              for i in range(10)] + [HostResult("x", "none"), HostResult("y", "unreachable")]
        self.assertEqual(report.tally_line(rs), "versions: demo 2: 7, demo 1: 3")
        self.assertEqual(report.tally_line([]), "versions: none applied")


class ExitCodes(unittest.TestCase):
    def code(self, task, *verdicts, stopped=None):
        rs = results(*[("h%d" % i, v) for i, v in enumerate(verdicts)])
        return report.exit_code(task, report.counts(task, rs), stopped)

    def test_check(self):
        self.assertEqual(self.code("check", "in-sync", "in-sync"), 0)
        self.assertEqual(self.code("check", "in-sync", "drifted"), 1)
        self.assertEqual(self.code("check", "drifted", "failed"), 2)
        self.assertEqual(self.code("check", "in-sync", "unreachable"), 2)

    def test_apply(self):
        self.assertEqual(self.code("apply", "in-sync", "applied"), 0)
        self.assertEqual(self.code("apply", "applied", "failed"), 2)
        self.assertEqual(self.code("apply", "failed", "skipped", stopped="canary"), 3)
        self.assertEqual(self.code("apply", "failed", "skipped", stopped="max-failures"), 3)

    def test_status_and_run(self):
        self.assertEqual(self.code("status", "applied", "applied"), 0)
        self.assertEqual(self.code("status", "applied", "none"), 2)
        self.assertEqual(self.code("run", "ok", "ok"), 0)
        self.assertEqual(self.code("run", "ok", "failed"), 2)

    def test_usage_is_4(self):
        self.assertEqual(report.EXIT_USAGE, 4)


class Table(unittest.TestCase):
    def test_aligned_in_order(self):
        rs = [HostResult("10.0.0.10", "applied", "demo", 2, ["/etc/a/named.conf", "/etc/b", "/c"],
                         1.04),
              HostResult("h2", "unreachable", duration_s=3.0, error="connection refused"),
              HostResult("h3", "skipped")]
        lines = report.table("apply", rs)
        self.assertEqual(lines[0].split()[:6], ["10.0.0.10", "applied", "demo", "2", "3",
                                                "named.conf,b"])
        self.assertIn("+1", lines[0])
        self.assertTrue(lines[0].endswith("1.0s"))
        self.assertEqual(lines[1].split()[:3], ["h2", "unreachable", "-"])
        self.assertTrue(lines[1].endswith("3.0s  connection refused"))
        self.assertEqual(lines[0].index("applied"), lines[1].index("unreachable"))
        self.assertEqual(lines[2].split(), ["h3", "skipped", "-", "-", "-", "-"])

    def test_run_shows_first_line(self):
        rs = [HostResult("a", "ok", duration_s=0.2, stdout="2026\nmore\n", stderr=""),
              HostResult("bb", "failed", duration_s=0.2, error="exit 3", exit=3,
                         stdout="", stderr="nope\n")]
        self.assertEqual(report.table("run", rs), ["a   ok      0.2s  2026",
                                                   "bb  failed  0.2s  exit 3: nope"])


class Document(unittest.TestCase):
    def test_shape_and_atomic_write(self):
        rs = results(("a", "applied"), ("b", "skipped"))
        opts = {"parallel": 20, "canary": 1, "max_failures": None, "role": "r", "version": 2}
        doc = report.document("apply", rs, 0, 1.23456, opts, "canary")
        self.assertEqual(sorted(doc), sorted(["task", "started", "duration_s", "options", "hosts",
                                              "counts", "stopped"]))
        self.assertEqual(doc["started"], "1970-01-01T00:00:00Z")
        self.assertEqual(doc["counts"], {"in-sync": 0, "applied": 1, "failed": 0,
                                         "unreachable": 0, "skipped": 1, "total": 2})
        self.assertEqual(sorted(doc["hosts"][0]), sorted(["host", "verdict", "role", "version",
                                                         "changed", "duration_s", "error", "exit"]))
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "fleet-apply.json")
            with open(p, "w") as f:
                f.write("old")
            report.write_json(p, doc)
            with open(p) as f:
                self.assertEqual(json.load(f), doc)
            self.assertEqual(os.listdir(d), ["fleet-apply.json"])


if __name__ == "__main__":
    unittest.main()
