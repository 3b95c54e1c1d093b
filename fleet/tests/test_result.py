import json
import unittest

from tests import helpers  # noqa: F401
from roleboot_fleet import result
from roleboot_fleet.remote import Outcome

SECRET = "c2VjcmV0LXRlc3Qta2V5"


def report(exit_code, files=(), version=2, role="demo", error=None, dry_run=True):
    r = {"roleboot": "0.1.0", "result": "ok" if exit_code == 0 else "pending",
         "exit": exit_code, "dry_run": dry_run, "host": "h", "role": role,
         "started": "2026-01-01T00:00:00Z", "duration_ms": 30,
         "bundle": {"url": "https://b/demo.tar.gz", "version": version, "sha256": "ab" * 32,
                    "size": 952, "key": "B7A536DEFD94A5F0", "trusted_comment": SECRET},
         "files": [{"path": p, "change": "changed"} for p in files],
         "changed": len(files), "unchanged": 0, "vars": {"transfer_secret": SECRET}}
    if error:
        r["error"] = {"step": "validate", "message": error}
    return json.dumps(r) + "\n"


def done(code, stdout="", stderr=""):
    return Outcome("done", exit=code, stdout=stdout, stderr=stderr, duration_s=0.25)


class Check(unittest.TestCase):
    def test_in_sync(self):
        r = result.check_verdict("h", done(0, report(0)))
        self.assertEqual((r.verdict, r.role, r.version, r.changed, r.exit, r.error),
                         ("in-sync", "demo", 2, [], 0, None))

    def test_drifted_lists_paths(self):
        r = result.check_verdict("h", done(1, report(1, ["/etc/a", "/etc/b"])))
        self.assertEqual((r.verdict, r.changed), ("drifted", ["/etc/a", "/etc/b"]))

    def test_exit_1_without_report_is_failed(self):
        r = result.check_verdict("h", done(1, "", "sudo: a password is required\n"))
        self.assertEqual((r.verdict, r.error), ("failed", "exit 1"))

    def test_error_line_wins(self):
        err = "roleboot: note: fetching\nroleboot: error: first\nroleboot: error: signature by an untrusted key\n"
        r = result.check_verdict("h", done(5, report(5, error="from json"), err))
        self.assertEqual((r.verdict, r.error, r.exit),
                         ("failed", "signature by an untrusted key", 5))

    def test_json_message_then_exit_n(self):
        r = result.check_verdict("h", done(7, report(7, error="named-checkconf refused"), ""))
        self.assertEqual(r.error, "named-checkconf refused")
        r = result.check_verdict("h", done(127, "", "sh: roleboot: not found\n"))
        self.assertEqual((r.verdict, r.error, r.role), ("failed", "exit 127", None))

    def test_unreachable_and_timeout(self):
        r = result.check_verdict("h", Outcome("unreachable", reason="connection refused"))
        self.assertEqual((r.verdict, r.error, r.exit), ("unreachable", "connection refused", None))
        r = result.check_verdict("h", Outcome("timeout", reason="timed out after 5 s"))
        self.assertEqual((r.verdict, r.error), ("failed", "timed out after 5 s"))
        r = result.check_verdict("h", Outcome("lost", reason="connection lost: EOF"))
        self.assertEqual(r.verdict, "failed")

    def test_role_may_be_null(self):
        r = result.check_verdict("h", done(3, report(3, role=None, error="no role")))
        self.assertIsNone(r.role)


class Apply(unittest.TestCase):
    def test_applied_and_in_sync(self):
        r = result.apply_verdict("h", done(0, report(0, ["/etc/x"], dry_run=False)))
        self.assertEqual((r.verdict, r.changed, r.version), ("applied", ["/etc/x"], 2))
        r = result.apply_verdict("h", done(0, report(0, dry_run=False)))
        self.assertEqual(r.verdict, "in-sync")

    def test_any_non_zero_is_failed(self):
        for code in (1, 3, 8, 10):
            r = result.apply_verdict("h", done(code, report(code, error="e%d" % code)))
            self.assertEqual((r.verdict, r.error, r.exit), ("failed", "e%d" % code, code))

    def test_nothing_else_of_the_report_is_kept(self):
        r = result.apply_verdict("h", done(0, report(0, ["/etc/x"], dry_run=False)))
        d = r.as_json("apply")
        self.assertEqual(sorted(d), sorted(["host", "verdict", "role", "version", "changed",
                                            "duration_s", "error", "exit"]))
        self.assertNotIn(SECRET, json.dumps(d))


class Status(unittest.TestCase):
    def test_applied_none_failed(self):
        st = json.dumps({"applied": True, "role": "demo", "version": 1, "bundle": "u",
                         "sha256": "x", "time": "2026-01-01T00:00:00Z"})
        r = result.status_verdict("h", done(0, st))
        self.assertEqual((r.verdict, r.role, r.version), ("applied", "demo", 1))
        r = result.status_verdict("h", done(0, '{"applied":false}'))
        self.assertEqual((r.verdict, r.role), ("none", None))
        r = result.status_verdict("h", done(10, "", "roleboot: error: locked\n"))
        self.assertEqual((r.verdict, r.error), ("failed", "locked"))
        r = result.status_verdict("h", done(0, "garbage"))
        self.assertEqual(r.verdict, "failed")


class Run(unittest.TestCase):
    def test_ok_failed_output_kept(self):
        r = result.run_verdict("h", done(0, "Thu Jan  1\nmore\n"))
        self.assertEqual((r.verdict, r.error, r.stdout), ("ok", None, "Thu Jan  1\nmore\n"))
        self.assertIn("stdout", r.as_json("run"))
        r = result.run_verdict("h", done(3, "", "boom\n"))
        self.assertEqual((r.verdict, r.error, r.exit), ("failed", "exit 3", 3))

    def test_first_line(self):
        self.assertEqual(result.first_line("\n  \n x \ny"), "x")
        self.assertIsNone(result.first_line(""))


class ParseReport(unittest.TestCase):
    def test_noise_before_the_object(self):
        self.assertEqual(result.parse_report('note\n{"exit":1}\n'), {"exit": 1})
        self.assertIsNone(result.parse_report("[1,2]"))
        self.assertIsNone(result.parse_report(""))


if __name__ == "__main__":
    unittest.main()
