import threading
import time
import unittest

from tests import helpers  # noqa: F401
from roleboot_fleet import rollout
from roleboot_fleet.result import HostResult


class Fake:
    """work(host): a verdict per host (default applied) after a delay."""

    def __init__(self, verdicts=None, delay=0.0, delays=None):
        self.verdicts = verdicts or {}
        self.delay = delay
        self.delays = delays or {}
        self.started = []
        self.lock = threading.Lock()
        self.now = 0
        self.peak = 0

    def __call__(self, host):
        with self.lock:
            self.started.append(host)
            self.now += 1
            self.peak = max(self.peak, self.now)
        time.sleep(self.delays.get(host, self.delay))
        with self.lock:
            self.now -= 1
        v = self.verdicts.get(host, "applied")
        if v == "raise":
            raise RuntimeError("bad host")
        return HostResult(host, v, duration_s=0.1)


def verdicts(ro):
    return [(r.host, r.verdict) for r in ro.results]


HOSTS = ["h%d" % i for i in range(1, 11)]


class Pool(unittest.TestCase):
    def test_order_kept_and_parallel_bounded(self):
        work = Fake(delays={"h1": 0.2})
        ro = rollout.run(HOSTS, work, parallel=3)
        self.assertEqual([r.host for r in ro.results], HOSTS)
        self.assertLessEqual(work.peak, 3)
        self.assertGreater(work.peak, 1)
        self.assertIsNone(ro.stopped)

    def test_a_raising_host_is_failed_not_fatal(self):
        ro = rollout.run(["a", "b"], Fake({"a": "raise"}), parallel=2)
        self.assertEqual(verdicts(ro), [("a", "failed"), ("b", "applied")])
        self.assertIn("bad host", ro.results[0].error)

    def test_on_done_once_per_host(self):
        seen = []
        rollout.run(HOSTS, Fake(), parallel=4, on_done=lambda r: seen.append(r.host))
        self.assertEqual(sorted(seen), sorted(HOSTS))


class Canary(unittest.TestCase):
    def test_failing_canary_stops_everything_else(self):
        work = Fake({"h2": "failed"})
        ro = rollout.run(HOSTS, work, parallel=5, canary=3)
        self.assertEqual(verdicts(ro)[:3], [("h1", "applied"), ("h2", "failed"), ("h3", "applied")])
        self.assertTrue(all(v == "skipped" for _, v in verdicts(ro)[3:]))
        self.assertEqual((ro.stopped, ro.canary_host), ("canary", "h2"))
        self.assertEqual(sorted(work.started), ["h1", "h2", "h3"])

    def test_unreachable_canary_stops_too(self):
        ro = rollout.run(HOSTS, Fake({"h1": "unreachable", "h2": "failed"}), canary=2)
        self.assertEqual((ro.stopped, ro.canary_host), ("canary", "h1"))

    def test_canaries_run_before_the_rest(self):
        work = Fake(delays={"h1": 0.2})
        rollout.run(HOSTS, work, parallel=10, canary=2)
        self.assertEqual(sorted(work.started[:2]), ["h1", "h2"])

    def test_good_canary_goes_on(self):
        ro = rollout.run(HOSTS, Fake({"h7": "failed"}), canary=2)
        self.assertIsNone(ro.stopped)
        self.assertEqual(dict(verdicts(ro))["h7"], "failed")
        self.assertEqual(sum(1 for _, v in verdicts(ro) if v == "skipped"), 0)

    def test_everything_canary_is_not_a_stop(self):
        ro = rollout.run(["a", "b"], Fake({"a": "failed"}), canary=5)
        self.assertIsNone(ro.stopped)


class MaxFailures(unittest.TestCase):
    def test_one_at_a_time_stops_at_once(self):
        work = Fake({"h3": "failed"})
        ro = rollout.run(HOSTS, work, parallel=1, max_failures=1)
        self.assertEqual(verdicts(ro)[:3], [("h1", "applied"), ("h2", "applied"), ("h3", "failed")])
        self.assertTrue(all(v == "skipped" for _, v in verdicts(ro)[3:]))
        self.assertEqual(work.started, ["h1", "h2", "h3"])
        self.assertEqual(ro.stopped, "max-failures")

    def test_running_hosts_finish(self):
        # h1 fails at once while h2, h3 are still running: they finish, no
        # new host starts
        work = Fake({"h1": "failed"}, delay=0.2, delays={"h1": 0.0})
        ro = rollout.run(HOSTS, work, parallel=3, max_failures=1)
        got = dict(verdicts(ro))
        self.assertEqual((got["h1"], got["h2"], got["h3"]), ("failed", "applied", "applied"))
        self.assertTrue(all(got["h%d" % i] == "skipped" for i in range(4, 11)))
        self.assertEqual(ro.stopped, "max-failures")

    def test_k_failures_allowed(self):
        work = Fake({"h2": "failed", "h4": "unreachable", "h6": "failed"})
        ro = rollout.run(HOSTS, work, parallel=1, max_failures=2)
        self.assertEqual(work.started, ["h1", "h2", "h3", "h4"])
        self.assertEqual((ro.stopped, ro.failures), ("max-failures", 2))

    def test_limit_not_reached(self):
        ro = rollout.run(HOSTS, Fake({"h2": "failed"}), parallel=4, max_failures=2)
        self.assertIsNone(ro.stopped)

    def test_last_host_failing_is_not_a_stop(self):
        ro = rollout.run(["a", "b"], Fake({"b": "failed"}), parallel=1, max_failures=1)
        self.assertIsNone(ro.stopped)


if __name__ == "__main__":
    unittest.main()
